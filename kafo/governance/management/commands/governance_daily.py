"""`kafo governance_daily`: mark overdue decisions and actions late, send the reminders due.

Idempotent: run it twice the same day and the second run changes and sends nothing.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kafo.governance import services
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope


class Command(BaseCommand):
    help = "Marque en retard les décisions et actions échues et envoie les rappels du jour."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="jour de référence AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument("--organisation", help="code d'un seul organisme (défaut : tous)")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"date invalide : {options['date']}") from exc
        organisations = Organisation.objects.order_by("code")
        if options["organisation"]:
            organisations = organisations.filter(code=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"organisme inconnu : {options['organisation']}")
        total_late = total_sent = 0
        for organisation in organisations:
            with tenant_scope(organisation):
                late = services.items_mark_late(today=today)
                sent = services.reminders_send(today=today)
            total_late += late
            total_sent += sent
            if late or sent:
                self.stdout.write(
                    f"{organisation.code}: {late} en retard, {sent} rappel(s) envoyé(s)"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Terminé : {total_late} en retard, {total_sent} rappel(s) envoyé(s)."
            )
        )
