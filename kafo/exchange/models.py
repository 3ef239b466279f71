"""What passes between the organisations of the zone (CIPRES multilateral convention).

Every exchange is a pair of twin rows of `LiaisonMessage`: the sender owns the outgoing row,
the recipient the incoming one, so each side reads its own row through its tenant scope. The
kinds follow the EU's electronic pension forms, the closest public model of the convention's
liaison forms (benefits.md §12, rule 6): a request for insured periods (P4000/P5000) and its
answer, carried by the same pair (status, date and, on the requester's row, the periods); a
claim forwarded to the other organisation (P2000); each organisation's decision sent back
(P6000); a notice of death. Each row is dated, audited, has a status and a deadline.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("envoyé")
    INCOMING = "incoming", _("reçu")


class MessageKind(models.TextChoices):
    PERIODS_REQUEST = "periods_request", _("demande de périodes d'assurance")
    CLAIM_FORWARD = "claim_forward", _("transmission de la demande de pension")
    DECISION = "decision", _("décision")
    DEATH_NOTICE = "death_notice", _("avis de décès")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    APPROVED = "approved", _("approuvée")
    REFUSED = "refused", _("refusée")
    DONE = "done", _("traité")


class Purpose(models.TextChoices):
    OLD_AGE = "old_age", _("pension de vieillesse")
    SURVIVORS = "survivors", _("pension de survivants")
    INVALIDITY = "invalidity", _("pension d'invalidité")
    WORK_INJURY = "work_injury", _("accident du travail")
    OTHER = "other", _("autre")


class LiaisonMessage(TenantModel):
    """One message between two organisations of the zone, as seen by one side.

    `person` is always a record of the row's own organisation (the record asked about, or the
    recipient's record of the same zone person), and stays so: periods received answer this
    request about this record, whatever later merges or splits do to the zone index.
    `zone_person` records which zone person the message was sent for, at the time. The
    requester's row of an approved request holds `periods`: the recipient's code, months per
    year and spans (and the salary basis per year when `with_salaries`), never a name, number
    or id of its record.
    """

    kind = models.CharField(
        _("type"), max_length=20, choices=MessageKind.choices, default=MessageKind.PERIODS_REQUEST
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    sender = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The message's business reference, the same on both rows (shown instead of an id).
    reference = models.CharField(_("référence"), max_length=40, db_index=True)
    zone_person = models.ForeignKey(
        "identity.ZonePerson", on_delete=models.PROTECT, null=True, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="liaison_messages"
    )
    # The row's own organisation's claim: the requester's claim the periods are asked for,
    # the origin claim forwarded, the recipient's coordinated claim opened from a forward.
    claim = models.ForeignKey(
        "benefits.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("objet"), max_length=20, choices=Purpose.choices)
    note = models.TextField(_("précisions"), blank=True)
    with_salaries = models.BooleanField(_("salaires demandés"), default=False)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    deadline = models.DateField(_("échéance"), null=True, blank=True)
    twin = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    # Requester's row of an approved periods request: {"organisation", "months", "spans":
    # [{start, end, months}], "years": [{year, months[, salary]}], "as_of"}.
    periods = models.JSONField(default=dict, blank=True)
    # Forward: {"claim_kind", "claim_date", "origin_reference"}; decision: {"status",
    # "monthly_amount", "start_date", "currency"}; death notice: {"date_of_death"}.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "direction", "status", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "direction", "person", "sender", "recipient"],
                condition=models.Q(status="pending", kind="periods_request"),
                name="uniq_pending_periods_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} ({self.status})"

    @property
    def other_organisation(self):
        return self.recipient if self.direction == Direction.OUTGOING else self.sender

    def is_overdue(self, on) -> bool:
        return (
            self.status == MessageStatus.PENDING
            and self.deadline is not None
            and (self.deadline < on)
        )
