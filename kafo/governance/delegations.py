"""Writes of delegations of signature, each granted by a decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .checks import _amount, _check_same_org, _choice, _raise, _required
from .models import Decision, Delegation, DelegationKind, Status


@transaction.atomic
def delegation_grant(
    *,
    decision: Decision,
    delegate,
    kind: str,
    amount_ceiling,
    start_date: dt.date | None,
    end_date: dt.date | None = None,
    benefit_kinds: Sequence[str] = (),
) -> Delegation:
    """Register a delegation of signature granted by `decision`.

    `benefit_kinds` (benefit approvals only) limits it to those kinds of claim; empty: all.
    """
    from kafo.benefits.models import ClaimKind

    errors: dict = {}
    benefit_kinds = list(dict.fromkeys(benefit_kinds or ()))
    if benefit_kinds and kind != DelegationKind.BENEFIT_APPROVAL:
        errors["benefit_kinds"] = _(
            "Les prestations couvertes ne s'indiquent que pour l'approbation des prestations."
        )
    elif any(k not in ClaimKind.values for k in benefit_kinds):
        errors["benefit_kinds"] = _("Prestation inconnue : %(kinds)s.") % {
            "kinds": ", ".join(k for k in benefit_kinds if k not in ClaimKind.values)
        }
    _required(errors, {"delegate": delegate, "start_date": start_date}, "delegate", "start_date")
    _choice(errors, {"kind": kind}, "kind", DelegationKind)
    _check_same_org(errors, "delegate", delegate, decision.organisation_id)
    ceiling = _amount(errors, "amount_ceiling", amount_ceiling, required=True)
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("La fin précède le début.")
    if start_date and start_date < decision.session.date:
        errors["start_date"] = _("Une délégation ne peut pas précéder la décision qui l'accorde.")
    if decision.status == Status.DROPPED:
        errors["granted_by"] = _("Cette décision est abandonnée.")
    _raise(errors)
    delegation = Delegation.objects.create(
        organisation_id=decision.organisation_id,
        delegate=delegate,
        kind=kind,
        amount_ceiling=ceiling,
        start_date=start_date,
        end_date=end_date,
        benefit_kinds=benefit_kinds,
        granted_by=decision,
    )
    audit.record_created(delegation, subject=decision)
    return delegation
