"""Seed the zone's countries and organisations from the reference data file."""

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from .models import Country, Organisation


def load_zone_reference(path: Path | None = None) -> dict:
    path = path or settings.KAFO_REFERENCE_DIR / "zone.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@transaction.atomic
def zone_seed(*, path: Path | None = None) -> list[Organisation]:
    """Create or update every country and organisation of the reference file."""
    data = load_zone_reference(path)
    for c in data["countries"]:
        nid = c.get("national_id") or {}
        Country.objects.update_or_create(
            code=c["code"],
            defaults={
                "name": c["name"],
                "currency": c["currency"],
                "minimum_wage": c["minimum_wage"],
                "minimum_wage_source": c.get("minimum_wage_source", ""),
                "national_id_name": nid.get("name") or "",
                "national_id_pattern": nid.get("pattern") or "",
                "national_id_assumption": bool(nid.get("assumption", True)),
                "national_id_note": nid.get("note") or "",
            },
        )
    organisations = []
    for o in data["organisations"]:
        org, _ = Organisation.objects.update_or_create(
            code=o["code"],
            defaults={"name": o["name"], "country_id": o["country"], "branches": o["branches"]},
        )
        organisations.append(org)
    return organisations
