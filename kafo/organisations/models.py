from django.db import models
from django.utils.translation import gettext_lazy as _


class Branch(models.TextChoices):
    """Branches of social security an organisation may manage."""

    OLD_AGE = "old_age", _("Vieillesse, invalidité, décès")
    FAMILY = "family", _("Prestations familiales et maternité")
    WORK_INJURY = "work_injury", _("Accidents du travail et maladies professionnelles")
    HEALTH = "health", _("Assurance maladie")


class Country(models.Model):
    code = models.CharField(_("code ISO"), max_length=2, primary_key=True)
    name = models.CharField(_("nom"), max_length=80)
    currency = models.CharField(_("monnaie"), max_length=3)
    minimum_wage = models.DecimalField(_("SMIG mensuel"), max_digits=12, decimal_places=0)
    minimum_wage_source = models.CharField(_("source du SMIG"), max_length=200, blank=True)
    national_id_name = models.CharField(_("identifiant national"), max_length=40, blank=True)
    national_id_pattern = models.CharField(
        _("format de l'identifiant national (expression régulière)"), max_length=120, blank=True
    )
    national_id_assumption = models.BooleanField(_("format supposé (à confirmer)"), default=True)
    national_id_note = models.CharField(_("note sur le format"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pays")
        verbose_name_plural = _("pays")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("pays"))
    branches = models.JSONField(_("branches gérées"), default=list)

    class Meta:
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def currency(self) -> str:
        return self.country.currency

    def branch_labels(self) -> list[str]:
        return [str(Branch(b).label) for b in self.branches]
