"""Benchmark: the dashboard page of every role, with the indicator snapshots in place.

    rm -rf /tmp/demo17 && KAFO_DATA_DIR=/tmp/demo17 .venv/bin/kafo demo --no-serve --persons 5000
    KAFO_DATA_DIR=/tmp/demo17 .venv/bin/python bench/dashboards.py [--runs 40]

Reads the demo database (the demo computes 24 months of snapshots at its end), logs in the
demo login of each role (CNPS-CI, and the zone administrator) with Django's test client and
requests the home page `--runs` times after one warm-up request, timing each answer in the
process (no network). The page must answer 200 and show at least one SVG chart.

One line per role, then the last line: `p95_ms=N max_p95_ms=N roles=N` (p95 over every request
of every role; max_p95 the worst role's). Goal: under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOGINS = (
    "cnps-ci.directeur",
    "cnps-ci.cotisations",
    "cnps-ci.liquidateur",
    "cnps-ci.approbateur",
    "cnps-ci.paiement",
    "cnps-ci.agent",
    "zone.admin",
)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kafo.accounts.models import User
    from kafo.stats.models import IndicatorValue

    setup_test_environment()  # the test client needs ALLOWED_HOSTS' testserver
    if not IndicatorValue.objects.exists():
        sys.exit("Aucun instantané d'indicateur : lancez d'abord `kafo demo --no-serve`.")
    every: list[float] = []
    worst = 0.0
    roles = 0
    for username in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"{username}: absent, ignoré")
            continue
        client = Client()
        client.force_login(user)
        first = client.get("/", secure=True)
        if first.status_code != 200 or b'<svg class="chart"' not in first.content:
            sys.exit(f"{username}: réponse {first.status_code} sans graphique")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get("/", secure=True)
            times.append((time.perf_counter() - started) * 1000)
        every += times
        worst = max(worst, p95(times))
        roles += 1
        print(
            f"{username}: median_ms={statistics.median(times):.0f} p95_ms={p95(times):.0f} "
            f"max_ms={max(times):.0f}"
        )
    print(f"p95_ms={p95(every):.0f} max_p95_ms={worst:.0f} roles={roles}")


if __name__ == "__main__":
    main()
