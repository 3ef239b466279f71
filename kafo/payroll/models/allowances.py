"""Documents recorded for a child's family allowance: school, apprenticeship, disability.

A school or apprenticeship document is valid for one school year of the organisation (its start
is reference data: kafo/payroll/reference/family_allowances.yaml, `school_year_start`), so it
is recorded with that year and `valid_from`/`valid_until` are the year's bounds; a disability
document carries its own dates (`valid_until` empty: permanent). The rules that read them:
kafo/payroll/domain/allowances.py.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class DocumentKind(models.TextChoices):
    SCHOOL = "school", _("certificat de scolarité")
    APPRENTICESHIP = "apprenticeship", _("contrat ou certificat d'apprentissage")
    DISABILITY = "disability", _("certificat médical d'invalidité")


class ChildDocument(TenantModel):
    """A document that keeps a child's allowance past an age band (see the module docstring)."""

    dependant = models.ForeignKey(
        "registry.Dependant",
        on_delete=models.PROTECT,
        related_name="allowance_documents",
        verbose_name=_("enfant"),
    )
    kind = models.CharField(_("pièce"), max_length=14, choices=DocumentKind.choices)
    # the starting year of the school year (2026 for 2026-2027); empty for a disability
    school_year = models.PositiveSmallIntegerField(_("année scolaire"), null=True, blank=True)
    valid_from = models.DateField(_("valable du"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    reference = models.CharField(_("référence de la pièce"), max_length=120, blank=True)
    issuer = models.CharField(_("délivrée par"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    recorded_at = models.DateTimeField(_("enregistrée le"))

    class Meta:
        verbose_name = _("pièce d'allocations familiales")
        verbose_name_plural = _("pièces d'allocations familiales")
        ordering = ["dependant", "-valid_from", "-id"]
        indexes = [models.Index(fields=["organisation", "dependant"])]
        constraints = [
            # one document of a kind per child and school year
            models.UniqueConstraint(
                fields=["dependant", "kind", "school_year"],
                condition=models.Q(school_year__isnull=False),
                name="uniq_child_document_school_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from:%d/%m/%Y}"
