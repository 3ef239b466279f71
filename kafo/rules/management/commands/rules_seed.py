from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kafo.organisations.tenancy import zone_scope
from kafo.rules.services import rules_seed


class Command(BaseCommand):
    help = "Seed the scheme rules of the zone's organisations from kafo/reference/rules.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=None, help="another rules file")

    def handle(self, *args, path=None, **options):
        from pathlib import Path

        with zone_scope():
            created = rules_seed(path=Path(path) if path else None)
        self.stdout.write(
            ngettext(
                "%(n)d version de règle de cotisation enregistrée",
                "%(n)d versions de règles de cotisation enregistrées",
                created,
            )
            % {"n": created}
        )
