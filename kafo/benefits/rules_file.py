"""Read the benefit rules reference file (kafo/benefits/reference/benefits.yaml); no Django.

Used by the seed (services.benefits_seed) and by the domain tests, which compute the worked
examples from the same sourced parameters the database holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .domain.rules import PensionRules, parse_rules

REFERENCE_FILE = Path(__file__).parent / "reference" / "benefits.yaml"


@dataclass(frozen=True)
class RuleEntry:
    organisation: str
    kind: str
    valid_from: dt.date
    source: str
    parameters: dict[str, Any]
    provenance: dict[str, dict[str, Any]]

    @property
    def version(self) -> str:
        return f"{self.organisation} {self.kind} {self.valid_from.isoformat()}"

    def rules(self) -> PensionRules:
        return parse_rules(
            self.parameters,
            organisation=self.organisation,
            valid_from=self.valid_from,
            version=self.version,
            source=self.source,
            provenance=self.provenance,
        )


def load_reference(path: Path | None = None) -> list[RuleEntry]:
    data = yaml.safe_load((path or REFERENCE_FILE).read_text(encoding="utf-8"))
    entries = []
    for code, versions in data["organisations"].items():
        for v in versions:
            entries.append(
                RuleEntry(
                    organisation=code,
                    kind=v["kind"],
                    valid_from=v["valid_from"],
                    source=v["source"],
                    parameters=v["parameters"],
                    provenance=v.get("provenance") or {},
                )
            )
    return entries


def reference_rules(organisation: str, on: dt.date, kind: str = "old_age") -> PensionRules:
    """The reference file's version in force on `on` (for tests and tools without a database)."""
    candidates = [
        e
        for e in load_reference()
        if e.organisation == organisation and e.kind == kind and e.valid_from <= on
    ]
    if not candidates:
        raise LookupError(f"{organisation} {kind} {on}")
    return max(candidates, key=lambda e: e.valid_from).rules()
