"""The demo zone that bench/search.py and bench/hints.py measure: a SQLite database built once
in a data directory (or the database DATABASE_URL names), seeded with `kafo seed_demo`."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def demo_zone(data_dir: str, persons: int) -> int:
    """Set Django up on the bench database, seed it if it holds fewer than `persons`; return
    the number of persons in the zone."""
    os.environ.setdefault("KAFO_DATA_DIR", str(Path(data_dir).resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    Path(os.environ["KAFO_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from kafo.organisations.tenancy import zone_scope
    from kafo.registry.models import Person

    call_command("migrate", verbosity=0)
    with zone_scope():
        if Person.objects.count() < persons:
            call_command("seed_demo", persons=persons, reset=True)
        return Person.objects.count()
