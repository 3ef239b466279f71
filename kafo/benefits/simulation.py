"""The pension simulator shared by `kafo benefits simulate` and `POST /api/benefits/simulate`.

Reads only: the rule version in force for the organisation on the claim date (scoped like every
tenant read), then the pure domain computes. Bad input raises a Django `ValidationError` whose
keys name the field (`birth_date`, `career.3.period` for the API, `ligne 4, period` for a CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kafo.organisations.models import Organisation

from .domain.career import PERIOD, CareerLine
from .domain.next_dates import next_eligible
from .domain.pension import Claimant, OldAgeResult, compute_old_age
from .domain.rules import RuleError
from .domain.trace import ROUNDING_ASSUMPTION
from .models import BenefitKind
from .selectors import rule_in_force

CSV_COLUMNS = ("organisation", "period", "gross_salary", "days_worked")
REQUIRED_COLUMNS = ("organisation", "period", "gross_salary")
MAX_LINES = 1200  # 100 years of months: a career, not a bulk file


def _line_errors(row: Mapping[str, Any]) -> tuple[dict[str, str], CareerLine | None]:
    errors: dict[str, str] = {}
    org = str(row.get("organisation") or "").strip().upper()
    if not org:
        errors["organisation"] = _("Code de l'organisme obligatoire (ex. INPS-ML).")
    elif len(org) > 20:
        errors["organisation"] = _("Code de l'organisme trop long (20 caractères au plus).")
    period = str(row.get("period") or "").strip()
    if not PERIOD.match(period):
        errors["period"] = _("Période « %(value)s » invalide : AAAA-MM attendu (ex. 2024-03).") % {
            "value": period
        }
    raw = row.get("gross_salary")
    salary = None
    try:
        if isinstance(raw, float | bool) or raw is None or str(raw).strip() == "":
            raise InvalidOperation
        salary = Decimal(str(raw).strip())
        if not salary.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["gross_salary"] = _("Salaire brut « %(value)s » : montant en francs attendu.") % {
            "value": "" if raw is None else raw
        }
    if salary is not None and "gross_salary" not in errors:
        if salary < 0:
            errors["gross_salary"] = _("Le salaire brut ne peut pas être négatif.")
        elif salary != salary.to_integral_value():
            errors["gross_salary"] = _("Le salaire brut est en francs entiers (pas de centimes).")
    days_raw = row.get("days_worked")
    days = None
    if days_raw is not None and str(days_raw).strip() != "":
        try:
            if isinstance(days_raw, bool | float):
                raise ValueError
            days = int(str(days_raw).strip())
            if not 0 <= days <= 31:
                raise ValueError
        except ValueError:
            errors["days_worked"] = _("Jours travaillés « %(value)s » : entier de 0 à 31.") % {
                "value": days_raw
            }
    if errors:
        return errors, None
    return {}, CareerLine(org, period, salary, days)


def career_and_errors(parse, source) -> tuple[list[CareerLine], dict[str, str]]:
    """Parse a career (`career_from_rows` or `career_from_csv`), keeping its errors apart so
    that `simulate` answers them together with the other fields' errors."""
    try:
        return parse(source), {}
    except ValidationError as exc:
        return [], {field: "; ".join(msgs) for field, msgs in exc.message_dict.items()}


def career_from_rows(rows: Sequence[Mapping[str, Any]]) -> list[CareerLine]:
    """Career lines from the API's list (errors keyed `career.<index>.<field>`)."""
    if len(rows) > MAX_LINES:
        raise ValidationError({"career": _("Au plus %(n)s lignes de carrière.") % {"n": MAX_LINES}})
    errors: dict[str, str] = {}
    lines = []
    for i, row in enumerate(rows):
        row_errors, line = _line_errors(row)
        errors |= {f"career.{i}.{field}": reason for field, reason in row_errors.items()}
        if line:
            lines.append(line)
    if errors:
        raise ValidationError(errors)
    return lines


def career_from_csv(text: str) -> list[CareerLine]:
    """Career lines from a CSV (`organisation,period,gross_salary[,days_worked]`, a header
    line first; comma or semicolon). Errors are keyed `ligne N, <field>` (N counts the header)."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        raise ValidationError(
            {
                "ligne 1": _(
                    "En-tête attendu : organisation,period,gross_salary[,days_worked] "
                    "(colonnes manquantes : %(missing)s ; inconnues : %(unknown)s)."
                )
                % {"missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-"}
            }
        )
    reader.fieldnames = header
    errors: dict[str, str] = {}
    lines = []
    for n, row in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue  # a blank line
        if None in row:
            errors[f"ligne {n}"] = _("Trop de colonnes (4 au plus).")
            continue
        if n - 1 > MAX_LINES:
            errors[f"ligne {n}"] = _("Au plus %(n)s lignes de carrière.") % {"n": MAX_LINES}
            break
        row_errors, line = _line_errors(row)
        errors |= {f"ligne {n}, {field}": reason for field, reason in row_errors.items()}
        if line:
            lines.append(line)
    if errors:
        raise ValidationError(errors)
    if not lines:
        raise ValidationError({"ligne 2": _("Le fichier ne contient aucune ligne de carrière.")})
    return lines


def simulate(
    *,
    organisation: str,
    birth_date: dt.date,
    claim_date: dt.date,
    career: Iterable[CareerLine],
    sex: str | None = None,
    children: int = 0,
    category: str | None = None,
    organisations: Sequence[Organisation] | None = None,
    career_errors: Mapping[str, str] | None = None,
) -> dict:
    """Return the simulation's answer (see docs/benefits.md) for one person's career.

    `children` counts for both the Mali age reduction (children born, women) and the child
    supplement (dependent children) — the simulator does not ask them separately.
    `organisations`: the organisations the caller may simulate for (None: any).
    `career_errors`: the career's own errors, answered together with the others.
    """
    errors: dict[str, str] = dict(career_errors or {})
    org = Organisation.objects.filter(code=str(organisation).strip().upper()).first()
    if org is None or (organisations is not None and org not in organisations):
        errors["organisation"] = _("Organisme inconnu : « %(code)s ».") % {"code": organisation}
    if sex not in (None, "F", "M"):
        errors["sex"] = _("Sexe : F ou M.")
    if not 0 <= children <= 30:
        errors["children"] = _("Nombre d'enfants : de 0 à 30.")
    if birth_date >= claim_date:
        errors["birth_date"] = _("La date de naissance doit précéder la date de la demande.")
    version = None
    if org is not None and "organisation" not in errors:
        version = rule_in_force(organisation=org, kind=BenefitKind.OLD_AGE, on=claim_date)
        if version is None:
            errors["claim_date"] = _(
                "Aucune règle de pension de %(org)s en vigueur au %(date)s."
            ) % {"org": org.code, "date": claim_date.strftime("%d/%m/%Y")}
    rules = version.rules() if version else None
    if rules and category and category not in rules.age.by_category:
        allowed = ", ".join(sorted(rules.age.by_category)) or _("aucune (pas de catégories)")
        errors["category"] = _("Catégorie « %(value)s » inconnue à %(org)s : %(allowed)s.") % {
            "value": category,
            "org": rules.organisation,
            "allowed": allowed,
        }
    if errors:
        raise ValidationError(errors)
    claimant = Claimant(
        birth_date=birth_date,
        sex=sex,
        children_born=children,
        dependent_children=children,
        category=category or None,
    )
    lines = list(career)
    try:
        result = compute_old_age(rules, lines, claimant, on=claim_date)
        later = next_eligible(rules, lines, claimant, on=claim_date, now=result)
    except RuleError as exc:  # e.g. a year before the first point price the rules know
        raise ValidationError(
            {
                "career": _("La règle %(version)s ne couvre pas cette carrière : %(reason)s.")
                % {"version": rules.version, "reason": str(exc)}
            }
        ) from None
    return simulation_answer(version=version, claim_date=claim_date, result=result, later=later)


def simulation_answer(*, version, claim_date: dt.date, result: OldAgeResult, later) -> dict:
    """The simulator's answer for a computed result (also the insured's own, kafo/insured/api)."""
    rules = version.rules()
    return {
        "organisation": rules.organisation,
        "claim_date": claim_date,
        "rules_version": rules.version,
        **answer_of(result),
        "next_eligible": [_next(d) for d in later],
        "assumptions": version.assumptions()
        + [{"parameter": "rounding", "source": "", "note": ROUNDING_ASSUMPTION}],
    }


def _int(v: Decimal | None) -> int | None:
    return None if v is None else int(v)


def answer_of(result: OldAgeResult) -> dict:
    return {
        "eligible": result.eligible,
        "benefit": result.benefit,
        "monthly_amount": _int(result.monthly_amount),
        "lump_sum_amount": _int(result.lump_sum_amount),
        "insured_months": result.insured_months,
        "reference_salary": _int(result.reference_salary),
        "rate": None if result.rate is None else str(result.rate),
        "points": None if result.points is None else str(result.points),
        "age": result.age,
        "normal_age": result.normal_age,
        "normal_age_date": result.normal_age_date,
        "early_age_date": result.early_age_date,
        "reasons": result.reasons,
        "trace": result.trace.as_list(),
    }


def _next(d) -> dict:
    def brief(r: OldAgeResult) -> dict:
        return {
            "benefit": r.benefit,
            "monthly_amount": _int(r.monthly_amount),
            "lump_sum_amount": _int(r.lump_sum_amount),
            "insured_months": r.insured_months,
        }

    return {
        "date": d.date,
        "career_as_is": brief(d.as_is),
        "if_still_working": brief(d.if_still_working),
    }
