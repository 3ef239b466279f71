"""`kafo benefits review`: flag the approved claims that a later rule version or a corrected
declaration touches (run daily, after the declaration imports)."""

from django.core.management.base import BaseCommand, CommandError

from kafo.benefits.claim_decisions import claims_flag_for_review
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import zone_scope


class Command(BaseCommand):
    help = "Flag approved benefit claims whose rules or declarations changed since approval."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", default=None, help="one organisation's code")

    def handle(self, *args, organisation=None, **options):
        with zone_scope():
            org = None
            if organisation:
                org = Organisation.objects.filter(code=organisation.upper()).first()
                if org is None:
                    raise CommandError(f"organisme inconnu : {organisation}")
            flagged = claims_flag_for_review(organisation=org)
        self.stdout.write(f"{flagged} demandes signalées pour réexamen")
