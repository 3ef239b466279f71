"""`kafo daily [--on DATE]`: the system's daily run (governance, collection, payroll, statistics;
see kafo/jobs/daily.py). Idempotent: a second run the same day creates nothing.

`kafo daily --schedule`: instead, enqueue the daily job for 02:00 tomorrow; the worker
(`kafo jobs work`) runs it and it enqueues the next. Never two waiting.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kafo.jobs import daily


class Command(BaseCommand):
    help = (
        "Exécute les traitements quotidiens (gouvernance, recouvrement, paie, indicateurs), "
        "ou les programme chaque jour à 02:00 par le worker (--schedule)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="jour de référence AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="programmer le traitement quotidien (02:00) au lieu de l'exécuter",
        )

    def handle(self, *args, **options):
        if options["schedule"]:
            if options["on"]:
                raise CommandError("--schedule et --on ne vont pas ensemble")
            created = daily.schedule_next()
            when = timezone.localtime(daily.next_run(timezone.now()))
            if created:
                self.stdout.write(f"Traitement quotidien programmé le {when:%d/%m/%Y à %H:%M}.")
            else:
                self.stdout.write("Traitement quotidien déjà programmé : rien d'ajouté.")
            return
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"date invalide : {options['on']} (AAAA-MM-JJ)") from exc
        for line in daily.run_daily(on):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Traitements quotidiens terminés."))
