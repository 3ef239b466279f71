"""`kafo benefits seed`: store the rule versions of kafo/benefits/reference/benefits.yaml."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kafo.benefits.services import benefits_seed
from kafo.organisations.tenancy import zone_scope


class Command(BaseCommand):
    help = "Seed the benefit rules (old age, survivors) from kafo/benefits/reference/benefits.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help="another benefit rules file")

    def handle(self, *args, path=None, **options):
        with zone_scope():
            created = benefits_seed(path=Path(path) if path else None)
        self.stdout.write(
            ngettext(
                "%(n)d version de règle de prestation enregistrée",
                "%(n)d versions de règles de prestation enregistrées",
                created,
            )
            % {"n": created}
        )
