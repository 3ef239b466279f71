"""`kafo collection seed`: store the versions of kafo/collection/reference/collection_rules.yaml."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kafo.collection.services import collection_rules_seed
from kafo.organisations.tenancy import zone_scope


class Command(BaseCommand):
    help = "Seed the collection rules (notices, assessment) from collection_rules.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help="another collection rules file")

    def handle(self, *args, path=None, **options):
        with zone_scope():
            created = collection_rules_seed(path=Path(path) if path else None)
        self.stdout.write(
            ngettext(
                "%(n)d version de règle de recouvrement enregistrée",
                "%(n)d versions de règles de recouvrement enregistrées",
                created,
            )
            % {"n": created}
        )
