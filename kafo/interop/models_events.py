"""The notifications outbox and the civil-registry (CRVS) client's rows (imported by models.py).

- `Notification`: one `notify` message owed to one subscription, written in the same transaction
  as the event it tells (so it is never lost), then delivered by a job with retries and backoff;
  each try is a `DeliveryAttempt`. It belongs to the organisation that registered the partner.
- `CivilRegistry`: a CRVS Kafo subscribes to for deaths and searches by national id; the partner
  row holds the credentials the CRVS uses when it calls Kafo back.
- `DeathNotice`: one death the CRVS notified, and what Kafo did with it; `DeathMatch`: a person a
  weaker match (zone index, names and birth date) proposes, waiting for a person's decision.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec définitif")


class Notification(TenantModel):
    """A `notify` message to a subscriber (`organisation` = who registered the partner)."""

    subscription = models.ForeignKey(
        "interop.Subscription", on_delete=models.CASCADE, related_name="notifications"
    )
    event_kind = models.CharField(max_length=20)
    person = models.ForeignKey(
        "registry.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    transaction_id = models.CharField(max_length=99, unique=True)
    message = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return self.transaction_id

    def get_event_kind_label(self) -> str:
        from .models import EventKind

        return str(dict(EventKind.choices).get(self.event_kind, self.event_kind))


class DeliveryAttempt(models.Model):
    """One try to deliver a notification: when, the HTTP status, the error."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    at = models.DateTimeField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.at:%d/%m/%Y %H:%M}"


class CivilRegistry(models.Model):
    """A civil registry (CRVS) Kafo listens to for deaths (zone-level configuration).

    Kafo's client secret at the CRVS is never stored here: it is read from the environment
    variable KAFO_CRVS_SECRET_<CODE> (or settings.INTEROP_CRVS_SECRETS[code]).
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    base_url = models.URLField(_("adresse de l'API"))
    client_id = models.CharField(_("identifiant client de Kafo"), max_length=100)
    partner = models.ForeignKey(
        "interop.Partner",
        on_delete=models.PROTECT,
        related_name="civil_registries",
        verbose_name=_("partenaire (ses appels vers Kafo)"),
    )
    subscription_code = models.CharField(max_length=99, blank=True)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("état civil")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DeathOutcome(models.TextChoices):
    RECEIVED = "received", _("Reçu, à traiter")
    APPLIED = "applied", _("Décès enregistré")
    REVIEW = "review", _("À vérifier")
    UNMATCHED = "unmatched", _("Personne non trouvée")
    REJECTED = "rejected", _("Rejeté à la vérification")
    INVALID = "invalid", _("Avis incomplet")


class DeathNotice(models.Model):
    """A death a civil registry notified (zone level: the person may be in no organisation)."""

    registry = models.ForeignKey(CivilRegistry, on_delete=models.PROTECT, related_name="deaths")
    transaction_id = models.CharField(max_length=99)
    reference_id = models.CharField(max_length=99)
    received_at = models.DateTimeField()
    national_id = models.CharField(max_length=30, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    given_names = models.CharField(max_length=120, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    death_date = models.DateField(null=True, blank=True)
    record = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=DeathOutcome.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry", "transaction_id", "reference_id"], name="uniq_death_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_names}".strip() or self.reference_id


class MatchMethod(models.TextChoices):
    NATIONAL_ID = "national_id", _("Identifiant national identique")
    ZONE_INDEX = "zone_index", _("Index des personnes de la zone")
    NAMES_BIRTH = "names_birth", _("Nom, prénoms et date de naissance")


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("À vérifier")
    ACCEPTED = "accepted", _("Confirmé")
    REJECTED = "rejected", _("Écarté")
    APPLIED = "applied", _("Appliqué automatiquement")


class DeathMatch(TenantModel):
    """A person of an organisation a death notice designates (`organisation` = the person's)."""

    notice = models.ForeignKey(DeathNotice, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("rapprochement"), max_length=12, choices=MatchMethod.choices)
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PENDING
    )
    death_record = models.ForeignKey(
        "payroll.DeathRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapprochement de décès")
        ordering = ["notice__received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="uniq_death_match")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.person_id}"
