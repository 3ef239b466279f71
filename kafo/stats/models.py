"""Indicators as data: what each indicator is, its computed values, and the coverage denominators.

- `Indicator`: one row per indicator code (loaded from kafo/stats/reference/indicators.yaml):
  names in French and English, definition, formula version, unit.
- `IndicatorValue`: one snapshot per (indicator, organisation, period, breakdown); organisation
  null is the zone total. `value` is null when there is no data ("pas encore de données"): a
  zero denominator never becomes a made-up 0 or an error. Written only by `kafo stats compute`
  (kafo/stats/compute.py), which replaces the rows of the periods it computes (idempotent).
  Not a TenantModel because the zone rows have no organisation: every read goes through
  kafo/stats/selectors.py, which always filters on the organisation explicitly.
- `TopArrears`: per organisation and period, the employers owing the most on its last day
  (written with the indicators; a tenant table).
- `Denominator`: dated, sourced reference figures per country (population, labour force…),
  seeded from kafo/stats/reference/denominators.csv and editable by the zone administrator.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class Indicator(models.Model):
    class Unit(models.TextChoices):
        RATIO = "ratio", _("taux")  # value in [0, 1+], shown as a percentage
        DAYS = "days", _("jours")
        COUNT = "count", _("nombre")
        AMOUNT = "amount", _("montant")
        MONTHS = "months", _("mois")
        FACTOR = "factor", _("rapport")  # a plain quotient shown as "12,5"

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200)
    definition = models.TextField(_("définition"))
    numerator_label = models.CharField(_("numérateur"), max_length=200, blank=True)
    denominator_label = models.CharField(_("dénominateur"), max_length=200, blank=True)
    formula_version = models.PositiveSmallIntegerField(_("version de la formule"), default=1)
    unit = models.CharField(_("unité"), max_length=10, choices=Unit.choices, default=Unit.RATIO)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # Display order on dashboards and in tables.
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")

    def __str__(self) -> str:
        return self.code

    def name(self, language: str | None = None) -> str:
        """Return the name in `language` (the active one by default), French when not English."""
        from django.utils.translation import get_language

        lang = (language or get_language() or "fr")[:2]
        return self.name_en if lang == "en" and self.name_en else self.name_fr


class IndicatorValue(models.Model):
    class Breakdown(models.TextChoices):
        TOTAL = "", _("ensemble")
        BRANCH = "branch", _("branche")
        REGION = "region", _("région")
        SECTOR = "sector", _("secteur")
        AGE = "age", _("ancienneté")  # arrears by age of the unpaid debits (ARREARS_AGES)

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicateur")
    )
    # Null: the zone total (every organisation).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisme"),
    )
    # A month "YYYY-MM" (the only grain computed today; quarters and years read the months).
    period = models.CharField(_("période"), max_length=7, db_index=True)
    breakdown = models.CharField(
        _("ventilation"), max_length=10, choices=Breakdown.choices, default="", blank=True
    )
    # The breakdown's value: a branch code, a city/region name, a sector; "" for the total.
    breakdown_value = models.CharField(_("valeur de ventilation"), max_length=120, blank=True)
    numerator = models.DecimalField(_("numérateur"), max_digits=20, decimal_places=2, null=True)
    denominator = models.DecimalField(_("dénominateur"), max_digits=20, decimal_places=2, null=True)
    # numerator / denominator (or the indicator's own statistic, e.g. a median of days); null
    # when there is no data: "pas encore de données".
    value = models.DecimalField(_("valeur"), max_digits=20, decimal_places=6, null=True)
    formula_version = models.PositiveSmallIntegerField(_("version de la formule"), default=1)
    # Free notes on how it was obtained (the denominator's year and source, say).
    note = models.CharField(_("note"), max_length=300, blank=True)
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organisation", "period", "breakdown", "breakdown_value"],
                condition=models.Q(organisation__isnull=False),
                name="uniq_indicator_value_org",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "breakdown", "breakdown_value"],
                condition=models.Q(organisation__isnull=True),
                name="uniq_indicator_value_zone",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "period"], name="stats_value_org_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.organisation_id or 'zone'} {self.period}"

    @property
    def has_data(self) -> bool:
        return self.value is not None


# The age bands of the arrears (breakdown "age" of arrears_ratio): the unpaid debits on the
# period's last day E, the payments allocated to the oldest debt first, by days since their due
# date (E − due date): (breakdown value, most days or None).
ARREARS_AGES = (("0-30", 30), ("31-90", 90), ("91-180", 180), ("180+", None))
TOP_ARREARS = 10  # employers kept per organisation and period


class TopArrears(TenantModel):
    """The employers owing the most on the last day of a period (the `TOP_ARREARS` first, their
    debit balance), written by `kafo stats compute` with the indicators: the director's
    dashboard reads them instead of summing the ledger."""

    period = models.CharField(_("période"), max_length=7)
    rank = models.PositiveSmallIntegerField(_("rang"))
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.CASCADE, related_name="+", verbose_name=_("employeur")
    )
    balance = models.DecimalField(_("solde débiteur"), max_digits=20, decimal_places=0)
    computed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        ordering = ["organisation", "period", "rank"]
        verbose_name = _("employeur aux arriérés les plus élevés")
        verbose_name_plural = _("employeurs aux arriérés les plus élevés")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period", "rank"], name="uniq_top_arrears_rank"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.period} {self.rank}"


class Denominator(models.Model):
    class Kind(models.TextChoices):
        POPULATION = "population", _("population totale")
        LABOUR_FORCE = "labour_force", _("population active")
        POPULATION_15_64 = "population_15_64", _("population de 15 à 64 ans")
        POPULATION_15_PLUS = "population_15_plus", _("population de 15 ans et plus")
        POPULATION_PENSION_AGE = (
            "population_pension_age",
            _("population ayant l'âge de la retraite"),
        )
        CHILDREN_0_14 = "children_0_14", _("enfants de 0 à 14 ans")

    country = models.ForeignKey(
        "organisations.Country", on_delete=models.PROTECT, verbose_name=_("pays")
    )
    kind = models.CharField(_("nature"), max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=0)
    source = models.CharField(_("source"), max_length=300)
    # True when the figure is an assumption (estimate, entered without a published source).
    assumption = models.BooleanField(_("hypothèse (à confirmer)"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        ordering = ["country_id", "kind", "-year"]
        verbose_name = _("dénominateur")
        verbose_name_plural = _("dénominateurs")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "kind", "year"], name="uniq_denominator_country_kind_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.kind} {self.year}"
