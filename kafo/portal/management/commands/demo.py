"""`kafo demo`: build the demo zone on the embedded database (once) and serve it.

It serves with Django's runserver on 127.0.0.1, DEBUG off (Kafo's error pages, never Django's
debug pages), in KAFO_ENV=development (plain http: no Secure cookies or HSTS; kafo/cli.py sets
it), one database connection per request. Production uses gunicorn (README, "Production").
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, call_command

from kafo.benefits.demo import benefits_demo_seed
from kafo.collection.demo import collection_demo_seed
from kafo.exchange.demo import exchange_demo_seed
from kafo.governance.demo import governance_demo_seed
from kafo.organisations.tenancy import zone_scope
from kafo.payroll.demo import payroll_demo_seed
from kafo.registry.models import Person
from kafo.stats.demo import stats_demo_seed
from kafo.voluntary.demo import voluntary_demo_seed

DEMO_PERSONS = 20_000
DEMO_EMPLOYERS = 800


class Command(BaseCommand):
    help = "Migrate, seed the demo zone if the database is empty, and serve on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        # The demo's population (issue 17 §4: the first start, 24 months of history everywhere,
        # under a minute of CPU on 2 cores): 20,000 insured and 800 employers over the seven
        # organisations, about 300,000 declaration lines; `kafo seed_demo` makes larger zones.
        parser.add_argument("--persons", type=int, default=DEMO_PERSONS)
        parser.add_argument("--employers", type=int, default=DEMO_EMPLOYERS)
        parser.add_argument("--no-serve", action="store_true")

    def handle(self, *args, port, persons, employers, no_serve, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0)
        # DEBUG is off: WhiteNoise serves the static files from STATIC_ROOT, as in production.
        call_command("collectstatic", interactive=False, verbosity=0)
        with zone_scope():
            empty = not Person.objects.exists()
        if empty:
            self.stdout.write("Génération des données de démonstration…")
            call_command("seed_demo", persons=persons, employers=employers)
            call_command("rules_seed")
            call_command("benefits_seed")
            benefits_demo_seed(say=lambda msg: self.stdout.write(f"  prestations : {msg}"))
            governance_demo_seed(say=lambda msg: self.stdout.write(f"  gouvernance : {msg}"))
            exchange_demo_seed(say=lambda msg: self.stdout.write(f"  échanges : {msg}"))
            payroll_demo_seed(say=lambda msg: self.stdout.write(f"  paiements : {msg}"))
            collection_demo_seed(say=lambda msg: self.stdout.write(f"  recouvrement : {msg}"))
            voluntary_demo_seed(say=lambda msg: self.stdout.write(f"  volontaires : {msg}"))
            stats_demo_seed(say=lambda msg: self.stdout.write(f"  indicateurs : {msg}"))
        else:
            self.stdout.write(
                "Base de démonstration déjà présente (kafo seed_demo --reset pour la refaire)."
            )
            call_command("demo_logins")
        # The daily run (`kafo daily`: notices, assessments, indicators…) at 02:00 by the worker
        # started below; a restart adds nothing (never two waiting).
        call_command("daily", "--schedule", stdout=self.stdout)
        self.stdout.write(f"\nKafo : http://127.0.0.1:{port}/  (Ctrl+C pour arrêter)\n")
        if not no_serve:
            # One background worker beside the server: notices, SMS, payment files (kafo/jobs).
            worker = subprocess.Popen([sys.executable, "-m", "kafo.cli", "jobs", "work"])
            try:
                call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
            finally:
                worker.terminate()
                worker.wait(timeout=10)
