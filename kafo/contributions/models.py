"""Declarations of salaries (DNS), their lines and the workers still to be registered.

Storage choice: the contributions of a line are stored as one column per branch and share
(`old_age_er` … `health_ee`) on the line itself, not as one row per line × branch. The branches are
a fixed, closed list (organisations.Branch), so a million-line declaration is a million rows —
not four or five million — which keeps the bulk insert (COPY) and the career read one table
wide; the component detail (e.g. family allowances vs maternity) is recomputed for display from
the rule versions, which are never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel

BRANCH_COLUMNS = (
    "old_age_er",
    "old_age_ee",
    "family_er",
    "family_ee",
    "work_injury_er",
    "work_injury_ee",
    "health_er",
    "health_ee",
)


def _money(label, **kw):
    return models.DecimalField(label, max_digits=16, decimal_places=0, default=0, **kw)


class DeclarationKind(models.TextChoices):
    ORIGINAL = "original", _("initiale")
    CORRECTIVE = "corrective", _("rectificative")


class DeclarationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("en vigueur")
    SUPERSEDED = "superseded", _("remplacée par une rectificative")


class Channel(models.TextChoices):
    WEB = "web", _("formulaire web")
    FILE = "file", _("fichier déposé")
    API = "api", _("API")
    BULK = "bulk", _("import en masse")


class Declaration(TenantModel):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="declarations"
    )
    period = models.CharField(_("période"), max_length=7)
    kind = models.CharField(
        _("nature"),
        max_length=10,
        choices=DeclarationKind.choices,
        default=DeclarationKind.ORIGINAL,
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.IN_FORCE,
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rectifie"),
    )
    file_hash = models.CharField(_("empreinte du contenu"), max_length=64)
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("reçue le"))
    rules_on = models.DateField(_("règles en vigueur au"))
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    pending_count = models.PositiveIntegerField(_("salariés à immatriculer"), default=0)
    total_salary = _money(_("masse salariale"))
    employer_total = _money(_("part employeur"))
    employee_total = _money(_("part salariale"))
    total = _money(_("total dû"))
    branch_totals = models.JSONField(_("totaux par branche"), default=dict)

    class Meta:
        verbose_name = _("déclaration")
        verbose_name_plural = _("déclarations")
        ordering = ["-period", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employer", "period", "file_hash"],
                name="uniq_declaration_content",
            )
        ]
        indexes = [models.Index(fields=["organisation", "employer", "period"])]

    def __str__(self) -> str:
        return f"DNS {self.period} {self.employer_id} ({self.get_kind_display()})"


class DeclarationLine(TenantModel):
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField(_("ligne"))
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    worker_number = models.CharField(max_length=20, blank=True)
    national_id = models.CharField(max_length=30, blank=True)
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120)
    category = models.CharField(max_length=10, default="standard")
    days_worked = models.PositiveSmallIntegerField()
    gross_salary = _money(_("salaire brut"))
    old_age_er = _money("")
    old_age_ee = _money("")
    family_er = _money("")
    family_ee = _money("")
    work_injury_er = _money("")
    work_injury_ee = _money("")
    health_er = _money("")
    health_ee = _money("")
    employer_total = _money(_("part employeur"))
    employee_total = _money(_("part salariale"))

    class Meta:
        ordering = ["line_no"]
        indexes = [
            models.Index(fields=["declaration", "line_no"]),
            models.Index(fields=["organisation", "person"]),
        ]


class PendingStatus(models.TextChoices):
    OPEN = "open", _("à traiter")
    RESOLVED = "resolved", _("rattaché")


class PendingRegistration(TenantModel):
    """A declared worker unknown to the organisation, for an agent to register or match."""

    identity = models.CharField(max_length=40)  # "n:<worker number>" or "i:<national id>"
    employer = models.ForeignKey("registry.Employer", on_delete=models.PROTECT, related_name="+")
    first_declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="+")
    worker_number = models.CharField(max_length=20, blank=True)
    national_id = models.CharField(max_length=30, blank=True)
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=PendingStatus.choices, default="open")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("immatriculation en attente")
        verbose_name_plural = _("immatriculations en attente")
        ordering = ["family_name", "given_names"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "identity"], name="uniq_pending_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_names} ({self.identity})"
