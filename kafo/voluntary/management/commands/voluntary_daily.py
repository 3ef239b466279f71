"""`kafo voluntary daily [--on DATE]`: lapse the voluntary memberships whose unpaid periods say
so on the day (kafo/voluntary/domain/schedule.py). Idempotent: a lapsed membership is left
as it is, so a second run the same day changes nothing. Part of `kafo daily`."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope, zone_scope
from kafo.voluntary.brackets import offering_organisations
from kafo.voluntary.services import memberships_lapse


class Command(BaseCommand):
    help = "Constate la déchéance des adhésions à l'assurance volontaire impayées."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="jour de référence AAAA-MM-JJ (défaut : aujourd'hui)")

    def handle(self, *args, **options):
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError as exc:
                raise CommandError(f"date invalide : {options['on']} (AAAA-MM-JJ)") from exc
        with zone_scope():
            organisations = list(
                Organisation.objects.filter(code__in=offering_organisations()).order_by("code")
            )
        lapsed = 0
        for organisation in organisations:
            with tenant_scope(organisation):
                lapsed += memberships_lapse(organisation=organisation, on=on)
        self.stdout.write(f"Adhésions volontaires tombées en déchéance : {lapsed}.")
