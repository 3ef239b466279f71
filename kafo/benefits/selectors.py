"""Reads of the benefit rules: always through `.in_force(on=...)` for computations."""

from __future__ import annotations

import datetime as dt

from kafo.organisations.models import Organisation

from .models import BenefitRuleVersion


def rule_in_force(
    *, organisation: Organisation | int, kind: str, on: dt.date
) -> BenefitRuleVersion | None:
    """Return the version of `kind` in force at `organisation` on `on`, or None."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return (
        BenefitRuleVersion.objects.filter(organisation_id=org_id, kind=kind)
        .in_force(on=on)
        .select_related("organisation")
        .first()
    )


def rule_versions(*, organisation_id: int | None = None) -> list[dict]:
    """Every version (history included) of the scope's benefit rules, each with the date its
    successor starts (`valid_until`, exclusive; None while it is the latest)."""
    qs = BenefitRuleVersion.objects.select_related("organisation").order_by(
        "organisation__code", "kind", "effective_from"
    )
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    rows = list(qs)
    answer = []
    for i, row in enumerate(rows):
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        same = nxt is not None and (nxt.organisation_id, nxt.kind) == (
            row.organisation_id,
            row.kind,
        )
        answer.append({"version": row, "valid_until": nxt.effective_from if same else None})
    return answer
