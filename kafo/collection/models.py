"""Collection follow-up models: the versioned collection rules, notices to employers and
provisional assessments (taxation d'office).

- `CollectionRuleVersion`: one organisation's collection rule from a start date (reminder before
  the due date, overdue notice, formal notice and its delay, assessment percentage), with its
  source and, per parameter, `assumption: true` and a note where no source was found
  (kafo/collection/reference/collection_rules.yaml, seeded by `kafo collection seed`).
- `CollectionFollowUp`: from which date Kafo follows an organisation's declarations (its go-live):
  an employer registered before it owes in Kafo only the periods ending on or after it (what
  came before was followed on the previous system). Versioned (a correction is a new row from a
  date, never an edit), sourced, added by the zone administrator (Django admin, audited). No row:
  followed since ever. Read only through `selectors.followed_since*`.
- `Notice`: one notice to one employer, for one period, by one channel. `dedup_key` is unique per
  organisation: a notice is created once whatever the number of daily runs. Its message (an SMS
  or an e-mail row of kafo.messaging) carries the sending status, which the notice mirrors.
- `Assessment`: the provisional amount posted for a period an employer never declared after the
  formal notice's delay; reversed (an opposite ledger entry) when the real declaration arrives.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel
from kafo.rules.models import VersionedRule

from .domain.expected import period_label


class CollectionRuleVersion(VersionedRule):
    parameters = models.JSONField(_("paramètres"))
    provenance = models.JSONField(_("sources et hypothèses par paramètre"), default=dict)

    VERSION_KEY = ("organisation",)

    class Meta:
        verbose_name = _("version de règle de recouvrement")
        verbose_name_plural = _("versions de règles de recouvrement")
        ordering = ["organisation", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="uniq_collection_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} recouvrement {self.effective_from.isoformat()}"

    @property
    def version_label(self) -> str:
        return f"{self.organisation.code} collection {self.effective_from.isoformat()}"


class CollectionFollowUp(VersionedRule):
    followed_since = models.DateField(
        _("déclarations suivies dans Kafo depuis le"),
        help_text=_(
            "Mise en service de Kafo pour cet organisme : les périodes terminées avant cette date "
            "ne sont pas attendues dans Kafo (suivies sur l'ancien système)."
        ),
    )

    VERSION_KEY = ("organisation",)

    class Meta:
        verbose_name = _("date de début du suivi des déclarations")
        verbose_name_plural = _("dates de début du suivi des déclarations")
        ordering = ["organisation", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "effective_from"], name="uniq_collection_follow_up"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} suivi depuis {self.followed_since:%d/%m/%Y}"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("rappel avant échéance")
    OVERDUE = "overdue", _("avis d'échéance dépassée")
    FORMAL_NOTICE = "formal_notice", _("mise en demeure")
    ASSESSMENT = "assessment", _("avis de taxation d'office")
    PENALTY = "penalty", _("avis de majoration")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", _("courriel")
    SMS = "sms", _("SMS")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    QUEUED = "queued", _("en file d'attente")
    SENT = "sent", _("envoyé")
    DELIVERED = "delivered", _("remis")
    FAILED = "failed", _("échec")
    REFUSED = "refused", _("refusé (numéro ou adresse invalide)")
    OPTED_OUT = "opted_out", _("refusé par le destinataire (STOP)")
    NO_CONTACT = "no_contact", _("aucun contact connu")


class Notice(TenantModel):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="collection_notices"
    )
    period = models.CharField(_("période"), max_length=7)
    kind = models.CharField(_("nature"), max_length=14, choices=NoticeKind.choices)
    channel = models.CharField(_("canal"), max_length=5, choices=NoticeChannel.choices)
    recipient = models.CharField(_("destinataire"), max_length=254, blank=True)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    text = models.TextField(_("texte"))
    status = models.CharField(
        _("état"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    # What makes this notice unique: kind, period, channel (and the penalty entry for a
    # penalty notice). Unique per organisation: a second run creates nothing.
    dedup_key = models.CharField(max_length=120)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    # The day of the run that issued it (`kafo collection daily --on`): the formal notice's
    # delay runs from here.
    issued_on = models.DateField(_("émis le"))
    ledger_entry = models.ForeignKey(
        "contributions.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("écriture notifiée"),
    )
    assessment = models.ForeignKey(
        "Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    sms = models.ForeignKey(
        "messaging.SmsMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.ForeignKey(
        "messaging.EmailRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avis à l'employeur")
        verbose_name_plural = _("avis aux employeurs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "dedup_key"], name="uniq_collection_notice"
            )
        ]
        indexes = [models.Index(fields=["organisation", "employer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} ({self.get_channel_display()})"

    @property
    def message(self):
        return self.sms if self.channel == NoticeChannel.SMS else self.email

    @property
    def current_status(self) -> str:
        """The message row's status when there is one (mirrored), else the notice's own."""
        message = self.message
        return message.status if message is not None else self.status

    @property
    def current_status_label(self) -> str:
        return NoticeStatus(self.current_status).label

    @property
    def period_label(self) -> str:
        """'09/2026', 'T3 2026' (a penalty without a period: empty)."""
        return period_label(self.period) if self.period else ""


class AssessmentBasis(models.TextChoices):
    LAST_DECLARATION = "last_declaration", _("dernière déclaration")
    WORKFORCE = "workforce", _("effectif immatriculé")


class Assessment(TenantModel):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.CharField(_("période"), max_length=7)
    basis = models.CharField(_("base"), max_length=16, choices=AssessmentBasis.choices)
    basis_amount = models.DecimalField(_("montant de base"), max_digits=16, decimal_places=0)
    percent = models.DecimalField(_("majoration (%)"), max_digits=7, decimal_places=4)
    amount = models.DecimalField(_("montant taxé"), max_digits=16, decimal_places=0)
    workforce = models.PositiveIntegerField(_("effectif retenu"), null=True, blank=True)
    based_on = models.ForeignKey(
        "contributions.Declaration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déclaration de référence"),
    )
    rule = models.ForeignKey(CollectionRuleVersion, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(_("détail du calcul"), default=dict, blank=True)
    entry = models.OneToOneField(
        "contributions.LedgerEntry",
        on_delete=models.PROTECT,
        related_name="assessment",
        verbose_name=_("écriture de taxation"),
    )
    reversed_by = models.ForeignKey(
        "contributions.Declaration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("remplacée par la déclaration"),
    )
    reversal_entry = models.OneToOneField(
        "contributions.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment_reversed",
        verbose_name=_("écriture d'annulation"),
    )
    reversed_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("taxation d'office")
        verbose_name_plural = _("taxations d'office")
        ordering = ["-period", "-id"]
        # One assessment per employer and period, ever: a reversed one is not assessed again
        # (the period is declared by then).
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employer", "period"], name="uniq_assessment_period"
            )
        ]

    def __str__(self) -> str:
        return f"Taxation d'office {self.period} {self.amount}"
