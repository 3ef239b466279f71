"""Conditions some organisations add to the minimum insurance period (pure: no Django).

Moved out of pension.py (kept under 500 lines); called by `pension.compute_old_age`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .career import Month, month_of, period_of
from .rules import PensionRules
from .trace import Trace


def _month_text(index: int) -> str:
    period = period_of(index)
    return f"{period[5:]}/{period[:4]}"


def further_conditions(
    trace: Trace,
    rules: PensionRules,
    months: Sequence[Month],
    on: dt.date,
    reasons: list[str],
    totalised: set[int],
) -> bool:
    """The conditions some organisations add to the minimum period (CNPS-CM: 20 years of
    coverage, counted from the first insured month, and 60 insured months in the last 10
    years), on this organisation's insured months or, when given, the `totalised` ones (CIPRES
    convention). Record each as a step; add to `reasons` one for each not met."""
    met = True
    insured = sorted(totalised or {m.index for m in months if m.insured})
    claim_month = month_of(on)
    if rules.min_coverage_years:
        first = min(insured) if insured else claim_month
        ok = trace.add(
            "coverage_years",
            f"Durée de couverture depuis le premier mois d'assurance ({_month_text(first)})",
            f"Coverage since the first insured month ({period_of(first)})",
            inputs={
                "coverage_months": claim_month - first,
                "min_coverage_years": rules.min_coverage_years,
            },
            formula="coverage_months >= min_coverage_years * 12",
            params=(rules.cite("min_coverage_years", rules.min_coverage_years),),
        )
        if not ok:
            met = False
            reasons.append(
                f"Durée de couverture insuffisante : {(claim_month - first) // 12} ans pour "
                f"{rules.min_coverage_years} requis."
            )
    rp = rules.recent_period
    if rp is not None:
        since = claim_month - 12 * rp.within_years
        recent = sum(1 for i in insured if since <= i < claim_month)
        ok = trace.add(
            "recent_period",
            f"Mois d'assurance dans les {rp.within_years} dernières années "
            f"(depuis {_month_text(since)})",
            f"Insured months in the last {rp.within_years} years (since {period_of(since)})",
            inputs={"recent_months": recent, "min_recent_months": rp.months},
            formula="recent_months >= min_recent_months",
            params=(rules.cite("recent_period", f"{rp.months} / {rp.within_years}"),),
        )
        if not ok:
            met = False
            reasons.append(
                f"Trop peu de mois d'assurance récents : {recent} dans les {rp.within_years} "
                f"dernières années pour {rp.months} requis."
            )
    return met
