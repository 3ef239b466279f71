"""Load the stats reference data: the indicator definitions and the seed denominators.

- `load_indicators()`: kafo/stats/reference/indicators.yaml → `Indicator` (created or updated:
  the file is the definition; its formula_version says which formula computed a value).
- `load_denominators()`: kafo/stats/reference/denominators.csv → `Denominator`, only the rows
  missing (country, kind, year): a figure the zone administrator edited is never overwritten.
  Countries not in the database are skipped.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import yaml

from kafo.organisations.models import Country
from kafo.stats.models import Denominator, Indicator

REFERENCE = Path(__file__).resolve().parent / "reference"
FIELDS = (
    "name_fr",
    "name_en",
    "definition",
    "numerator_label",
    "denominator_label",
    "unit",
    "source",
)


def indicator_definitions() -> list[dict]:
    """Return the indicator definitions of the reference file, in display order."""
    return yaml.safe_load((REFERENCE / "indicators.yaml").read_text(encoding="utf-8"))


def load_indicators() -> dict[str, Indicator]:
    """Create or update every indicator of the reference file; return them by code."""
    out = {}
    for position, item in enumerate(indicator_definitions()):
        defaults = {f: item.get(f) or "" for f in FIELDS}
        defaults["formula_version"] = int(item.get("formula_version", 1))
        defaults["position"] = position
        indicator, _ = Indicator.objects.update_or_create(code=item["code"], defaults=defaults)
        out[indicator.code] = indicator
    return out


def load_denominators() -> int:
    """Create the seed denominators missing for the countries in the database; return how many."""
    countries = set(Country.objects.values_list("code", flat=True))
    existing = set(Denominator.objects.values_list("country_id", "kind", "year"))
    new = []
    with (REFERENCE / "denominators.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["country"], row["kind"], int(row["year"]))
            if row["country"] not in countries or key in existing:
                continue
            new.append(
                Denominator(
                    country_id=row["country"],
                    kind=row["kind"],
                    year=int(row["year"]),
                    value=Decimal(row["value"]),
                    source=row["source"],
                    assumption=row["assumption"] == "1",
                    note=row["note"],
                )
            )
    Denominator.objects.bulk_create(new)
    return len(new)
