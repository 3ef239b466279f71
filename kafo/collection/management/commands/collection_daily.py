"""`kafo collection daily [--on DATE] [--organisation CODE]`: the day's notices to employers
(reminder, overdue, formal notice, penalty) and assessments (taxation d'office), and the
quarterly SMS to the workers expected and not declared.

Idempotent: run it twice the same day and the second run sends and posts nothing. The notices
are sent by the background jobs (`kafo jobs work`, or `kafo jobs run` once).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kafo.collection import services
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope


class Command(BaseCommand):
    help = "Envoie les avis du jour aux employeurs et passe les taxations d'office échues."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="jour de référence AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument("--organisation", help="code d'un seul organisme (défaut : tous)")

    def handle(self, *args, **options):
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"date invalide : {options['on']} (AAAA-MM-JJ)") from exc
        organisations = Organisation.objects.order_by("code")
        if options["organisation"]:
            organisations = organisations.filter(code=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"organisme inconnu : {options['organisation']}")
        total_notices = total_assessments = total_sms = 0
        for organisation in organisations:
            with tenant_scope(organisation):
                result = services.collection_daily(organisation=organisation, on=on)
                services.notices_refresh(organisation=organisation)
            total_notices += result.notice_count
            total_assessments += len(result.assessments)
            total_sms += result.worker_sms
            if result.notice_count or result.assessments or result.worker_sms:
                self.stdout.write(
                    f"{organisation.code} : {result.notice_count} avis, "
                    f"{len(result.assessments)} taxation(s) d'office, "
                    f"{result.worker_sms} SMS aux salariés non déclarés"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Terminé : {total_notices} avis, {total_assessments} taxation(s) d'office, "
                f"{total_sms} SMS aux salariés non déclarés."
            )
        )
