"""`kafo messaging undeclared [--quarter 2026-Q3 | --on DATE] [--organisation CODE]`: SMS to the
workers expected and not declared in a quarter (declared by an employer the quarter before,
not in this one, employment not ended). Idempotent: a second run queues nothing more; the SMS
are sent by the background jobs (`kafo jobs work`, or `kafo jobs run` once)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kafo.messaging import workers
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope


class Command(BaseCommand):
    help = "Prévient par SMS les salariés attendus et non déclarés d'un trimestre."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="trimestre AAAA-Tn ou AAAA-Qn (défaut : selon --on)")
        parser.add_argument("--on", help="jour de référence AAAA-MM-JJ (défaut : aujourd'hui)")
        parser.add_argument("--organisation", help="code d'un seul organisme (défaut : tous)")

    def handle(self, *args, **options):
        if options["quarter"]:
            quarter = options["quarter"].strip().upper().replace("T", "Q")
        else:
            try:
                on = dt.date.fromisoformat(options["on"]) if options["on"] else timezone.localdate()
            except ValueError as exc:
                raise CommandError(f"date invalide : {options['on']} (AAAA-MM-JJ)") from exc
            quarter = workers.quarter_to_check(on)
        organisations = Organisation.objects.select_related("country").order_by("code")
        if options["organisation"]:
            organisations = organisations.filter(code=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"organisme inconnu : {options['organisation']}")
        total = 0
        for organisation in organisations:
            with tenant_scope(organisation):
                try:
                    count = workers.notify_undeclared_workers(
                        organisation=organisation, quarter=quarter
                    )
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
            total += count
            if count:
                self.stdout.write(f"{organisation.code} : {count} SMS")
        self.stdout.write(
            self.style.SUCCESS(f"Trimestre {workers.period_label(quarter)} : {total} SMS en file.")
        )
