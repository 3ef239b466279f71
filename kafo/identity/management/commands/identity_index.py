"""`kafo identity index`: link every person record of the zone into zone persons."""

from django.core.management import BaseCommand
from tqdm import tqdm

from kafo.identity import services
from kafo.organisations.tenancy import zone_scope


class Command(BaseCommand):
    help = "Rebuild the zone person index from every organisation's person records."

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")

    def handle(self, *args, engine, **options):
        from kafo.identity.linkage.linker import STEPS

        with tqdm(total=len(STEPS), desc="index", unit="étape") as bar, zone_scope():
            report = services.zone_index_rebuild(
                engine=engine, on_step=lambda step: (bar.set_postfix_str(step), bar.update())
            )
        self.stdout.write(
            f"{report.records} dossiers → {report.zone_persons} personnes de la zone ; "
            f"{report.linked_across_organisations} connues de plusieurs organismes ; "
            f"{report.moved} dossiers déplacés ; {report.review_items} paires à examiner."
        )
        self.stdout.write(f"durées (s) : {report.seconds}")
