"""Messaging models: every SMS and e-mail Kafo sends is a row, from queued to delivered or failed.

A caller (a collection notice, the worker SMS) keeps a foreign key to the row and reads its
status: nothing is sent without a row, and a message that could not be sent stays visible with
its attempts and last error.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Remis")
    FAILED = "failed", _("Échec")
    REFUSED = "refused", _("Refusé (numéro ou adresse invalide)")
    OPTED_OUT = "opted_out", _("Refusé par le destinataire (STOP)")


class SmsMessage(TenantModel):
    """One SMS to one number, with its delivery history."""

    to = models.CharField(_("numéro (E.164)"), max_length=20, blank=True, db_index=True)
    raw_to = models.CharField(_("numéro donné"), max_length=40, blank=True)
    text = models.TextField(_("texte"))
    purpose = models.CharField(_("objet"), max_length=40)
    related_label = models.CharField(_("lié à (type)"), max_length=60, blank=True)
    related_id = models.BigIntegerField(_("lié à (identifiant)"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    gateway = models.CharField(_("passerelle"), max_length=40, blank=True)
    gateway_message_id = models.CharField(
        _("identifiant chez la passerelle"), max_length=100, blank=True
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("remis le"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["gateway", "gateway_message_id"], name="messaging_sms_gw_msgid"),
            models.Index(fields=["organisation", "-created_at"], name="messaging_sms_org_created"),
            models.Index(fields=["related_label", "related_id"], name="messaging_sms_related"),
        ]

    def __str__(self) -> str:
        return f"SMS {self.to or self.raw_to} ({self.status})"


class EmailRecord(TenantModel):
    """One e-mail to one address, sent through Django's mail backend."""

    to = models.CharField(_("adresse"), max_length=254)
    subject = models.CharField(_("objet du courriel"), max_length=200)
    body = models.TextField(_("texte"))
    purpose = models.CharField(_("objet"), max_length=40)
    related_label = models.CharField(_("lié à (type)"), max_length=60, blank=True)
    related_id = models.BigIntegerField(_("lié à (identifiant)"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "-created_at"], name="messaging_email_org_created"
            ),
            models.Index(fields=["related_label", "related_id"], name="messaging_email_related"),
        ]

    def __str__(self) -> str:
        return f"Courriel {self.to} ({self.status})"


# The name the team's interface uses (common16: queue_email(...) -> EmailMessageRecord).
EmailMessageRecord = EmailRecord


class OptOutSource(models.TextChoices):
    SMS = "sms", _("SMS « STOP » reçu")
    STAFF = "staff", _("Saisi par un agent")


class SmsOptOut(TenantModel):
    """A number that asked the organisation to send it no more SMS."""

    number = models.CharField(_("numéro (E.164)"), max_length=20)
    since = models.DateTimeField(_("depuis le"))
    source = models.CharField(_("origine"), max_length=10, choices=OptOutSource.choices)

    class Meta:
        verbose_name = _("refus de SMS")
        verbose_name_plural = _("refus de SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="messaging_optout_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number
