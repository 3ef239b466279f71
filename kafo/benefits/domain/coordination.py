"""An old-age pension coordinated across the organisations of several states (CIPRES
convention; pure: no Django).

`compute_coordinated(rules, career, claimant, on=..., state=..., foreign=..., convention=...)`
answers, for ONE organisation (the one `rules` belong to), what it pays when the person also has
insured months at other organisations:

1. the independent computation: its own months alone, under its own rules (`compute_old_age`);
2. totalisation: the other organisations' months count to open the right, a month insured in
   two places counting once — only those of a state where the convention is in force on `on`,
   as it is in the organisation's own state;
3. the theoretical computation: its own rules as if the totalised months were its own (rate
   and conditions on the totalised months; the reference salary from its own salaries; its own
   pension age);
4. the pro-rata share: theoretical amount × own months ÷ totalised months;
5. where its own months alone open the right to a pension, the higher of the independent
   amount and the share; where its own months are fewer than the convention's minimum (12) and
   give no right alone, nothing (its months still count for the others).

A points scheme (IPRES-SN) pays its independent amount: the points already follow what was paid
there (assumption).

Every rule is a parameter of the convention's version (`ConventionRules`), each cited in the
trace with its source and its assumption mark (the convention's text was not found:
benefits.md §12). The trace holds three parts (`Step.section`): "independent", "theoretical",
"share"; the last step gives the amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .career import CareerLine, Totalisation, period_index
from .pension import EARLY_PENSION, NONE, PENSION, Claimant, OldAgeResult, compute_old_age
from .rules import PensionRules, Provenance, RuleError
from .trace import ParamRef, Trace

INDEPENDENT = "independent"  # what the organisation pays is its independent amount
PRORATA = "prorata"  # its pro-rata share of the theoretical amount
BELOW_MINIMUM = "below_minimum"  # fewer own months than the convention's minimum: nothing
PENSIONS = (PENSION, EARLY_PENSION)


@dataclass(frozen=True)
class Ratification:
    state: str
    in_force: dt.date
    source: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True)
class ConventionRules:
    """One version of the convention's coordination parameters (reference/cipres.yaml)."""

    version: str
    valid_from: dt.date
    source: str
    overlap_counts_once: bool
    min_months_to_pay: int
    higher_of_independent_and_prorata: bool
    ratifications: Mapping[str, Ratification]
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    def cite(self, name: str, value: Any) -> ParamRef:
        p = self.provenance.get(name)
        return ParamRef(
            name=f"cipres.{name}",
            value=value,
            version=self.version,
            source=p.source if p else self.source,
            assumption=p.assumption if p else False,
            note=p.note if p else "",
        )

    def cite_state(self, state: str) -> ParamRef:
        r = self.ratifications.get(state)
        return ParamRef(
            name=f"cipres.in_force.{state}",
            value=f"{r.in_force:%d/%m/%Y}" if r else None,
            version=self.version,
            source=r.source if r else "not found",
            assumption=r.assumption if r else True,
            note=r.note if r else "no ratification known",
        )

    def in_force(self, state: str, on: dt.date) -> bool:
        """Whether the convention is in force for `state` on `on`."""
        r = self.ratifications.get(state)
        return r is not None and r.in_force <= on and self.valid_from <= on


def parse_convention(
    data: Mapping[str, Any], *, ratifications: Mapping[str, Any]
) -> ConventionRules:
    """Build a version from its reference entry; refuse a malformed one naming the field."""
    errors: dict[str, str] = {}
    params = data.get("parameters") or {}
    valid_from = data.get("valid_from")
    if not isinstance(valid_from, dt.date):
        errors["valid_from"] = "date attendue (AAAA-MM-JJ)"
    minimum = params.get("min_months_to_pay")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        errors["parameters.min_months_to_pay"] = "nombre entier de mois, positif ou nul"
    flags = {}
    for name in ("overlap_counts_once", "higher_of_independent_and_prorata"):
        if not isinstance(params.get(name), bool):
            errors[f"parameters.{name}"] = "oui ou non (true / false) attendu"
        flags[name] = params.get(name)
    if flags["overlap_counts_once"] is False:
        errors["parameters.overlap_counts_once"] = (
            "seule la règle « un mois assuré à deux endroits compte une fois » est prise en charge"
        )
    states = {}
    for state, r in (ratifications or {}).items():
        if not isinstance(r, Mapping) or not isinstance(r.get("in_force"), dt.date):
            errors[f"ratifications.{state}.in_force"] = "date attendue (AAAA-MM-JJ)"
            continue
        if not str(r.get("source") or "").strip():
            errors[f"ratifications.{state}.source"] = "la source est obligatoire"
        states[state] = Ratification(
            state, r["in_force"], str(r.get("source") or ""), bool(r.get("assumption")),
            str(r.get("note") or ""),
        )  # fmt: skip
    if errors:
        raise RuleError(errors)
    provenance = {
        name: Provenance(
            str(p.get("source", "")), bool(p.get("assumption")), str(p.get("note", ""))
        )
        for name, p in (data.get("provenance") or {}).items()
    }
    return ConventionRules(
        version=f"CIPRES {valid_from.isoformat()}",
        valid_from=valid_from,
        source=str(data.get("source") or ""),
        overlap_counts_once=True,
        min_months_to_pay=minimum,
        higher_of_independent_and_prorata=flags["higher_of_independent_and_prorata"],
        ratifications=states,
        provenance=provenance,
    )


@dataclass(frozen=True)
class ForeignPeriods:
    """The insured months another organisation communicated (months as YYYY-MM)."""

    organisation: str
    state: str
    months: tuple[str, ...]
    reference: str = ""


@dataclass
class CoordinatedResult:
    """What one organisation pays, with both computations and the share.

    `eligible`, `benefit`, `monthly_amount`, `lump_sum_amount`, `reference_salary`, `rate`,
    `insured_months` (the totalised months when the periods were totalised) describe what is
    due, as an `OldAgeResult` does; `basis` says which amount was taken.
    """

    eligible: bool
    benefit: str
    monthly_amount: Decimal | None
    lump_sum_amount: Decimal | None
    insured_months: int
    reference_salary: Decimal | None
    rate: Decimal | None
    basis: str
    own_months: int
    total_months: int
    independent: OldAgeResult
    theoretical: OldAgeResult | None
    prorata_amount: Decimal | None
    counted: tuple[str, ...]  # the organisations whose months were totalised
    not_counted: tuple[str, ...]  # convention not in force between the two states on the date
    convention_version: str
    reasons: list[str] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)

    @property
    def amount(self) -> Decimal:
        return self.monthly_amount or self.lump_sum_amount or Decimal(0)

    def summary(self) -> dict:
        """Plain values for the liquidation's inputs and the summary of decisions."""
        return {
            "convention_version": self.convention_version,
            "basis": self.basis,
            "own_months": self.own_months,
            "total_months": self.total_months,
            "share": f"{self.own_months}/{self.total_months}" if self.total_months else None,
            "independent_amount": _text(self.independent.amount),
            "independent_benefit": self.independent.benefit,
            "theoretical_amount": _text(self.theoretical.monthly_amount)
            if self.theoretical
            else None,
            "prorata_amount": _text(self.prorata_amount),
            "counted": list(self.counted),
            "not_counted": list(self.not_counted),
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def compute_coordinated(
    rules: PensionRules,
    career: Sequence[CareerLine],
    claimant: Claimant,
    *,
    on: dt.date,
    state: str,
    foreign: Sequence[ForeignPeriods],
    convention: ConventionRules,
) -> CoordinatedResult:
    """Return what the organisation of `rules` (in `state`) pays on `on` under the convention."""
    trace = Trace()
    independent = compute_old_age(rules, career, claimant, on=on)
    trace.extend(independent.trace, section="independent")
    named = Trace()
    _amount_step(named, "independent_amount", independent, "indépendant", "independent")
    trace.extend(named, section="independent")
    result = CoordinatedResult(
        eligible=independent.eligible,
        benefit=independent.benefit,
        monthly_amount=independent.monthly_amount,
        lump_sum_amount=independent.lump_sum_amount,
        insured_months=independent.insured_months,
        reference_salary=independent.reference_salary,
        rate=independent.rate,
        basis=INDEPENDENT,
        own_months=independent.insured_months,
        total_months=independent.insured_months,
        independent=independent,
        theoretical=None,
        prorata_amount=None,
        counted=(),
        not_counted=(),
        convention_version=convention.version,
        reasons=list(independent.reasons),
        trace=trace,
    )
    months, counted, not_counted = _in_force(trace, convention, state, foreign, on)
    result.counted, result.not_counted = tuple(counted), tuple(not_counted)
    for org in not_counted:
        result.reasons.append(
            f"Périodes de {org} non totalisées : la convention CIPRES n'est pas en vigueur entre "
            f"les deux États au {on:%d/%m/%Y}."
        )
    if not months:
        share = Trace()
        _final(
            share, "independent_amount", independent.amount, "Montant dû : le montant indépendant"
        )
        trace.extend(share, section="share")
        return result
    if rules.rate.method == "points":
        # A points pension already follows the contributions paid at the organisation: no
        # theoretical amount to share (assumption, as EU Reg. 883/2004 annex VIII waives it).
        share = Trace()
        share.add(
            "coordinated_amount",
            "Régime par points : la pension vient des seuls points acquis à l'organisme, sans "
            "prorata (hypothèse)",
            "Points scheme: the pension comes from the points bought at the organisation only, "
            "no pro-rata (assumption)",
            inputs={"independent_amount": independent.amount},
            formula="independent_amount",
        )
        trace.extend(share, section="share")
        return result
    totalise = Totalisation(
        months=months,
        params=(
            convention.cite("totalisation", True),
            convention.cite("overlap_counts_once", True),
        ),
    )
    theoretical = compute_old_age(rules, career, claimant, on=on, totalise=totalise)
    result.theoretical = theoretical
    trace.extend(theoretical.trace, section="theoretical")
    result.own_months = int(theoretical.trace.result_of("own_insured_months"))
    result.total_months = theoretical.insured_months
    result.insured_months = theoretical.insured_months
    share = Trace()
    if theoretical.benefit not in PENSIONS:
        # The totalised months open no pension (too few, or the age not reached): the
        # independent outcome stands (an allowance or a lump sum where its own rules give one).
        result.reasons = list(dict.fromkeys([*theoretical.reasons, *result.reasons]))
        _final(
            share, "independent_amount", independent.amount, "Montant dû : le montant indépendant"
        )
        trace.extend(share, section="share")
        return result
    _amount_step(share, "theoretical_amount", theoretical, "théorique", "theoretical")
    own_pension = independent.benefit in PENSIONS
    below = share.add(
        "below_minimum",
        "Moins de mois propres que le minimum de la convention (l'organisme ne paie pas ; ses "
        "mois comptent pour les autres)",
        "Fewer own months than the convention's minimum (the organisation does not pay; its "
        "months count for the others)",
        inputs={
            "own_insured_months": result.own_months,
            "min_months_to_pay": convention.min_months_to_pay,
        },
        formula="own_insured_months < min_months_to_pay",
        params=(convention.cite("min_months_to_pay", convention.min_months_to_pay),),
    )  # fmt: skip
    if below and not own_pension:
        result.eligible, result.benefit, result.basis = False, NONE, BELOW_MINIMUM
        result.monthly_amount = result.lump_sum_amount = None
        result.reasons = [
            f"Moins de {convention.min_months_to_pay} mois d'assurance à {rules.organisation} "
            f"({result.own_months}) : pas de prestation de cet organisme ; ses mois comptent "
            "pour les autres organismes (convention CIPRES)."
        ]
        _final(share, "amount_due", Decimal(0), "Montant dû : aucun")
        trace.extend(share, section="share")
        return result
    prorata = share.add(
        "prorata",
        "Part au prorata : montant théorique × mois propres ÷ mois totalisés",
        "Pro-rata share: theoretical amount × own months ÷ totalised months",
        inputs={
            "theoretical_amount": theoretical.monthly_amount,
            "own_insured_months": result.own_months,
            "insured_months": result.total_months,
        },
        formula="round0(theoretical_amount * own_insured_months / insured_months)",
        params=(convention.cite("theoretical_amount", True), convention.cite("prorata", True)),
    )
    result.prorata_amount = prorata
    result.eligible, result.reasons = True, []
    take_independent = False
    if own_pension and convention.higher_of_independent_and_prorata:
        higher = share.add(
            "coordinated_amount",
            "Montant dû : le plus élevé du montant indépendant (mois propres seuls) et de la part "
            "au prorata",
            "Amount due: the higher of the independent amount (own months alone) and the "
            "pro-rata share",
            inputs={"independent_amount": independent.monthly_amount, "prorata": prorata},
            formula="max(independent_amount, prorata)",
            params=(convention.cite("higher_of_independent_and_prorata", True),),
        )
        take_independent = independent.monthly_amount > prorata
        result.monthly_amount = higher
    else:
        result.monthly_amount = _final(share, "prorata", prorata, "Montant dû : la part au prorata")
    trace.extend(share, section="share")
    chosen = independent if take_independent else theoretical
    result.basis = INDEPENDENT if take_independent else PRORATA
    result.benefit = chosen.benefit
    result.lump_sum_amount = None
    result.reference_salary, result.rate = chosen.reference_salary, chosen.rate
    return result


def _in_force(
    trace: Trace,
    convention: ConventionRules,
    state: str,
    foreign: Sequence[ForeignPeriods],
    on: dt.date,
) -> tuple[dict[str, frozenset[int]], list[str], list[str]]:
    """Record, for each other organisation, whether the convention is in force between the two
    states on `on`; return the months to totalise by organisation, those counted, those not."""
    months: dict[str, set[int]] = {}
    counted, not_counted = [], []
    own = convention.in_force(state, on)
    steps = Trace()
    for fp in sorted(foreign, key=lambda f: f.organisation):
        if not fp.months:
            continue
        theirs = convention.in_force(fp.state, on)
        ok = steps.add(
            f"convention_in_force_{fp.state}",
            f"Convention CIPRES en vigueur au {on:%d/%m/%Y} pour l'État de l'organisme ({state}) "
            f"et celui de {fp.organisation} ({fp.state})",
            f"CIPRES convention in force on {on.isoformat()} for the organisation's state "
            f"({state}) and that of {fp.organisation} ({fp.state})",
            inputs={"own_state_in_force": own, "other_state_in_force": theirs},
            formula="own_state_in_force and other_state_in_force",
            params=(convention.cite_state(state), convention.cite_state(fp.state)),
        )
        if ok:
            months.setdefault(fp.organisation, set()).update(period_index(m) for m in fp.months)
            if fp.organisation not in counted:
                counted.append(fp.organisation)
        elif fp.organisation not in not_counted:
            not_counted.append(fp.organisation)
    trace.extend(steps, section="theoretical")
    return {k: frozenset(v) for k, v in months.items()}, counted, not_counted


def _amount_step(trace: Trace, code: str, result: OldAgeResult, fr: str, en: str) -> Decimal:
    """Name the amount a computation ended with, so the share steps can refer to it."""
    last = result.trace.steps[-1] if result.trace.steps else None
    amount = result.monthly_amount or result.lump_sum_amount
    if last is None or amount is None or last.result != amount:
        return trace.add(
            code,
            f"Montant {fr} : aucun",
            f"{en.capitalize()} amount: none",
            inputs={"amount_due": Decimal(0)},
            formula="amount_due",
        )
    return trace.add(
        code,
        f"Montant {fr} ({'versement unique' if result.lump_sum_amount else 'par mois'})",
        f"{en.capitalize()} amount ({'lump sum' if result.lump_sum_amount else 'a month'})",
        inputs={last.code: last.result},
        formula=last.code,
    )


def _final(trace: Trace, name: str, value: Decimal, fr: str) -> Decimal:
    return trace.add(
        "coordinated_amount",
        fr,
        "Amount due",
        inputs={name: value},
        formula=name,
    )
