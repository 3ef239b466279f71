"""`kafo payroll allowances --on DATE [--organisation CODE]`: bring the family allowances in
line with the children's rights on DATE (new rights put in payment, age limits stopped,
unrenewed school years suspended). Idempotent: run it before each payroll run."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope, zone_scope
from kafo.payroll.allowances import allowance_rules, allowances_put_in_payment


class Command(BaseCommand):
    help = "Put family allowances in payment, stop or suspend them, as the rules say on a date."

    def add_arguments(self, parser):
        parser.add_argument("--on", default=None, help="YYYY-MM-DD (today by default)")
        parser.add_argument("--organisation", default=None, help="one organisation's code")

    def handle(self, *args, on=None, organisation=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--on : date AAAA-MM-JJ attendue, pas « {on} »") from error
        with zone_scope():
            orgs = Organisation.objects.order_by("code")
            if organisation:
                orgs = orgs.filter(code=organisation.upper())
                if not orgs.exists():
                    raise CommandError(f"organisme inconnu : {organisation}")
            orgs = [o for o in orgs if allowance_rules(o.code, day) is not None]
        for org in orgs:
            with tenant_scope(org):
                r = allowances_put_in_payment(organisation=org, on=day)
            self.stdout.write(
                f"{org.code} : {r.created} mises en paiement, {r.stopped} arrêts, "
                f"{r.suspended} suspensions, {r.resumed} reprises, {r.end_dates} échéances "
                f"modifiées, {r.amounts} montants revalorisés"
            )
