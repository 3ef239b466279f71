"""The collection rule versions: the seed from the reference file, the version in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .models import CollectionRuleVersion
from .rules import CollectionRules, load_reference, parse_rules


def collection_rules_seed(*, path: Path | None = None) -> int:
    """Store every version of the reference file not yet stored; return how many were created.

    Idempotent (same organisation and start: left untouched); organisations absent from the
    database are skipped.
    """
    created = 0
    organisations = {o.code: o for o in Organisation.objects.all()}
    for entry in load_reference(path):
        organisation = organisations.get(entry.organisation)
        if organisation is None:
            continue
        if CollectionRuleVersion.unscoped.filter(
            organisation=organisation, effective_from=entry.valid_from
        ).exists():
            continue
        row = CollectionRuleVersion.objects.create(
            organisation=organisation,
            effective_from=entry.valid_from,
            source=entry.source[:300],
            assumption=entry.assumption,
            note=_("hypothèses marquées par paramètre") if entry.assumption else "",
            parameters=entry.parameters,
            provenance=entry.provenance,
        )
        audit.record_created(row)
        created += 1
    return created


def rules_in_force(
    *, organisation_id: int, on: dt.date
) -> tuple[CollectionRuleVersion, CollectionRules] | None:
    """The collection rule version of the organisation in force on `on`, parsed; None if none."""
    row = (
        CollectionRuleVersion.unscoped.filter(organisation_id=organisation_id)
        .in_force(on=on)
        .select_related("organisation")
        .first()
    )
    if row is None:
        return None
    return row, parse_rules(row.parameters)
