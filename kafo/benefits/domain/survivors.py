"""Survivors' pension: the deceased's pension shared between spouses and orphans (pure).

The spouses' part (e.g. 50 %) is split equally between the spouses who qualify (several
widows are common in the zone); each share is rounded down so that the shares never add up to
more than the part (the source gives no rounding: assumed). Orphans qualify under the age limit
(extended for apprentices, students, disabled children), on the date of the computation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .pension import age_step
from .rules import PensionRules
from .trace import Trace


@dataclass(frozen=True)
class Spouse:
    ref: str  # the dependant's id or name, echoed in the answer
    marriage_date: dt.date | None


@dataclass(frozen=True)
class Orphan:
    ref: str
    birth_date: dt.date
    situation: str | None = None  # "apprentice", "student", "disabled" or None


@dataclass(frozen=True)
class Share:
    ref: str
    kind: str  # "spouse" or "orphan"
    qualifies: bool
    monthly_amount: Decimal
    reason: str = ""


@dataclass
class SurvivorsResult:
    pension: Decimal
    shares: list[Share]
    trace: Trace

    @property
    def total(self) -> Decimal:
        return sum((s.monthly_amount for s in self.shares), Decimal(0))


def survivors_shares(
    rules: PensionRules,
    *,
    pension: Decimal,
    death_date: dt.date,
    spouses: Sequence[Spouse],
    orphans: Sequence[Orphan],
    on: dt.date,
    trace: Trace | None = None,
) -> SurvivorsResult:
    """Share `pension` (the monthly pension the deceased had or would have had) on `on`."""
    sv = rules.survivors
    trace = trace or Trace()
    trace.add(
        "deceased_pension",
        "Pension du défunt (servie ou à laquelle il aurait eu droit)",
        "Pension of the deceased (paid or due)",
        inputs={"pension": pension},
        formula="pension",
    )
    spouse_ok = []
    for s in spouses:
        if s.marriage_date is None:
            spouse_ok.append(False)
            continue
        years = age_step(
            trace,
            f"marriage_years_{s.ref}",
            s.marriage_date,
            death_date,
            f"Années de mariage de {s.ref} au décès",
            f"Years of marriage of {s.ref} at the death",
        )
        spouse_ok.append(
            trace.add(
                f"spouse_qualifies_{s.ref}",
                f"{s.ref} : mariage d'au moins {sv.min_marriage_years} ans avant le décès",
                f"{s.ref}: married at least {sv.min_marriage_years} years before the death",
                inputs={"years": years, "min_marriage_years": sv.min_marriage_years},
                formula="years >= min_marriage_years",
                params=(rules.cite("survivors.min_marriage_years", sv.min_marriage_years),),
            )
        )
    n_spouses = sum(spouse_ok)
    spouse_part = Decimal(0)
    spouse_share = Decimal(0)
    if n_spouses:
        spouse_part = trace.add(
            "spouse_part",
            f"Part des conjoints : {sv.spouse_percent} % de la pension",
            f"Spouses' part: {sv.spouse_percent} % of the pension",
            inputs={"pension": pension, "spouse_percent": sv.spouse_percent},
            formula="round0(pension * spouse_percent / 100)",
            params=(rules.cite("survivors.spouse_percent", sv.spouse_percent),),
        )
        spouse_share = trace.add(
            "spouse_share",
            f"Part de chaque conjoint : partage égal entre {n_spouses} (arrondi inférieur)",
            f"Each spouse's share: split equally between {n_spouses} (rounded down)",
            inputs={"spouse_part": spouse_part, "spouses": n_spouses},
            formula="rounddown0(spouse_part / spouses)",
        )
    orphan_ok = []
    for o in orphans:
        limit = sv.orphan_age_limit_by_situation.get(o.situation or "", sv.orphan_age_limit)
        age = age_step(
            trace,
            f"orphan_age_{o.ref}",
            o.birth_date,
            on,
            f"Âge de {o.ref} au {on:%d/%m/%Y}",
            f"Age of {o.ref} on {on.isoformat()}",
        )
        orphan_ok.append(
            trace.add(
                f"orphan_qualifies_{o.ref}",
                f"{o.ref} : moins de {limit} ans" + (f" ({o.situation})" if o.situation else ""),
                f"{o.ref}: under {limit}" + (f" ({o.situation})" if o.situation else ""),
                inputs={"age": age, "age_limit": limit},
                formula="age < age_limit",
                params=(
                    rules.cite(
                        f"survivors.orphan_age_limit_by_situation.{o.situation}"
                        if o.situation in sv.orphan_age_limit_by_situation
                        else "survivors.orphan_age_limit",
                        limit,
                    ),
                ),
            )
        )
    eligible_orphans = [i for i, ok in enumerate(orphan_ok) if ok]
    if sv.max_orphans is not None:
        eligible_orphans = eligible_orphans[: sv.max_orphans]
    n_orphans = len(eligible_orphans)
    orphan_share = Decimal(0)
    if n_orphans:
        room = {
            "pension": pension,
            "total_max_percent": sv.total_max_percent,
            "spouse_part": spouse_part,
            "orphans": n_orphans,
        }
        if sv.orphans_share_rest:
            orphan_share = trace.add(
                "orphan_share",
                f"Part de chaque orphelin : le reste de {sv.total_max_percent} % de la pension, "
                f"partagé entre {n_orphans}",
                f"Each orphan's share: the rest of {sv.total_max_percent} % shared by {n_orphans}",
                inputs=room,
                formula="rounddown0((round0(pension * total_max_percent / 100) - spouse_part) "
                "/ orphans)",
                params=(rules.cite("survivors.orphans_share_rest", True),),
            )
        else:
            orphan_share = trace.add(
                "orphan_share",
                f"Part de chaque orphelin : {sv.orphan_percent_each} % de la pension, dans la "
                f"limite de {sv.total_max_percent} % au total",
                f"Each orphan's share: {sv.orphan_percent_each} % of the pension, within "
                f"{sv.total_max_percent} % in all",
                inputs={**room, "orphan_percent": sv.orphan_percent_each},
                formula="min(round0(pension * orphan_percent / 100), rounddown0((round0(pension "
                "* total_max_percent / 100) - spouse_part) / orphans))",
                params=(
                    rules.cite("survivors.orphan_percent_each", sv.orphan_percent_each),
                    rules.cite("survivors.total_max_percent", sv.total_max_percent),
                ),
            )
    shares = [
        Share(
            s.ref,
            "spouse",
            ok,
            spouse_share if ok else Decimal(0),
            "" if ok else "mariage trop récent ou non daté",
        )
        for s, ok in zip(spouses, spouse_ok, strict=True)
    ]
    for i, o in enumerate(orphans):
        paid = i in eligible_orphans
        reason = ""
        if not orphan_ok[i]:
            reason = "limite d'âge dépassée"
        elif not paid:
            reason = f"au-delà de {sv.max_orphans} orphelins"
        shares.append(Share(o.ref, "orphan", paid, orphan_share if paid else Decimal(0), reason))
    trace.add(
        "total",
        "Total des pensions de survivants",
        "Total survivors' pensions",
        inputs={
            "spouse_share": spouse_share,
            "spouses": n_spouses,
            "orphan_share": orphan_share,
            "orphans": n_orphans,
        },
        formula="spouse_share * spouses + orphan_share * orphans",
    )
    return SurvivorsResult(pension=pension, shares=shares, trace=trace)
