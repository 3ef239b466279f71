"""Scheme rules as versioned data: a rate change is a new row with a start date, never an edit.

Three kinds of rule, each tenant-owned and effective-dated:

- `ContributionRate`: one component of one branch (e.g. IPRES-SN old age, executives' tier),
  optionally for one work-injury risk class: employer and employee rates in percent of the base,
  the base's monthly band (`base_from` … `ceiling`, `floor`), or a flat amount per person.
- `PenaltyRule`: late payment (per day, per month started) or late declaration (flat percent).
- `DeclarationRule`: frequency (monthly from N employees, else quarterly) and due day.

Every row carries its source and, where the reference marks it, `assumption=True` with a note.
`.in_force(on=date)` returns, for each rule key, the row with the latest start on or before date.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from kafo.organisations.models import Branch
from kafo.organisations.tenancy import TenantManager, TenantModel, TenantQuerySet


class VersionedQuerySet(TenantQuerySet):
    """Effective-dated rows: one row per key is in force on a date."""

    def in_force(self, *, on: dt.date) -> VersionedQuerySet:
        """Return the versions in force on `on`: per key, the latest `effective_from` <= on."""
        model = self.model
        later = model.unscoped.filter(
            effective_from__lte=on,
            effective_from__gt=OuterRef("effective_from"),
            **{f: OuterRef(f) for f in model.VERSION_KEY},
        )
        return self.filter(effective_from__lte=on).filter(~Exists(later))


class VersionedManager(TenantManager.from_queryset(VersionedQuerySet)):
    pass


class VersionedRule(TenantModel):
    effective_from = models.DateField(_("en vigueur à partir du"))
    source = models.CharField(_("source"), max_length=300)
    assumption = models.BooleanField(_("hypothèse (à confirmer)"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedManager()
    unscoped = models.Manager.from_queryset(VersionedQuerySet)()

    VERSION_KEY: tuple[str, ...] = ()

    class Meta:
        abstract = True
        base_manager_name = "unscoped"


class Category(models.TextChoices):
    ALL = "all", _("tous les salariés")
    EXECUTIVE = "executive", _("cadres seulement")


class ContributionRate(VersionedRule):
    branch = models.CharField(_("branche"), max_length=12, choices=Branch.choices)
    component = models.CharField(
        _("composante"),
        max_length=30,
        help_text=_("ex. « pension », « cadres », « maternité », « CMU »"),
    )
    risk_class = models.PositiveSmallIntegerField(
        _("classe de risque"),
        default=0,
        help_text=_("AT/MP : 1 à 4 ; 0 = toutes les classes (clé non nulle pour in_force)"),
    )
    applies_to = models.CharField(
        _("salariés concernés"), max_length=10, choices=Category.choices, default=Category.ALL
    )
    employer_rate = models.DecimalField(
        _("taux employeur (%)"), max_digits=7, decimal_places=4, default=0
    )
    employee_rate = models.DecimalField(
        _("taux salarié (%)"), max_digits=7, decimal_places=4, default=0
    )
    base_from = models.DecimalField(
        _("assiette à partir de (mensuel)"), max_digits=14, decimal_places=0, default=0
    )
    ceiling = models.DecimalField(
        _("plafond mensuel"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    floor = models.DecimalField(
        _("plancher mensuel"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    employer_flat = models.DecimalField(
        _("forfait employeur par personne et par mois"), max_digits=12, decimal_places=0, default=0
    )
    employee_flat = models.DecimalField(
        _("forfait salarié par personne et par mois"), max_digits=12, decimal_places=0, default=0
    )

    VERSION_KEY = ("organisation", "branch", "component", "risk_class")

    class Meta:
        verbose_name = _("taux de cotisation")
        verbose_name_plural = _("taux de cotisation")
        ordering = ["organisation", "branch", "component", "risk_class", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "branch", "component", "risk_class", "effective_from"],
                name="uniq_rate_version",
            )
        ]

    def __str__(self) -> str:
        rc = f" classe {self.risk_class}" if self.risk_class else ""
        return f"{self.branch}/{self.component}{rc} dès {self.effective_from:%d/%m/%Y}"


class PenaltyKind(models.TextChoices):
    LATE_PAYMENT = "late_payment", _("paiement tardif")
    LATE_DECLARATION = "late_declaration", _("déclaration tardive")


class PenaltyRule(VersionedRule):
    kind = models.CharField(_("nature"), max_length=20, choices=PenaltyKind.choices)
    percent_per_day = models.DecimalField(
        _("% par jour de retard"), max_digits=7, decimal_places=4, default=0
    )
    percent_per_month_started = models.DecimalField(
        _("% par mois commencé"), max_digits=7, decimal_places=4, default=0
    )
    percent_flat = models.DecimalField(
        _("% forfaitaire"), max_digits=7, decimal_places=4, default=0
    )

    VERSION_KEY = ("organisation", "kind")

    class Meta:
        verbose_name = _("règle de majoration")
        verbose_name_plural = _("règles de majoration")
        ordering = ["organisation", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "effective_from"], name="uniq_penalty_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} dès {self.effective_from:%d/%m/%Y}"


class DeclarationRule(VersionedRule):
    monthly_from_employees = models.PositiveIntegerField(
        _("déclaration mensuelle à partir de (salariés)"),
        help_text=_("en dessous : trimestrielle"),
    )
    due_day = models.PositiveSmallIntegerField(_("jour d'échéance (mois suivant la période)"))

    VERSION_KEY = ("organisation",)

    class Meta:
        verbose_name = _("règle de déclaration")
        verbose_name_plural = _("règles de déclaration")
        ordering = ["organisation", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="uniq_declaration_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"échéance le {self.due_day} dès {self.effective_from:%d/%m/%Y}"
