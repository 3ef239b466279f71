"""The collection rule versions: the seed from the reference file, the version in force; the
organisation's go-live (`follow_up_set`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .models import CollectionFollowUp, CollectionRuleVersion
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


def follow_up_set(
    *,
    organisation: Organisation,
    followed_since: dt.date,
    effective_from: dt.date,
    source: str,
    assumption: bool = False,
    note: str = "",
) -> CollectionFollowUp:
    """Record from which date Kafo follows the organisation's declarations (its go-live), as a
    new version in force from `effective_from`; audited. A version already starting that day is
    refused (a correction is a new version, history is never edited)."""
    if not source.strip():
        raise ValidationError({"source": _("Indiquez la source de cette date (décision, note…).")})
    if CollectionFollowUp.unscoped.filter(
        organisation=organisation, effective_from=effective_from
    ).exists():
        raise ValidationError(
            {
                "effective_from": _(
                    "Une version commence déjà ce jour-là pour cet organisme : choisissez une "
                    "autre date d'effet."
                )
            }
        )
    with transaction.atomic():
        row = CollectionFollowUp.unscoped.create(
            organisation=organisation,
            followed_since=followed_since,
            effective_from=effective_from,
            source=source.strip()[:300],
            assumption=assumption,
            note=note[:300],
        )
        audit.record_created(row)
    return row
