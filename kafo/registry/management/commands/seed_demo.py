"""`kafo seed_demo`: fill the database with a believable demo zone and the demo logins."""

import csv
import time

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kafo.exports import csv_row
from kafo.registry.demo import load

ROLE_LABELS = {
    "registration_agent": "agent d'immatriculation",
    "contributions_manager": "gestionnaire des cotisations",
    "benefits_officer": "liquidateur",
    "approver": "approbateur",
    "payment_officer": "agent de paiement",
    "director": "directeur",
    "employer": "employeur (portail)",
    "zone_admin": "administrateur de zone",
}


class Command(BaseCommand):
    help = (
        "Génère une zone de démonstration : les sept organismes, des employeurs, des assurés "
        "(noms ouest-africains), ayants droit, emplois, doubles immatriculations, et un compte "
        "de démonstration par organisme et par rôle. Déterministe pour une graine donnée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="graine (défaut 2026)")
        parser.add_argument("--persons", type=int, default=50_000, help="assurés (défaut 50000)")
        parser.add_argument("--employers", type=int, default=2_000, help="employeurs (défaut 2000)")
        parser.add_argument(
            "--password",
            default=load.DEFAULT_PASSWORD,
            help=f"mot de passe des comptes de démonstration (défaut {load.DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--truth",
            metavar="FICHIER.csv",
            help="écrit les paires de doubles immatriculations (vérité pour l'index des personnes)",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="ne calcule pas l'index des personnes de la zone (kafo identity index)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="efface d'abord les données du registre (employeurs, assurés, emplois…)",
        )

    def handle(self, *args, seed, persons, employers, password, reset, truth, **options):
        if persons < 1 or employers < 1:
            raise CommandError("--persons et --employers doivent être positifs.")
        started = time.perf_counter()
        verbose = options["verbosity"] > 1
        try:
            result = load.demo_seed(
                seed=seed,
                persons=persons,
                employers=employers,
                password=password,
                reset=reset,
                progress=(lambda msg: self.stdout.write(f"  {msg}")) if verbose else None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not options.get("no_index"):
            # The demo starts with the zone index built: the person page shows the zone person
            # at once instead of asking the clerk to run a command (issue 18).
            self.stdout.write("Calcul de l'index des personnes de la zone…")
            call_command("identity_index", stdout=self.stdout._out)
        elapsed = time.perf_counter() - started
        if truth:
            self.write_truth(truth, result.cross_registrations)
        self.print_logins(result.logins, password)
        self.print_counts(result)
        self.stdout.write(
            self.style.SUCCESS(f"Zone de démonstration créée (graine {seed}) en {elapsed:.1f} s.")
        )

    def write_truth(self, path, pairs):
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["organisation_1", "number_1", "organisation_2", "number_2", "variants"])
            for (org1, n1), (org2, n2), variants in pairs:
                out.writerow(csv_row([org1, n1, org2, n2, " ".join(variants)]))
        self.stdout.write(f"Paires de doubles immatriculations écrites dans {path}.")

    def print_logins(self, logins, password):
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {password})")
        header = ("identifiant", "organisme", "rôle")
        rows = [
            (
                login.username,
                login.organisation or "zone",
                ROLE_LABELS.get(login.role, login.role)
                + (f" — employeur {login.employer}" if login.employer else ""),
            )
            for login in logins
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())

    def print_counts(self, result):
        kinds = ("employers", "establishments", "persons", "dependants", "employments")
        labels = ("employeurs", "établissements", "assurés", "ayants droit", "emplois")
        self.stdout.write("")
        header = ("organisme", *labels)
        rows = [(code, *(str(result.counts[code][k]) for k in kinds)) for code in result.counts]
        totals = result.totals()
        rows.append(("total", *(str(totals[k]) for k in kinds)))
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write(
                "  ".join(
                    cell.ljust(w) if i == 0 else cell.rjust(w)
                    for i, (cell, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        self.stdout.write(
            f"dont {len(result.cross_registrations)} assurés immatriculés dans un second organisme "
            "(variantes d'orthographe)."
        )
