"""Read the CIPRES convention's reference file (kafo/benefits/reference/cipres.yaml); no Django.

The versions are data: `convention_in_force(on)` answers the one in force on a date, parsed by
the pure domain (`domain.coordination.parse_convention`).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml

from .domain.coordination import ConventionRules, parse_convention

CONVENTION_FILE = Path(__file__).parent / "reference" / "cipres.yaml"


@cache
def load_convention(path: Path = CONVENTION_FILE) -> tuple[ConventionRules, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ratifications = data.get("ratifications") or {}
    return tuple(
        sorted(
            (parse_convention(v, ratifications=ratifications) for v in data["versions"]),
            key=lambda c: c.valid_from,
        )
    )


def convention_in_force(on: dt.date, path: Path = CONVENTION_FILE) -> ConventionRules | None:
    """The convention's version in force on `on` (None before the first one)."""
    versions = [c for c in load_convention(path) if c.valid_from <= on]
    return versions[-1] if versions else None
