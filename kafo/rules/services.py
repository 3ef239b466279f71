"""Writes of the rule tables. A version is added, never rewritten once it has been in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation

from .models import ContributionRate, DeclarationRule, PenaltyRule, VersionedRule

RULE_MODELS: dict[str, type[VersionedRule]] = {
    "rate": ContributionRate,
    "penalty": PenaltyRule,
    "declaration": DeclarationRule,
}
COMMON_FIELDS = ("effective_from", "source", "assumption", "note")
FIELDS = {
    "rate": (
        "branch",
        "component",
        "risk_class",
        "applies_to",
        "employer_rate",
        "employee_rate",
        "base_from",
        "ceiling",
        "floor",
        "employer_flat",
        "employee_flat",
    ),
    "penalty": ("kind", "percent_per_day", "percent_per_month_started", "percent_flat"),
    "declaration": ("monthly_from_employees", "due_day"),
}
DECIMAL_FIELDS = {
    "employer_rate",
    "employee_rate",
    "base_from",
    "ceiling",
    "floor",
    "employer_flat",
    "employee_flat",
    "percent_per_day",
    "percent_per_month_started",
    "percent_flat",
}


def _today() -> dt.date:
    return timezone.localdate()


def _values(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors = {}
    for k in (*FIELDS[kind], *COMMON_FIELDS):
        if k not in data or data[k] is None or data[k] == "":
            continue
        v = data[k]
        if k in DECIMAL_FIELDS:
            try:
                v = Decimal(str(v))
            except InvalidOperation:
                errors[k] = _("Nombre attendu.")
                continue
            if v < 0:
                errors[k] = _("La valeur ne peut pas être négative.")
        values[k] = v
    if errors:
        raise ValidationError(errors)
    return values


def _validate(kind: str, rule: VersionedRule) -> None:
    errors = {}
    if kind == "rate":
        if rule.ceiling is not None and rule.ceiling <= rule.base_from:
            errors["ceiling"] = _("Le plafond doit dépasser le début de l'assiette.")
        if rule.branch == "work_injury" and not 0 <= rule.risk_class <= 4:
            errors["risk_class"] = _("Classe de risque 1 à 4 (0 : toutes les classes).")
        if rule.branch != "work_injury" and rule.risk_class:
            errors["risk_class"] = _("La classe de risque ne concerne que la branche AT/MP.")
        if rule.branch not in (rule.organisation.branches or []):
            errors["branch"] = _("Cet organisme ne gère pas cette branche.")
        for f in ("employer_rate", "employee_rate"):
            if getattr(rule, f) > 100:
                errors[f] = _("Un taux est un pourcentage (au plus 100).")
    if kind == "declaration" and not 1 <= rule.due_day <= 31:
        errors["due_day"] = _("Jour du mois : 1 à 31.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_version_add(
    *,
    organisation: Organisation,
    kind: str,
    data: Mapping[str, Any],
    allow_backdated: bool = False,
) -> VersionedRule:
    """Add a new version of a rule; it starts today or later unless seeding history.

    Versions already in force are history: a change is a new version with a later start date.
    """
    model = RULE_MODELS[kind]
    values = _values(kind, data)
    start = values.get("effective_from")
    if not start:
        raise ValidationError({"effective_from": _("La date d'entrée en vigueur est obligatoire.")})
    if not allow_backdated and start < _today():
        raise ValidationError(
            {
                "effective_from": _(
                    "Une nouvelle version ne peut pas prendre effet dans le passé : "
                    "l'historique n'est jamais réécrit."
                )
            }
        )
    if not values.get("source", "").strip():
        raise ValidationError({"source": _("La source est obligatoire.")})
    if values.get("assumption") and not values.get("note", "").strip():
        raise ValidationError({"note": _("Expliquez l'hypothèse dans la note.")})
    rule = model(organisation=organisation, **values)
    _validate(kind, rule)
    key = {f: getattr(rule, f) for f in model.VERSION_KEY if f != "organisation"}
    if model.unscoped.filter(organisation=organisation, effective_from=start, **key).exists():
        raise ValidationError(
            {"effective_from": _("Une version de cette règle commence déjà à cette date.")}
        )
    rule.full_clean(exclude=["organisation"])
    rule.save()
    audit.record_created(rule)
    return rule


@transaction.atomic
def rule_version_update(*, rule: VersionedRule, data: Mapping[str, Any]) -> VersionedRule:
    """Correct a version that has not yet taken effect; refuse any version already in force."""
    model = type(rule)
    kind = next(k for k, m in RULE_MODELS.items() if m is model)
    rule = model.unscoped.select_for_update().get(pk=rule.pk)
    if rule.effective_from <= _today():
        raise ValidationError(
            {
                "effective_from": _(
                    "Cette version est déjà en vigueur : ajoutez une nouvelle version au lieu "
                    "de modifier l'historique."
                )
            }
        )
    before = audit.snapshot(rule)
    for k, v in _values(kind, data).items():
        if k in FIELDS[kind] and k in model.VERSION_KEY:
            continue  # the key of a version never changes
        setattr(rule, k, v)
    if rule.effective_from < _today():
        raise ValidationError({"effective_from": _("La date ne peut pas être dans le passé.")})
    _validate(kind, rule)
    rule.full_clean(exclude=["organisation"])
    rule.save()
    audit.record_updated(rule, before)
    return rule


def load_rules_reference(path: Path | None = None) -> dict:
    path = path or settings.KAFO_REFERENCE_DIR / "rules.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@transaction.atomic
def rules_seed(*, path: Path | None = None) -> int:
    """Create every rule version of the reference file that is not yet stored; return how many.

    Idempotent: an existing version (same key and start date) is left untouched.
    """
    data = load_rules_reference(path)
    default_start = data.get("defaults", {}).get("effective_from", dt.date(2000, 1, 1))
    created = 0
    sections = {"rates": "rate", "penalties": "penalty", "declaration": "declaration"}
    for code, rules in data["organisations"].items():
        organisation = Organisation.objects.get(code=code)
        for section, kind in sections.items():
            model = RULE_MODELS[kind]
            for row in rules.get(section, []):
                values = {"effective_from": default_start, **row}
                key = {
                    f: values.get(f, model._meta.get_field(f).default)
                    for f in model.VERSION_KEY
                    if f != "organisation"
                }
                if model.unscoped.filter(
                    organisation=organisation, effective_from=values["effective_from"], **key
                ).exists():
                    continue
                rule_version_add(
                    organisation=organisation, kind=kind, data=values, allow_backdated=True
                )
                created += 1
    return created
