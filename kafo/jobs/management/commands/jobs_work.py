"""`kafo jobs work`: the background worker (runs jobs as they come, until stopped)."""

from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Exécute les travaux en arrière-plan au fil de l'eau (Ctrl+C pour arrêter)."

    def add_arguments(self, parser):
        parser.add_argument("--queue", default="*", help="file d'attente (toutes par défaut)")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, queue, interval, **options):
        call_command("db_worker", queue_name=queue, interval=interval, reload=False)
