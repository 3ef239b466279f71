"""`kafo stats compute [--period YYYY-MM] [--months N] [--until YYYY-MM]`: the indicator snapshots.

Without options: the last two complete months (what the daily job does). Idempotent: the
snapshots of the computed months are replaced.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from kafo.stats.compute import compute_all, default_periods
from kafo.stats.domain.figures import months_back

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(text: str, option: str) -> str:
    if not MONTH.match(text or ""):
        raise CommandError(f"{option} : période invalide « {text} » (attendu AAAA-MM, ex. 2026-03)")
    return text


class Command(BaseCommand):
    help = "Calcule les indicateurs (instantanés) de chaque organisme et de la zone."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="un mois AAAA-MM (défaut : les deux derniers mois)")
        parser.add_argument("--months", type=int, help="nombre de mois jusqu'à --until")
        parser.add_argument("--until", help="dernier mois AAAA-MM (défaut : le mois dernier)")

    def handle(self, *args, **options):
        if options["period"]:
            periods = [_month(options["period"], "--period")]
        elif options["months"]:
            if options["months"] < 1 or options["months"] > 120:
                raise CommandError("--months : entre 1 et 120")
            until = options["until"] and _month(options["until"], "--until")
            until = until or default_periods(months=1)[0]
            periods = months_back(until, options["months"])
        else:
            periods = default_periods()
        result = compute_all(periods)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indicateurs calculés : {len(result.periods)} mois ({result.periods[0]} à "
                f"{result.periods[-1]}), {result.organisations} organisme(s), "
                f"{result.rows} valeurs, {result.seconds:.1f} s."
            )
        )
