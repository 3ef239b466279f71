"""Voluntary insurance: a membership, the periods it paid, and its events.

A member's paid period is also, on purpose, a declaration in force with one line (the member,
the bracket's income × the period's months) on a contribution account of the member's own (a
registry Employer, `Membership.account`), and its payment a payment of that account: every
career reader (contributions.selectors.person_career, benefits.claim_career.declared_months,
the set-based liquidation, the statistics) counts the months paid as any declared month,
without knowing voluntary insurance exists. The declaration is made only when the period is
paid: an unpaid period has no declaration, so it counts nothing. (docs/voluntary.md)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class MemberKind(models.TextChoices):
    SELF_EMPLOYED = "self_employed", _("travailleur indépendant")
    INFORMAL = "informal", _("travailleur de l'économie informelle")
    DIASPORA = "diaspora", _("membre de la diaspora (réside à l'étranger)")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("mensuelle")
    QUARTERLY = "quarterly", _("trimestrielle")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("en vigueur")
    LAPSED = "lapsed", _("tombée en déchéance")


class Membership(TenantModel):
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("assuré")
    )
    account = models.OneToOneField(
        "registry.Employer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("compte de cotisation"),
    )
    kind = models.CharField(_("catégorie"), max_length=15, choices=MemberKind.choices)
    bracket = models.CharField(_("tranche de revenu"), max_length=10)
    frequency = models.CharField(_("périodicité"), max_length=10, choices=Frequency.choices)
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    joined_on = models.DateField(_("adhésion le"))
    start_period = models.CharField(_("première période due"), max_length=7)
    lapsed_on = models.DateField(_("déchéance le"), null=True, blank=True)
    residence_country = models.CharField(_("pays de résidence"), max_length=2)
    address = models.CharField(_("adresse de résidence"), max_length=200, blank=True)
    phone = models.CharField(_("téléphone (E.164)"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion à l'assurance volontaire")
        verbose_name_plural = _("adhésions à l'assurance volontaire")
        ordering = ["-joined_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="uniq_voluntary_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"


class PeriodPayment(TenantModel):
    """One period paid: what was charged, and the declaration and payment that record it."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments")
    period = models.CharField(_("période"), max_length=7)
    bracket = models.CharField(_("tranche"), max_length=10)
    monthly_income = models.DecimalField(_("revenu mensuel"), max_digits=14, decimal_places=0)
    contribution = models.DecimalField(_("cotisations"), max_digits=14, decimal_places=0)
    penalty = models.DecimalField(_("majoration de retard"), max_digits=14, decimal_places=0)
    paid_on = models.DateField(_("payé le"))
    declaration = models.OneToOneField(
        "contributions.Declaration", on_delete=models.PROTECT, related_name="+"
    )
    payment = models.OneToOneField(
        "contributions.Payment", on_delete=models.PROTECT, related_name="+"
    )
    self_service = models.BooleanField(_("payé par l'assuré en ligne"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("période payée (assurance volontaire)")
        verbose_name_plural = _("périodes payées (assurance volontaire)")
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "membership", "period"], name="uniq_voluntary_period"
            )
        ]

    @property
    def total(self):
        return self.contribution + self.penalty


class EventKind(models.TextChoices):
    JOINED = "joined", _("adhésion")
    LAPSED = "lapsed", _("déchéance")
    RESUMED = "resumed", _("reprise")


class MembershipEvent(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("événement"), max_length=10, choices=EventKind.choices)
    on = models.DateField(_("le"))
    detail = models.CharField(_("détail"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement d'adhésion")
        ordering = ["on", "pk"]
