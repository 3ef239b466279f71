"""The parameters of one version of an organisation's old-age and survivors' benefit rules.

Plain frozen dataclasses (no Django), built from the JSON stored on a `BenefitRuleVersion` by
`parse_rules()`, which refuses a malformed parameter with the path of the field and a French
reason. Percentages are Decimal percent (26 means 26 %); amounts are whole CFA francs a month.

`provenance` maps a parameter name (e.g. "rate.base_percent") to its source and, where the
reference marks it, an assumption note: every step of a computation cites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

REFERENCE_METHODS = ("last_months", "best_years", "best_of_last_years", "none")
RATE_METHODS = ("increments", "per_year", "points")
SHORT_CAREER_KINDS = ("old_age_allowance", "lump_sum", "none")
SHORT_CAREER_AMOUNTS = ("smig_percent", "reference_months_per_year", "points_buyback")


class RuleError(ValueError):
    """A malformed rule parameter: `errors` maps the parameter path to a French reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Provenance:
    source: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True)
class AgeRule:
    normal_age: int
    by_category: Mapping[str, int] = field(default_factory=dict)
    # Mali: a woman's age is lowered by one year per child born, at most `women_max_years`.
    women_years_per_child: int = 0
    women_max_years: int = 0
    early_age: int | None = None
    early_reduction_percent_per_year: Decimal = Decimal(0)
    # Benin: the reduction stops when the pensioner reaches the normal age.
    early_reduction_ends_at_normal_age: bool = False
    # Mali: the voluntarily insured retire at 60, not at the salaried 58 (`Claimant.voluntary`).
    voluntary_age: int | None = None


@dataclass(frozen=True)
class InsuredMonthRule:
    """A calendar month counts as a month of insurance if ANY condition given is met.

    `min_days`: days worked in the month; `min_salary`: gross salary of the month. A line
    without days counts when its salary is positive (the CSV may omit days).
    """

    min_days: int | None = None
    min_hours: int | None = None  # recorded for the officer; careers carry days, not hours
    min_salary: Decimal | None = None


@dataclass(frozen=True)
class ReferenceRule:
    """How the reference salary (a monthly average) is taken from the career.

    - last_months: the salaries of the last `months` calendar months of the career (ending with
      its last month at this organisation), divided by `months`;
    - best_years: the `years` best calendar years, their total divided by 12 × `years`;
    - best_of_last_years: the higher of the averages of the last `options` years (e.g. 3 or 5);
    - none: the pension is not salary-based (points).
    Each month's salary is first capped at `salary_ceiling` when one is given.
    """

    method: str
    months: int = 0
    years: int = 0
    options: tuple[int, ...] = ()
    salary_ceiling: Decimal | None = None


@dataclass(frozen=True)
class Bracket:
    percent_per_year: Decimal
    up_to_years: int | None = None  # by count: the first N years (None: every further year)
    before_year: int | None = None  # by calendar: insured years before this calendar year


@dataclass(frozen=True)
class RateRule:
    """The replacement rate, in percent of the reference salary.

    - increments: `base_percent` once `base_months` are insured, + `increment_percent` per
      complete `increment_months` beyond `increment_from_months`;
    - per_year: `brackets` of a percent per complete insured year (by count or by calendar);
    - points: no rate (see PointsRule).
    Capped at `max_percent`.
    """

    method: str
    base_percent: Decimal = Decimal(0)
    increment_percent: Decimal = Decimal(0)
    increment_months: int = 12
    increment_from_months: int = 0
    brackets: tuple[Bracket, ...] = ()
    max_percent: Decimal | None = None


@dataclass(frozen=True)
class PointsRule:
    """IPRES-SN: each year, points = contributions ÷ price of a point; pension = points × value.

    `contribution_percent` × the salary capped at `salary_ceiling` gives the contributions;
    `price_by_year` and `value_by_year` are versioned per year (the latest year ≤ the one asked
    applies); the point value is annual, the monthly pension is points × value ÷ 12.
    """

    contribution_percent: Decimal
    salary_ceiling: Decimal | None
    price_by_year: Mapping[int, Decimal]
    value_by_year: Mapping[int, Decimal]
    min_points: Decimal = Decimal(0)

    def price(self, year: int) -> tuple[int, Decimal]:
        return _latest(self.price_by_year, year, "points.price_by_year")

    def value(self, year: int) -> tuple[int, Decimal]:
        return _latest(self.value_by_year, year, "points.value_by_year")


def _latest(table: Mapping[int, Decimal], year: int, name: str) -> tuple[int, Decimal]:
    years = [y for y in table if y <= year]
    if not years:
        raise RuleError({name: f"aucune valeur pour l'année {year} ni avant"})
    y = max(years)
    return y, table[y]


@dataclass(frozen=True)
class AmountRule:
    minimum_monthly: Decimal | None = None
    minimum_smig_percent: Decimal | None = None
    smig: Decimal | None = None
    maximum_monthly: Decimal | None = None


@dataclass(frozen=True)
class ShortCareerRule:
    """What is paid at the age when the minimum period is not met.

    kind: old_age_allowance (monthly) or lump_sum (once), from `min_months` insured, at `age`.
    amount: smig_percent (`percent` of `smig` a month), reference_months_per_year (the
    reference salary × `months_per_year` per complete insured year), points_buyback (the
    points × the point value × `years_of_pension`, once).
    """

    kind: str = "none"
    min_months: int = 0
    age: int | None = None
    amount: str = ""
    percent: Decimal = Decimal(0)
    smig: Decimal | None = None
    months_per_year: Decimal = Decimal(1)
    years_of_pension: Decimal = Decimal(1)


@dataclass(frozen=True)
class ChildSupplementRule:
    percent_per_child: Decimal = Decimal(0)
    max_children: int = 0
    age_limit: int | None = None


@dataclass(frozen=True)
class SurvivorsRule:
    """Shares of the pension the deceased had or would have had.

    The spouses' part is split equally between the spouses who qualify (married at least
    `min_marriage_years` before the death); each orphan under `orphan_age_limit` (or the
    extended limit of their situation: apprentice, student, disabled) gets
    `orphan_percent_each`, or, when `orphans_share_rest`, the orphans share equally what the
    spouses' part leaves of `total_max_percent`. At most `max_orphans` orphans.
    """

    spouse_percent: Decimal = Decimal(50)
    min_marriage_years: int = 0
    orphan_percent_each: Decimal = Decimal(0)
    orphans_share_rest: bool = False
    orphan_age_limit: int = 21
    orphan_age_limit_by_situation: Mapping[str, int] = field(default_factory=dict)
    max_orphans: int | None = None
    total_max_percent: Decimal = Decimal(100)


@dataclass(frozen=True)
class RecentPeriodRule:
    """At least `months` insured months within the `within_years` years before the claim
    (CNPS-CM: 60 months in the last 10 years)."""

    months: int
    within_years: int


@dataclass(frozen=True)
class PensionRules:
    organisation: str
    version: str
    valid_from: dt.date
    min_months: int
    age: AgeRule
    insured_month: InsuredMonthRule
    reference: ReferenceRule
    rate: RateRule
    amount: AmountRule
    short_career: ShortCareerRule
    survivors: SurvivorsRule
    child_supplement: ChildSupplementRule
    points: PointsRule | None = None
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    default_source: str = ""
    # Conditions besides the minimum period (0 / None: none): years from the first insured
    # month to the claim (CNPS-CM: 20 years of coverage), insured months in a recent window.
    min_coverage_years: int = 0
    recent_period: RecentPeriodRule | None = None

    def cite(self, name: str, value: Any):
        """A ParamRef for parameter `name` (its own source, else the section's, else the rule's)."""
        from .trace import ParamRef

        p = self.provenance.get(name) or self.provenance.get(name.split(".")[0])
        return ParamRef(
            name=name,
            value=value,
            version=self.version,
            source=p.source if p else self.default_source,
            assumption=p.assumption if p else False,
            note=p.note if p else "",
        )


# --- parsing -----------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: Mapping[str, Any], errors: dict[str, str], prefix: str = ""):
        self.data = data if isinstance(data, Mapping) else {}
        self.errors = errors
        self.prefix = prefix
        if not isinstance(data, Mapping) and data is not None:
            errors[prefix.rstrip(".") or "parameters"] = "objet attendu"

    def _path(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def sub(self, key: str) -> _Reader:
        return _Reader(self.data.get(key) or {}, self.errors, f"{self.prefix}{key}.")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def int(self, key: str, default: int | None = None, *, required: bool = False) -> Any:
        v = self.data.get(key)
        if v is None:
            if required:
                self.errors[self._path(key)] = "valeur obligatoire"
            return default
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self.errors[self._path(key)] = "nombre entier positif attendu"
            return default
        return v

    def dec(self, key: str, default: Decimal | None = None, *, required: bool = False) -> Any:
        v = self.data.get(key)
        if v is None:
            if required:
                self.errors[self._path(key)] = "valeur obligatoire"
            return default
        try:
            if isinstance(v, float | bool):
                raise InvalidOperation
            d = Decimal(str(v))
        except (InvalidOperation, ValueError):
            self.errors[self._path(key)] = "nombre décimal attendu (écrit entre guillemets)"
            return default
        if d < 0 or not d.is_finite():
            self.errors[self._path(key)] = "nombre positif attendu"
            return default
        return d

    def bool(self, key: str, default: bool = False) -> bool:
        v = self.data.get(key, default)
        if not isinstance(v, bool):
            self.errors[self._path(key)] = "vrai ou faux attendu"
            return default
        return v

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        v = self.data.get(key, default)
        if v not in choices:
            self.errors[self._path(key)] = f"valeur parmi : {', '.join(choices)}"
            return ""  # refused: no further requirement follows from it
        return v

    def int_map(self, key: str) -> dict[str, int]:
        v = self.data.get(key) or {}
        if not isinstance(v, Mapping) or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in v.values()
        ):
            self.errors[self._path(key)] = "table nom → nombre entier attendue"
            return {}
        return {str(k): int(x) for k, x in v.items()}

    def year_table(self, key: str) -> dict[int, Decimal]:
        v = self.data.get(key) or {}
        out: dict[int, Decimal] = {}
        if not isinstance(v, Mapping) or not v:
            self.errors[self._path(key)] = "table année → valeur attendue"
            return out
        for y, x in v.items():
            try:
                year = int(y)
                d = Decimal(str(x))
            except (InvalidOperation, ValueError):
                self.errors[self._path(f"{key}.{y}")] = "année et nombre décimal attendus"
                continue
            if d <= 0:
                self.errors[self._path(f"{key}.{y}")] = "valeur strictement positive attendue"
                continue
            out[year] = d
        return out


def parse_rules(
    data: Mapping[str, Any],
    *,
    organisation: str,
    valid_from: dt.date,
    version: str | None = None,
    source: str = "",
    provenance: Mapping[str, Mapping[str, Any]] | None = None,
) -> PensionRules:
    """Validate the JSON parameters of a rule version into `PensionRules`; raise RuleError."""
    errors: dict[str, str] = {}
    r = _Reader(data, errors)
    a = r.sub("age")
    age = AgeRule(
        normal_age=a.int("normal_age", 60, required=True),
        by_category=a.int_map("by_category"),
        women_years_per_child=a.int("women_years_per_child", 0),
        women_max_years=a.int("women_max_years", 0),
        early_age=a.int("early_age"),
        early_reduction_percent_per_year=a.dec("early_reduction_percent_per_year", Decimal(0)),
        early_reduction_ends_at_normal_age=a.bool("early_reduction_ends_at_normal_age"),
        voluntary_age=a.int("voluntary_age"),
    )
    m = r.sub("insured_month")
    insured = InsuredMonthRule(
        min_days=m.int("min_days"), min_hours=m.int("min_hours"), min_salary=m.dec("min_salary")
    )
    ref = r.sub("reference")
    method = ref.choice("method", REFERENCE_METHODS)
    options = ref.data.get("options") or ()
    if not isinstance(options, list | tuple) or not all(
        isinstance(o, int) and o > 0 for o in options
    ):
        errors["reference.options"] = "liste de nombres d'années attendue"
        options = ()
    reference = ReferenceRule(
        method=method,
        months=ref.int("months", 0, required=method == "last_months"),
        years=ref.int("years", 0, required=method == "best_years"),
        options=tuple(options),
        salary_ceiling=ref.dec("salary_ceiling"),
    )
    if method == "best_of_last_years" and not options:
        errors["reference.options"] = "au moins une durée (en années) attendue"
    rt = r.sub("rate")
    rate_method = rt.choice("method", RATE_METHODS)
    brackets = []
    for i, b in enumerate(rt.data.get("brackets") or []):
        br = _Reader(b, errors, f"rate.brackets.{i}.")
        brackets.append(
            Bracket(
                percent_per_year=br.dec("percent_per_year", Decimal(0), required=True),
                up_to_years=br.int("up_to_years"),
                before_year=br.int("before_year"),
            )
        )
    if rate_method == "per_year" and not brackets:
        errors["rate.brackets"] = "au moins une tranche attendue"
    rate = RateRule(
        method=rate_method,
        base_percent=rt.dec("base_percent", Decimal(0), required=rate_method == "increments"),
        increment_percent=rt.dec("increment_percent", Decimal(0)),
        increment_months=rt.int("increment_months", 12) or 12,
        increment_from_months=rt.int("increment_from_months", 0),
        brackets=tuple(brackets),
        max_percent=rt.dec("max_percent"),
    )
    points = None
    if rate_method == "points":
        p = r.sub("points")
        points = PointsRule(
            contribution_percent=p.dec("contribution_percent", Decimal(0), required=True),
            salary_ceiling=p.dec("salary_ceiling"),
            price_by_year=p.year_table("price_by_year"),
            value_by_year=p.year_table("value_by_year"),
            min_points=p.dec("min_points", Decimal(0)),
        )
    am = r.sub("amount")
    amount = AmountRule(
        minimum_monthly=am.dec("minimum_monthly"),
        minimum_smig_percent=am.dec("minimum_smig_percent"),
        smig=am.dec("smig", required=am.has("minimum_smig_percent")),
        maximum_monthly=am.dec("maximum_monthly"),
    )
    sc = r.sub("short_career")
    sc_kind = sc.choice("kind", SHORT_CAREER_KINDS, "none")
    short = ShortCareerRule(
        kind=sc_kind,
        min_months=sc.int("min_months", 0),
        age=sc.int("age"),
        amount=sc.choice("amount", SHORT_CAREER_AMOUNTS) if sc_kind != "none" else "",
        percent=sc.dec("percent", Decimal(0)),
        smig=sc.dec("smig", required=sc.data.get("amount") == "smig_percent"),
        months_per_year=sc.dec("months_per_year", Decimal(1)),
        years_of_pension=sc.dec("years_of_pension", Decimal(1)),
    )
    if short.amount == "points_buyback" and rate_method != "points":
        errors["short_career.amount"] = "le rachat de points suppose un régime par points"
    sv = r.sub("survivors")
    survivors = SurvivorsRule(
        spouse_percent=sv.dec("spouse_percent", Decimal(50)),
        min_marriage_years=sv.int("min_marriage_years", 0),
        orphan_percent_each=sv.dec("orphan_percent_each", Decimal(0)),
        orphans_share_rest=sv.bool("orphans_share_rest"),
        orphan_age_limit=sv.int("orphan_age_limit", 21),
        orphan_age_limit_by_situation=sv.int_map("orphan_age_limit_by_situation"),
        max_orphans=sv.int("max_orphans"),
        total_max_percent=sv.dec("total_max_percent", Decimal(100)),
    )
    cs = r.sub("child_supplement")
    child = ChildSupplementRule(
        percent_per_child=cs.dec("percent_per_child", Decimal(0)),
        max_children=cs.int("max_children", 0),
        age_limit=cs.int("age_limit"),
    )
    min_months = r.int("min_months", 0, required=True)
    min_coverage_years = r.int("min_coverage_years", 0)
    recent = None
    if "recent_period" in r.data:
        rp = r.sub("recent_period")
        recent = RecentPeriodRule(
            months=rp.int("months", 0, required=True),
            within_years=rp.int("within_years", 0, required=True),
        )
    known = {
        "min_coverage_years",
        "recent_period",
        "age",
        "insured_month",
        "reference",
        "rate",
        "points",
        "amount",
        "short_career",
        "survivors",
        "child_supplement",
        "min_months",
    }
    for key in set(r.data) - known:
        errors[key] = "paramètre inconnu"
    prov = {}
    for name, p in (provenance or {}).items():
        if not isinstance(p, Mapping) or not str(p.get("source", "")).strip():
            errors[f"provenance.{name}"] = "source obligatoire"
            continue
        if p.get("assumption") and not str(p.get("note", "")).strip():
            errors[f"provenance.{name}"] = "une hypothèse doit être expliquée dans la note"
        prov[name] = Provenance(str(p["source"]), bool(p.get("assumption")), str(p.get("note", "")))
    if errors:
        raise RuleError(errors)
    return PensionRules(
        organisation=organisation,
        version=version or f"{organisation} {valid_from.isoformat()}",
        valid_from=valid_from,
        min_months=min_months,
        age=age,
        insured_month=insured,
        reference=reference,
        rate=rate,
        amount=amount,
        short_career=short,
        survivors=survivors,
        child_supplement=child,
        points=points,
        provenance=prov,
        default_source=source,
        min_coverage_years=min_coverage_years,
        recent_period=recent,
    )
