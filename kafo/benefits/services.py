"""Writes of the benefit rules. A version is added, never rewritten once in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .claim_decisions import claims_flag_for_review
from .coordination import (  # the coordinated-claim services kafo.exchange calls
    coordinated_claim_open,  # noqa: F401
    foreign_periods_record,  # noqa: F401
)
from .domain.rules import RuleError, parse_rules
from .models import BenefitKind, BenefitRuleVersion
from .rules_file import load_reference


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def benefit_rule_version_add(
    *,
    organisation: Organisation,
    kind: str,
    effective_from: dt.date,
    parameters: Mapping[str, Any],
    source: str,
    provenance: Mapping[str, Mapping[str, Any]] | None = None,
    allow_backdated: bool = False,
) -> BenefitRuleVersion:
    """Add a version of an organisation's benefit rule; its parameters are validated first.

    It starts today or later unless seeding history (`allow_backdated`): the versions already
    in force are history.
    """
    provenance = dict(provenance or {})
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Prestation inconnue.")})
    if not source.strip():
        raise ValidationError({"source": _("La source est obligatoire.")})
    if not allow_backdated and effective_from < _today():
        raise ValidationError(
            {
                "effective_from": _(
                    "Une nouvelle version ne peut pas prendre effet dans le passé : "
                    "l'historique n'est jamais réécrit."
                )
            }
        )
    try:
        parse_rules(
            parameters,
            organisation=organisation.code,
            valid_from=effective_from,
            source=source,
            provenance=provenance,
        )
    except RuleError as exc:
        raise ValidationError(
            {f"parameters.{name}": reason for name, reason in exc.errors.items()}
        ) from None
    if BenefitRuleVersion.unscoped.filter(
        organisation=organisation, kind=kind, effective_from=effective_from
    ).exists():
        raise ValidationError(
            {"effective_from": _("Une version de cette règle commence déjà à cette date.")}
        )
    assumed = sorted(name for name, p in provenance.items() if p.get("assumption"))
    version = BenefitRuleVersion(
        organisation=organisation,
        kind=kind,
        effective_from=effective_from,
        parameters=dict(parameters),
        provenance=provenance,
        source=source,
        assumption=bool(assumed),
        # Stored data, in French (as the reference's notes are in English): not translated.
        note=(f"Hypothèses à confirmer : {', '.join(assumed)}" if assumed else "")[:300],
    )
    version.full_clean(exclude=["organisation"])
    version.save()
    audit.record_created(version)
    claims_flag_for_review(organisation=organisation)  # approved claims this version touches
    return version


@transaction.atomic
def benefits_seed(*, path: Path | None = None) -> int:
    """Create every benefit rule version of the reference file not yet stored; return how many.

    Idempotent: an existing version (same organisation, kind and start) is left untouched.
    Organisations absent from the database (a zone seeded without them) are skipped.
    """
    created = 0
    organisations = {o.code: o for o in Organisation.objects.all()}
    for entry in load_reference(path):
        organisation = organisations.get(entry.organisation)
        if organisation is None:
            continue
        if BenefitRuleVersion.unscoped.filter(
            organisation=organisation, kind=entry.kind, effective_from=entry.valid_from
        ).exists():
            continue
        benefit_rule_version_add(
            organisation=organisation,
            kind=entry.kind,
            effective_from=entry.valid_from,
            parameters=entry.parameters,
            source=entry.source,
            provenance=entry.provenance,
            allow_backdated=True,
        )
        created += 1
    return created
