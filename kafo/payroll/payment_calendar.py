"""Each organisation's payment calendar as versioned reference data
(reference/payment_calendar.yaml): how often it pays pensions and family allowances, in advance
or in arrears, and its yearly proof-of-life campaign (window and grace period)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CALENDAR_FILE = Path(__file__).parent / "reference" / "payment_calendar.yaml"
FAMILY_KINDS = ("family_allowance",)


@dataclass(frozen=True)
class CalendarVersion:
    valid_from: dt.date
    entry: dict
    organisation_code: str | None  # None: the default (every value an assumption)

    def terms(self, kind: str) -> tuple[str, str]:
        """(frequency, timing) of a benefit kind."""
        group = "family_allowances" if kind in FAMILY_KINDS else "pensions"
        terms = self.entry[group]
        return terms["frequency"], terms["timing"]

    def provenance(self, group: str) -> dict:
        return self.entry.get("provenance", {}).get(group, {})


@lru_cache(maxsize=4)
def _load(path: Path = CALENDAR_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _versions(code: str) -> tuple[str | None, list[dict]]:
    data = _load()
    if code in data["organisations"]:
        return code, data["organisations"][code]
    return None, data["default"]


def calendar_in_force(organisation_code: str, on: dt.date) -> CalendarVersion:
    """Return the calendar version of `organisation_code` in force on `on` (the default's when
    the organisation is not listed or `on` precedes its first version)."""
    code, versions = _versions(organisation_code)
    chosen = None
    for v in sorted(versions, key=lambda v: v["valid_from"]):
        if v["valid_from"] <= on:
            chosen = v
    if chosen is None:
        code, chosen = None, _load()["default"][0]
    return CalendarVersion(valid_from=chosen["valid_from"], entry=chosen, organisation_code=code)


def payment_terms(organisation_code: str, kind: str, on: dt.date) -> tuple[str, str]:
    """(frequency, timing) for a benefit of `kind` put in payment on `on`."""
    return calendar_in_force(organisation_code, on).terms(kind)


@dataclass(frozen=True)
class CampaignDates:
    window_start: dt.date
    window_end: dt.date
    grace_end: dt.date
    source: str
    assumption: bool


def campaign_dates(organisation_code: str, year: int) -> CampaignDates:
    """The proof-of-life campaign of `year`: window (month-days of the reference) and the last
    day of grace (window end + grace days); its source and whether it is an assumption."""
    version = calendar_in_force(organisation_code, dt.date(year, 1, 1))
    lc = version.entry["life_certificates"]
    start_m, start_d = (int(x) for x in lc["window_start"].split("-"))
    end_m, end_d = (int(x) for x in lc["window_end"].split("-"))
    start = dt.date(year, start_m, start_d)
    end = dt.date(year, end_m, end_d)
    provenance = version.provenance("life_certificates")
    return CampaignDates(
        window_start=start,
        window_end=end,
        grace_end=end + dt.timedelta(days=int(lc["grace_days"])),
        source=provenance.get("source", ""),
        assumption=bool(provenance.get("assumption", version.organisation_code is None)),
    )
