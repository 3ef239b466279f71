"""Payroll runs: the rules (runs.yaml), the officer check, open runs, the helpers shared by the
modules of runs (moved from runs.py, which re-exports every name).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .domain import run as domain
from .models import (
    BenefitInPayment,
    Overpayment,
    PayrollLine,
    PayrollRun,
    RunStatus,
)

RULES_FILE = Path(__file__).parent / "reference" / "runs.yaml"


@lru_cache(maxsize=1)
def _rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def rules_for(organisation: Organisation) -> dict:
    """The run rules of the organisation (its own entry over the default)."""
    data = _rules()
    return {**data["default"], **(data.get("organisations") or {}).get(organisation.code, {})}


def recovery_cap(organisation: Organisation) -> Fraction:
    return Fraction(str(rules_for(organisation)["recovery_cap"]))


def bank_csv_config(organisation: Organisation) -> tuple[str, bool]:
    """(layout code, instead of the pain.001) of the organisation's bank CSV ("" : none).

    runs.yaml, per organisation: `bank_csv: {layout: rib_detaille_pv, only: false}`; the layout
    must be one of reference/bank_layouts.yaml."""
    conf = rules_for(organisation).get("bank_csv") or {}
    layout = str(conf.get("layout") or "")
    if layout:
        from .domain.bank_csv import load_layouts

        if layout not in load_layouts():
            raise ValidationError(
                {"bank_csv": _("Gabarit CSV bancaire « %(code)s » inconnu.") % {"code": layout}}
            )
    return layout, bool(conf.get("only", False))


def horizon(organisation: Organisation) -> int:
    """The first month Kafo pays (earlier months were paid by the previous system)."""
    return domain.month_index(dt.date.fromisoformat(str(rules_for(organisation)["first_period"])))


def _now():
    return timezone.now()


def _check_officer(user, organisation) -> None:
    if user.organisation_id != organisation.pk or not user.has_role(
        RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR
    ):
        raise ValidationError(
            {"user": _("Seul un agent de paiement de l'organisme peut préparer une campagne.")}
        )


# --- open runs -------------------------------------------------------------------------------

OPEN_STATUSES = (RunStatus.PREPARING, RunStatus.PREPARED, RunStatus.APPROVED)


def benefit_in_open_run(benefit: BenefitInPayment) -> bool:
    """Whether a run not yet frozen holds this benefit: a line of a prepared or approved run, or
    a run of its organisation still being computed (its job reads the channel). The benefit's
    channel may not change then: the files are written from the lines' details at freeze."""
    return (
        PayrollLine.unscoped.filter(
            benefit_id=benefit.pk, run__status__in=[RunStatus.PREPARED, RunStatus.APPROVED]
        ).exists()
        or PayrollRun.unscoped.filter(
            organisation_id=benefit.organisation_id, status=RunStatus.PREPARING
        ).exists()
    )


def _lock(run: PayrollRun) -> PayrollRun:
    return PayrollRun.unscoped.select_for_update().get(pk=run.pk)


def _reverse_recoveries(recoveries, *, applied: bool = True) -> None:
    """Undo recoveries: `applied` (their run was frozen) gives the amounts back to the
    overpayments' outstanding balance."""
    for rec in list(recoveries):
        if applied:
            Overpayment.unscoped.filter(pk=rec.overpayment_id).update(
                recovered=F("recovered") - rec.amount
            )
        rec.reversed = True
        rec.save(update_fields=["reversed"])
        audit.record_change(
            action="update",
            instance=rec,
            changes={"reversed": [False, True]},
        )
