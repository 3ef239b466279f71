"""A computation's trace made readable, in French or in English, for the pages and the PDFs.

`readable_trace(steps, lang=...)` takes the trace as stored (`Trace.as_list()`: plain values,
Decimals as strings) and returns plain rows: each step's label, its inputs with their meaning
and unit ("150 000 FCFA", "38 %", "192 mois"), the formula with its numbers put in, the
result, and the rule parameters it used with their version, source and "hypothèse" mark.
Monthly salaries (inputs named `s_YYYY_MM`) are listed apart, as a table of periods, since a
reference salary may add up 96 of them. Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY, PERCENT, MONTHS, YEARS, POINTS, COUNT, FLAG = (
    "money",
    "percent",
    "months",
    "years",
    "points",
    "count",
    "flag",
)

# name → (French, English, unit). Names an earlier step gave (`reference_total`…) are here too.
NAMES: dict[str, tuple[str, str, str]] = {
    "age": ("âge", "age", YEARS),
    "age_category": ("âge normal de la catégorie", "normal age of the category", YEARS),
    "age_limit": ("âge limite", "age limit", YEARS),
    "age_needed": ("âge requis", "age required", YEARS),
    "normal_age": ("âge normal", "normal age", YEARS),
    "early_age": ("âge de la retraite anticipée", "early retirement age", YEARS),
    "children_born": ("enfants nés", "children born", COUNT),
    "children": ("enfants à charge", "dependent children", COUNT),
    "max_children": ("nombre maximal d'enfants", "maximum number of children", COUNT),
    "years_per_child": ("années par enfant", "years per child", YEARS),
    "max_years": ("réduction maximale", "maximum reduction", YEARS),
    "min_days": ("jours minimum dans le mois", "minimum days in the month", COUNT),
    "min_hours": ("heures minimum dans le mois", "minimum hours in the month", COUNT),
    "min_salary": ("salaire minimum du mois", "minimum salary of the month", MONEY),
    "months_declared": ("mois déclarés", "months declared", MONTHS),
    "months_not_counted": ("mois non retenus", "months not counted", MONTHS),
    "insured_months": ("mois d'assurance", "months of insurance", MONTHS),
    "min_months": ("durée minimale", "minimum period", MONTHS),
    "months": ("nombre de mois", "number of months", MONTHS),
    "months_per_year": ("mois par an", "months a year", MONTHS),
    "increment_from_months": ("majoration au-delà de", "increment beyond", MONTHS),
    "increment_months": ("période de majoration", "increment period", MONTHS),
    "base_percent": ("taux de base", "base rate", PERCENT),
    "increment_percent": ("majoration par période", "increment per period", PERCENT),
    "max_percent": ("taux maximal", "maximum rate", PERCENT),
    "total_max_percent": ("total maximal", "maximum total", PERCENT),
    "percent": ("pourcentage", "percentage", PERCENT),
    "percent_per_child": ("pourcentage par enfant", "percentage per child", PERCENT),
    "reduction_percent": ("réduction par année", "reduction per year", PERCENT),
    "spouse_percent": ("part du conjoint", "spouse's part", PERCENT),
    "orphan_percent": ("part par orphelin", "share per orphan", PERCENT),
    "rate": ("taux", "rate", PERCENT),
    "reference_total": ("total des salaires retenus", "total of the salaries taken", MONEY),
    "reference_salary": ("salaire de référence", "reference salary", MONEY),
    "career_total": ("total des salaires de la carrière", "total salary of the career", MONEY),
    "ceiling": ("plafond de salaire", "salary ceiling", MONEY),
    "amount": ("montant", "amount", MONEY),
    "pension": ("pension", "pension", MONEY),
    "monthly_amount": ("montant mensuel", "monthly amount", MONEY),
    "lump_sum_amount": ("versement unique", "lump sum", MONEY),
    "minimum_monthly": ("pension minimale", "minimum pension", MONEY),
    "maximum_monthly": ("pension maximale", "maximum pension", MONEY),
    "smig": ("SMIG", "minimum wage", MONEY),
    "spouse_part": ("part des conjoints", "spouses' part", MONEY),
    "spouse_share": ("part de chaque conjoint", "share of each spouse", MONEY),
    "orphan_share": ("part de chaque orphelin", "share of each orphan", MONEY),
    "spouses": ("conjoints", "spouses", COUNT),
    "orphans": ("orphelins", "orphans", COUNT),
    "points": ("points", "points", POINTS),
    "min_points": ("points minimum", "minimum points", POINTS),
    "point_value": ("valeur annuelle du point", "annual value of a point", MONEY),
    "years": ("années", "years", YEARS),
    "years_of_pension": ("années de pension", "years of pension", YEARS),
    "min_marriage_years": ("durée minimale du mariage", "minimum length of marriage", YEARS),
    "minimum_period": ("durée minimale atteinte", "minimum period met", FLAG),
    "normal_age_reached": ("âge normal atteint", "normal age reached", FLAG),
    "early_age_reached": ("âge anticipé atteint", "early age reached", FLAG),
    # Coordination (convention CIPRES): kafo/benefits/domain/coordination.py.
    "own_insured_months": ("mois d'assurance propres", "own months of insurance", MONTHS),
    "months_communicated": ("mois communiqués", "months communicated", MONTHS),
    "months_already_counted": ("mois déjà comptés", "months already counted", MONTHS),
    "min_months_to_pay": ("minimum de mois pour payer", "minimum months to pay", MONTHS),
    "own_state_in_force": (
        "convention en vigueur (État de l'organisme)",
        "convention in force (own state)",
        FLAG,
    ),
    "other_state_in_force": (
        "convention en vigueur (autre État)",
        "convention in force (other state)",
        FLAG,
    ),
    "independent_amount": ("montant indépendant", "independent amount", MONEY),
    "theoretical_amount": ("montant théorique", "theoretical amount", MONEY),
    "prorata": ("part au prorata", "pro-rata share", MONEY),
    "coordinated_amount": ("montant dû", "amount due", MONEY),
    "amount_due": ("montant dû", "amount due", MONEY),
    "below_minimum": ("sous le minimum de la convention", "below the convention's minimum", FLAG),
}
# The parts of a coordinated computation (`section` of a step), shown as headings.
SECTIONS = {
    "independent": (
        "Calcul indépendant : les seuls mois de l'organisme",
        "Independent computation: the organisation's own months only",
    ),
    "theoretical": (
        "Calcul théorique : les mois totalisés de tous les organismes (convention CIPRES)",
        "Theoretical computation: the totalised months of every organisation (CIPRES convention)",
    ),
    "share": ("Part de l'organisme", "The organisation's share"),
}
# Step codes whose result is an amount of money.
MONEY_STEPS = {
    "reference_total",
    "reference_salary",
    "career_total",
    "amount",
    "maximum",
    "minimum",
    "early_reduction",
    "child_supplement",
    "deceased_pension",
    "spouse_part",
    "spouse_share",
    "orphan_share",
    "total",
    "independent_amount",
    "theoretical_amount",
    "prorata",
    "coordinated_amount",
}
_PATTERNS: list[tuple[re.Pattern, tuple[str, str], str]] = [
    (re.compile(r"^s_(\d{4})_(\d{2})$"), ("salaire {1}/{0}", "salary {1}/{0}"), MONEY),
    (re.compile(r"^salaries_(\d{4})$"), ("salaires de {0}", "salaries of {0}"), MONEY),
    (re.compile(r"^points_(\d{4})$"), ("points de {0}", "points of {0}"), POINTS),
    (
        re.compile(r"^total_last_(\d+)_years$"),
        ("total des {0} dernières années", "total of the last {0} years"),
        MONEY,
    ),
    (
        re.compile(r"^marriage_years_(.+)$"),
        ("années de mariage ({0})", "years married ({0})"),
        YEARS,
    ),
    (re.compile(r"^orphan_age_(.+)$"), ("âge de l'orphelin ({0})", "orphan's age ({0})"), YEARS),
    (
        re.compile(r"^foreign_months_(\d+)$"),
        ("mois ajoutés par un autre organisme", "months added by another organisation"),
        MONTHS,
    ),
    (
        re.compile(r"^convention_in_force_(\w+)$"),
        ("convention en vigueur ({0})", "convention in force ({0})"),
        FLAG,
    ),
]
_SALARY = re.compile(r"^s_(\d{4})_(\d{2})$")
_WORDS = {
    "fr": {"and": "et", "or": "ou", "not": "non", "if": "si", "else": "sinon"},
    "en": {},
}
_FUNCTIONS = {
    "fr": {
        "round0": "arrondi",
        "round2": "arrondi",
        "rounddown0": "tronqué",
        "floor": "partie_entière",
    },
    "en": {"round0": "round", "round2": "round", "rounddown0": "truncate", "floor": "floor"},
}
UNITS = {
    "fr": {MONTHS: "mois", YEARS: "ans", POINTS: "points"},
    "en": {MONTHS: "months", YEARS: "years", POINTS: "points"},
}
TEXT = {
    "fr": {"yes": "oui", "no": "non", "step": "résultat de l'étape"},
    "en": {"yes": "yes", "no": "no", "step": "result of the step"},
}
# The monthly salaries of a step are listed apart beyond this many.
INLINE_SALARIES = 6


@dataclass
class ShownValue:
    label: str
    value: str
    name: str = ""
    from_step: int | None = None  # the number of the earlier step whose result this is


@dataclass
class ShownParam:
    name: str
    label: str
    value: str
    version: str
    source: str
    assumption: bool
    note: str


@dataclass
class ShownStep:
    number: int
    code: str
    label: str
    inputs: list[ShownValue]
    salaries: list[tuple[str, str]]  # (mm/yyyy, "150 000 FCFA"), when listed apart
    formula: str  # with the numbers in
    result: str
    params: list[ShownParam]
    section: str = ""  # coordination: "independent", "theoretical" or "share"
    section_heading: str = ""  # on the first step of a section


@dataclass
class ShownTrace:
    steps: list[ShownStep]
    result: ShownValue | None
    assumptions: list[ShownParam] = field(default_factory=list)


def _lang(lang: str | None) -> str:
    return "en" if (lang or "fr").lower().startswith("en") else "fr"


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def group_thousands(number: Decimal, lang: str = "fr") -> str:
    """150000 → '150 000' (French) or '150,000' (English); decimals kept, zeros trimmed."""
    lang = _lang(lang)
    sign = "-" if number < 0 else ""
    number = abs(number)
    whole = int(number)
    frac = number - whole
    text = f"{whole:,}".replace(",", " " if lang == "fr" else ",")
    if frac:
        digits = format(frac.normalize(), "f")[2:]
        text += ("," if lang == "fr" else ".") + digits
    return sign + text


def money(value: Any, lang: str = "fr") -> str:
    """'125 000 FCFA' (whole francs, half up as every amount is)."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{group_thousands(number.quantize(Decimal(1)), 'fr')} FCFA"


def show_value(value: Any, unit: str, lang: str = "fr") -> str:
    lang = _lang(lang)
    if isinstance(value, bool):
        return TEXT[lang]["yes" if value else "no"]
    if unit == MONEY:
        return money(value, lang)
    number = _decimal(value)
    if number is None:
        if isinstance(value, list | tuple):
            return ", ".join(show_value(v, unit, lang) for v in value)
        return "—" if value is None else str(value)
    # Small counts are not grouped: 2026 is a year, not "2 026".
    text = group_thousands(number, lang) if abs(number) >= 10000 else _plain_number(number, lang)
    if unit == PERCENT:
        return f"{text} %"
    if unit in UNITS[lang]:
        word = UNITS[lang][unit]
        if number == 1 and unit == YEARS:
            word = "an" if lang == "fr" else "year"
        elif number == 1 and unit == MONTHS and lang == "en":
            word = "month"
        return f"{text} {word}"
    return text


def _plain_number(number: Decimal, lang: str) -> str:
    text = format(number.normalize(), "f") if number != int(number) else str(int(number))
    return text.replace(".", ",") if lang == "fr" else text


def name_label(name: str, lang: str = "fr") -> tuple[str, str]:
    """Return (label, unit) of an input name."""
    lang = _lang(lang)
    if name in NAMES:
        fr, en, unit = NAMES[name]
        return (fr if lang == "fr" else en), unit
    for pattern, labels, unit in _PATTERNS:
        m = pattern.match(name)
        if m:
            return labels[0 if lang == "fr" else 1].format(*m.groups()), unit
    return name.replace("_", " "), COUNT


# The convention's parameters (`cipres.…`, reference/cipres.yaml): (French, English).
CONVENTION_PARAMS = {
    "totalisation": ("totalisation des périodes", "totalisation of periods"),
    "overlap_counts_once": (
        "un mois assuré à deux endroits compte une fois",
        "a month insured in two places counts once",
    ),
    "theoretical_amount": (
        "montant théorique selon les règles de l'organisme",
        "theoretical amount under the organisation's rules",
    ),
    "prorata": ("part au prorata des mois propres", "pro-rata share of the own months"),
    "higher_of_independent_and_prorata": (
        "le plus élevé du montant indépendant et de la part",
        "the higher of the independent amount and the share",
    ),
    "min_months_to_pay": ("minimum de mois pour payer", "minimum months to pay"),
}


def param_label(name: str, lang: str = "fr") -> tuple[str, str]:
    """A rule parameter ('rate.base_percent') by the label of its last part."""
    last = name.split(".")[-1]
    if name.startswith("cipres.in_force."):
        fr = f"convention en vigueur depuis ({last})"
        return (fr if _lang(lang) == "fr" else f"convention in force since ({last})"), COUNT
    if name.startswith("cipres.") and last in CONVENTION_PARAMS:
        unit = MONTHS if last == "min_months_to_pay" else FLAG
        return CONVENTION_PARAMS[last][0 if _lang(lang) == "fr" else 1], unit
    if last in NAMES or any(p.match(last) for p, _l, _u in _PATTERNS):
        return name_label(last, lang)
    if last.isdigit():  # points.price_by_year.2020
        return f"{name_label(name.split('.')[-2], lang)[0]} {last}", COUNT
    return last.replace("_", " "), COUNT


def _date_of(year: Any, month_day: Any) -> str:
    try:
        md = int(month_day)
        return dt.date(int(year), md // 100, md % 100).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return f"{year}"


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = [(">=", "≥"), ("<=", "≤"), ("==", "="), ("*", "×"), ("/", "÷")]


def formula_with_numbers(formula: str, shown: Mapping[str, str], lang: str = "fr") -> str:
    """The formula with every name replaced by its shown value and every function and word
    by its name in `lang`: 'round0(reference_salary * rate / 100)' →
    'arrondi(150 000 FCFA × 38 % ÷ 100)'."""
    lang = _lang(lang)

    def name(m: re.Match) -> str:
        word = m.group(0)
        if word in shown:
            return shown[word]
        return _FUNCTIONS[lang].get(word) or _WORDS[lang].get(word) or word

    text = _NAME_RE.sub(name, formula)
    for op, sign in _OPERATORS:
        text = text.replace(op, sign)
    return text


def readable_trace(steps: Iterable[Mapping[str, Any]] | Any, *, lang: str = "fr") -> ShownTrace:
    """Return the trace (`Trace`, or its `as_list()`) as rows to show in `lang`."""
    lang = _lang(lang)
    if hasattr(steps, "as_list"):
        steps = steps.as_list()
    steps = list(steps)
    labels: dict[str, int] = {}  # step code → its number
    shown_steps: list[ShownStep] = []
    assumptions: dict[tuple[str, str], ShownParam] = {}
    previous_section = ""
    for number, step in enumerate(steps, start=1):
        code = str(step.get("code", ""))
        section = str(step.get("section") or "")
        heading = ""
        if section and section != previous_section:
            heading = SECTIONS.get(section, (section, section))[0 if lang == "fr" else 1]
        previous_section = section
        label = str(step.get("label_fr" if lang == "fr" else "label_en") or code)
        inputs: Mapping[str, Any] = step.get("inputs") or {}
        salaries = [(n, v) for n, v in inputs.items() if _SALARY.match(n)]
        apart = len(salaries) > INLINE_SALARIES
        shown: dict[str, str] = {}
        rows: list[ShownValue] = []
        if "on_year" in inputs and "on_md" in inputs:  # the age step: two dates
            rows.append(
                ShownValue(
                    "date",
                    _date_of(inputs["on_year"], inputs["on_md"]),
                    "on",
                )
            )
            rows.append(
                ShownValue(
                    "date de naissance" if lang == "fr" else "birth date",
                    _date_of(inputs.get("birth_year"), inputs.get("birth_md")),
                    "birth",
                )
            )
        for name, value in inputs.items():
            lab, unit = name_label(name, lang)
            if name in labels and unit == COUNT and code != name:
                unit = MONEY if name in MONEY_STEPS else unit
            shown[name] = show_value(value, unit, lang)
            if name in ("on_year", "on_md", "birth_year", "birth_md"):
                continue
            if apart and _SALARY.match(name):
                continue
            rows.append(ShownValue(lab, shown[name], name, labels.get(name)))
        formula = str(step.get("formula", ""))
        if apart:
            shown_formula = (
                f"somme des {len(salaries)} salaires mensuels (détail ci-dessous)"
                if lang == "fr"
                else f"sum of the {len(salaries)} monthly salaries (listed below)"
            )
            if "ceiling" in inputs:
                shown_formula += (
                    f", chacun plafonné à {shown['ceiling']}"
                    if lang == "fr"
                    else f", each capped at {shown['ceiling']}"
                )
        elif "on_year" in inputs:
            shown_formula = (
                f"âge révolu du {rows[1].value} au {rows[0].value}"
                if lang == "fr"
                else f"full years from {rows[1].value} to {rows[0].value}"
            )
        else:
            shown_formula = formula_with_numbers(formula, shown, lang)
        result_unit = MONEY if code in MONEY_STEPS else name_label(code, lang)[1]
        if code.startswith(("salaries_", "total_last_")):
            result_unit = MONEY
        params = [_param(p, lang) for p in step.get("params") or ()]
        for p in params:
            if p.assumption:
                assumptions.setdefault((p.name, p.version), p)
        shown_steps.append(
            ShownStep(
                number=number,
                code=code,
                label=label,
                inputs=rows,
                salaries=[(f"{n[7:9]}/{n[2:6]}", show_value(v, MONEY, lang)) for n, v in salaries]
                if apart
                else [],
                formula=shown_formula,
                result=show_value(step.get("result"), result_unit, lang),
                params=params,
                section=section,
                section_heading=heading,
            )
        )
        labels[code] = number
    result = None
    if shown_steps:
        last = shown_steps[-1]
        result = ShownValue(last.label, last.result, last.code)
    return ShownTrace(steps=shown_steps, result=result, assumptions=list(assumptions.values()))


def _param(p: Mapping[str, Any], lang: str) -> ShownParam:
    name = str(p.get("name", ""))
    label, unit = param_label(name, lang)
    return ShownParam(
        name=name,
        label=label,
        value=show_value(p.get("value"), unit, lang),
        version=str(p.get("version", "")),
        source=str(p.get("source", "")),
        assumption=bool(p.get("assumption")),
        note=str(p.get("note", "")),
    )
