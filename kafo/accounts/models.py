import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    REGISTRATION_AGENT = "registration_agent", _("Agent d'immatriculation")
    CONTRIBUTIONS_MANAGER = "contributions_manager", _("Gestionnaire des cotisations")
    BENEFITS_OFFICER = "benefits_officer", _("Liquidateur des prestations")
    APPROVER = "approver", _("Approbateur")
    PAYMENT_OFFICER = "payment_officer", _("Agent de paiement")
    DIRECTOR = "director", _("Directeur")
    LIAISON_OFFICER = "liaison_officer", _("Chargé de liaison")
    ZONE_ADMIN = "zone_admin", _("Administrateur de zone")
    EMPLOYER = "employer", _("Employeur (portail)")
    INSURED = "insured", _("Assuré (espace personnel)")


class Role(models.Model):
    code = models.CharField(max_length=40, primary_key=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")

    def __str__(self) -> str:
        return self.get_code_display()


class User(AbstractUser):
    """An agent of one organisation, an employer's portal user, or a zone administrator."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("organisme"),
    )
    employer = models.ForeignKey(
        "registry.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_users",
        verbose_name=_("employeur (portail)"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="insured_users",
        verbose_name=_("assuré (espace personnel)"),
        help_text=_("L'assuré du registre de l'organisme dont cet utilisateur voit le dossier."),
    )
    roles = models.ManyToManyField(Role, blank=True, verbose_name=_("rôles"))

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def clean(self):
        """An insured person's login belongs to the person's own organisation."""
        super().clean()
        if self.person_id is None:
            return
        from kafo.registry.models import Person

        person_org = (
            Person.unscoped.filter(pk=self.person_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
        if person_org != self.organisation_id:
            raise ValidationError(
                {"person": _("L'assuré doit être immatriculé à l'organisme de l'utilisateur.")}
            )

    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = (
                frozenset(self.roles.values_list("code", flat=True)) if self.pk else frozenset()
            )
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes() & set(codes))

    @property
    def is_zone_admin(self) -> bool:
        return self.is_superuser or self.has_role(RoleCode.ZONE_ADMIN)

    @property
    def is_employer_user(self) -> bool:
        return self.has_role(RoleCode.EMPLOYER) and not self.is_zone_admin

    @property
    def is_insured_user(self) -> bool:
        """An insured person's own login: reads their own records only (kafo/insured)."""
        return self.has_role(RoleCode.INSURED) and not self.is_zone_admin


def default_token_expiry():
    """Return when a token issued now expires (`KAFO_API_TOKEN_DAYS`, 90 days by default)."""
    return timezone.now() + dt.timedelta(days=settings.KAFO_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 digest is stored.

    A token authenticates until it expires or is revoked; issue and revoke through
    `kafo.accounts.services` (audited), in the admin or with `kafo api_token`.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("utilisateur")
    )
    name = models.CharField(_("nom"), max_length=80)
    prefix = models.CharField(_("début du jeton"), max_length=12, default="", editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), default=default_token_expiry)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def organisation_id(self) -> int | None:
        """The owner's organisation: where the audit trail records the token's events."""
        return self.user.organisation_id

    def refusal(self, now: dt.datetime) -> str | None:
        """Return why this token cannot authenticate at `now`, or None if it can."""
        if self.revoked_at is not None:
            return "token revoked"
        if self.expires_at <= now:
            return "token expired"
        if not self.user.is_active:
            return "token owner inactive"
        return None

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, user: User, name: str, expires_at: dt.datetime | None = None
    ) -> tuple["ApiToken", str]:
        """Create a token and return it with its raw value (shown once). Audited."""
        from .services import token_issue

        return token_issue(user=user, name=name, expires_at=expires_at)
