"""Partners of the SPDCI registry API and what they asked of it.

A partner (a ministry's programme, a mutual, another registry) is registered by a zone or
organisation administrator under an agreement: the organisations whose records it may query, the
attributes it may receive, the callback URLs Kafo may call, its OAuth2 client credentials and,
optionally, the public key its message signatures are verified with. The partner row belongs to
the organisation that registered it (TenantModel); the rows below it (transactions, subscriptions,
query log) are reached only through their partner.

The outbox of notifications and the CRVS client's rows live in models_events.py (imported at the
end of this module).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class PartnerKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme d'un ministère")
    MUTUAL = "mutual", _("Mutuelle ou union de mutuelles")
    REGISTRY = "registry", _("Autre registre")
    OTHER = "other", _("Autre")


class RecordAttribute(models.TextChoices):
    """What a partner's agreement may let it receive (and search on) for a person."""

    NATIONAL_ID = "national_id", _("Identifiant national")
    REGISTRATION_NUMBER = "registration_number", _("Numéro d'immatriculation")
    ZONE_PERSON_ID = "zone_person_id", _("Identifiant de zone")
    NAME = "name", _("Nom et prénoms")
    SEX = "sex", _("Sexe")
    BIRTH_DATE = "birth_date", _("Date de naissance")
    ADDRESS = "address", _("Adresse")
    PHONE = "phone", _("Téléphone")
    INSURANCE = "insurance", _("Statut d'assuré par organisme")


class Partner(TenantModel):
    """A system allowed to call Kafo's registry API; `organisation` is who registered it."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=PartnerKind.choices)
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        related_name="interop_partners",
        verbose_name=_("organismes consultables"),
    )
    attributes = models.JSONField(_("attributs autorisés"), default=list)
    callback_urls = models.JSONField(_("adresses de rappel"), default=list)
    client_id = models.CharField(_("identifiant client"), max_length=64, unique=True)
    client_secret_hash = models.CharField(max_length=256, editable=False)
    public_key = models.TextField(_("clé publique de signature (PEM)"), blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requêtes par minute"), default=60)
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("enregistré le"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("partenaire")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class TxnAction(models.TextChoices):
    SEARCH = "search", _("Recherche")
    SUBSCRIBE = "subscribe", _("Abonnement")
    UNSUBSCRIBE = "unsubscribe", _("Désabonnement")
    TXN_STATUS = "txn-status", _("État d'une transaction")


class TxnStatus(models.TextChoices):
    """The standard's request status codes."""

    RECEIVED = "rcvd", _("Reçue")
    PENDING = "pdng", _("En cours")
    SUCCEEDED = "succ", _("Traitée")
    REJECTED = "rjct", _("Rejetée")


class CallbackStatus(models.TextChoices):
    NONE = "", _("Sans rappel")
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class Transaction(models.Model):
    """One message a partner sent (search, subscribe, unsubscribe), sync or async.

    `transaction_id` and `message_id` are the sender's; `correlation_id` is Kafo's. `response`
    holds the message Kafo answered (or will call back with), so txn/status can return it.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="transactions")
    action = models.CharField(max_length=12, choices=TxnAction.choices)
    is_async = models.BooleanField(default=False)
    transaction_id = models.CharField(max_length=99)
    message_id = models.CharField(max_length=99)
    sender_id = models.CharField(max_length=200, blank=True)
    correlation_id = models.CharField(max_length=99, unique=True)
    status = models.CharField(max_length=4, choices=TxnStatus.choices, default=TxnStatus.RECEIVED)
    request = models.JSONField(default=dict)
    response = models.JSONField(default=dict, blank=True)
    callback_url = models.CharField(max_length=500, blank=True)
    callback_status = models.CharField(
        max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.NONE, blank=True
    )
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["partner", "transaction_id"])]
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.transaction_id}"


class TransactionItem(models.Model):
    """One request of a batch (its `reference_id`), for txn/status by reference id."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="items")
    reference_id = models.CharField(max_length=99)
    status = models.CharField(max_length=4, choices=TxnStatus.choices)
    status_reason_code = models.CharField(max_length=60, blank=True)
    record_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["reference_id"])]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.reference_id


class EventKind(models.TextChoices):
    """What a subscriber may be notified of."""

    REGISTRATION = "registration", _("Immatriculation")
    INSURED_STATUS = "insured_status", _("Changement du statut d'assuré")
    DEATH = "death", _("Décès")


class SubscriptionStatus(models.TextChoices):
    SUBSCRIBED = "subscribe", _("Abonné")
    UNSUBSCRIBED = "unsubscribe", _("Désabonné")


class Subscription(models.Model):
    """A partner's standing request to be notified of events matching `filter`.

    `code` is the standard's subscription code (Kafo's, unique); the notifications go to
    `callback_url`, always one of the partner's registered URLs.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="subscriptions")
    transaction = models.ForeignKey(
        Transaction, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(max_length=99, unique=True)
    reference_id = models.CharField(max_length=99)
    event_kind = models.CharField(max_length=20, choices=EventKind.choices)
    reg_event_type = models.CharField(max_length=60)
    filter_type = models.CharField(max_length=20, blank=True)
    filter = models.JSONField(default=dict)
    notify_record_type = models.CharField(max_length=60, blank=True)
    frequency = models.JSONField(default=dict, blank=True)
    locale = models.CharField(max_length=10, blank=True)
    callback_url = models.CharField(max_length=500)
    status = models.CharField(
        max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.SUBSCRIBED
    )
    created_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code


class QueryLog(models.Model):
    """Every call a partner made: what it asked and how many records it received.

    Also the rate limiter's counter (calls of the partner in the last minute).
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="queries")
    endpoint = models.CharField(max_length=60)
    at = models.DateTimeField()
    query = models.JSONField(default=dict)
    record_count = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["partner", "at"])]
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.at:%d/%m/%Y %H:%M}"


from .models_events import *  # noqa: E402, F401, F403  (H19b's outbox and CRVS rows)
