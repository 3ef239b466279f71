"""`kafo jobs run`: run every ready background job once, then exit (cron, tests, operators)."""

from django.core.management import BaseCommand

from kafo.jobs import failed_jobs, pending_count, run_pending


class Command(BaseCommand):
    help = "Exécute tous les travaux prêts puis s'arrête ; affiche ce qui reste et ce qui a échoué."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", help="file d'attente (répétable)")

    def handle(self, *args, queue, **options):
        done = run_pending(queue)
        self.stdout.write(
            f"travaux exécutés : {done} ; en attente : {pending_count()} ; "
            f"en échec : {failed_jobs().count()}"
        )
