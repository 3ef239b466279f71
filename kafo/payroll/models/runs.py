"""Payroll runs: what one organisation pays for one period, line by line, and the files sent.

A run is prepared (its lines computed set-based by kafo/payroll/domain/run.py and inserted),
previewed, approved by another payment officer within a delegation of signature, then frozen
(payment files written). A frozen run is never recomputed: a correction (a failed line, a
revaluation decided later, a suspension lifted) is paid by the next run. A cancelled run (only
before approval) releases its lines.

A line covers the months listed in `months` (month indexes year·12 + month − 1): the period's and
any earlier unpaid ones. While its run is not cancelled and the line has not failed, those months
count as paid: the next run's `last_paid` and `unpaid` come from here (kafo/payroll/runs.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel

from .in_payment import BenefitInPayment, Channel, Overpayment


class RunStatus(models.TextChoices):
    PREPARING = "preparing", _("en préparation")
    PREPARED = "prepared", _("préparée")
    APPROVED = "approved", _("approuvée")
    FROZEN = "frozen", _("figée (fichiers émis)")
    CANCELLED = "cancelled", _("annulée")


class PayrollRun(TenantModel):
    period_start = models.DateField(_("période du"))
    period_months = models.PositiveSmallIntegerField(_("nombre de mois"), default=1)
    status = models.CharField(
        _("état"), max_length=10, choices=RunStatus.choices, default=RunStatus.PREPARING
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("préparée par"),
    )
    prepared_at = models.DateTimeField(_("préparée le"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvée par"),
    )
    approved_at = models.DateTimeField(_("approuvée le"), null=True, blank=True)
    # None when approved by the director (by role, above every delegation)
    approved_under = models.ForeignKey(
        "governance.Delegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("délégation"),
    )
    frozen_at = models.DateTimeField(_("figée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    total_gross = models.DecimalField(_("brut"), max_digits=16, decimal_places=0, default=0)
    total_deductions = models.DecimalField(
        _("retenues"), max_digits=16, decimal_places=0, default=0
    )
    total_net = models.DecimalField(_("net à payer"), max_digits=16, decimal_places=0, default=0)
    # {channel: {"lines": n, "gross": n, "deductions": n, "net": n}} as prepared
    totals = models.JSONField(_("totaux par mode de paiement"), default=dict)
    # [{"code", "benefit_id", "detail"}]: the checks' findings (empty: may be approved)
    problems = models.JSONField(_("anomalies"), default=list)
    error = models.CharField(_("erreur de préparation"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("campagne de paiement")
        verbose_name_plural = _("campagnes de paiement")
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["organisation", "period_start"])]

    def __str__(self) -> str:
        return f"{self.period_start:%m/%Y}"

    @property
    def reference(self) -> str:
        return f"PAIE-{self.period_start:%Y%m}-{self.pk:05d}"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("à payer")
    PAID = "paid", _("payée")
    FAILED = "failed", _("rejetée")


class PayrollLine(TenantModel):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="lines")
    benefit = models.ForeignKey(BenefitInPayment, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("du"))
    period_to = models.DateField(_("au"))
    months = models.JSONField(_("mois payés"), default=list)  # month indexes
    month_count = models.PositiveSmallIntegerField(_("mois"))
    regular = models.DecimalField(_("échéance"), max_digits=14, decimal_places=0)
    arrears = models.DecimalField(_("rappels"), max_digits=14, decimal_places=0)
    gross = models.DecimalField(_("brut"), max_digits=14, decimal_places=0)
    deductions = models.DecimalField(_("retenues"), max_digits=14, decimal_places=0)
    net = models.DecimalField(_("net"), max_digits=14, decimal_places=0)
    # the channel and its details as they were when the run was prepared (frozen with it)
    channel = models.CharField(_("mode de paiement"), max_length=12, choices=Channel.choices)
    payee_name = models.CharField(_("bénéficiaire"), max_length=200)
    rib = models.CharField(_("RIB"), max_length=24, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    msisdn = models.CharField(_("numéro mobile money"), max_length=16, blank=True)
    operator = models.CharField(_("opérateur"), max_length=40, blank=True)
    paying_agency = models.CharField(_("agence payeuse"), max_length=120, blank=True)
    # EndToEndId of the transfer / client reference of the mobile-money item (≤ 35)
    reference = models.CharField(_("référence"), max_length=35)
    status = models.CharField(
        _("état"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    failure_reason = models.CharField(_("motif du rejet"), max_length=300, blank=True)
    failed_at = models.DateTimeField(_("rejetée le"), null=True, blank=True)
    # the later line that paid this failed line's months again
    repaid_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payée à nouveau par"),
    )

    class Meta:
        verbose_name = _("ligne de paiement")
        verbose_name_plural = _("lignes de paiement")
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "benefit"], name="uniq_payroll_line_benefit"),
            models.UniqueConstraint(fields=["reference"], name="uniq_payroll_line_reference"),
        ]
        indexes = [
            models.Index(fields=["benefit", "period_to"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference


class PayrollRecovery(TenantModel):
    """An overpayment recovered by deduction on a line (reversed if the line fails)."""

    line = models.ForeignKey(PayrollLine, on_delete=models.CASCADE, related_name="recoveries")
    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("montant récupéré"), max_digits=14, decimal_places=0)
    reversed = models.BooleanField(_("annulée"), default=False)

    class Meta:
        verbose_name = _("récupération d'indu")
        verbose_name_plural = _("récupérations d'indus")


class FileKind(models.TextChoices):
    PAIN001 = "pain001", _("virements ISO 20022 (pain.001)")
    BANK_CSV = "bank_csv", _("virements (CSV de la banque)")
    MOBILE_MONEY = "mobile_money", _("lot mobile money (CSV)")
    CASH_LIST = "cash_list", _("liste de paiement en espèces (PDF)")


class PayrollFile(TenantModel):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("fichier"), max_length=14, choices=FileKind.choices)
    label = models.CharField(_("libellé"), max_length=120, blank=True)  # bank / operator / agency
    name = models.CharField(_("nom du fichier"), max_length=160)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    line_count = models.PositiveIntegerField(_("lignes"))
    total = models.DecimalField(_("montant"), max_digits=16, decimal_places=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("émis le"))

    class Meta:
        verbose_name = _("fichier de paiement")
        verbose_name_plural = _("fichiers de paiement")
        ordering = ["run", "kind", "label", "id"]


class PayrollReturn(TenantModel):
    """A return processed: a bank status report (pain.002, CSV) or an operator's rejections."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField(_("retour"), max_length=20)
    name = models.CharField(_("fichier"), max_length=160)
    failed_count = models.PositiveIntegerField(_("lignes rejetées"), default=0)
    paid_count = models.PositiveIntegerField(_("lignes confirmées"), default=0)
    # None: read back from the operator's API by a job (mobile money), not uploaded by a user
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("reçu le"))

    class Meta:
        verbose_name = _("retour de paiement")
        verbose_name_plural = _("retours de paiement")
        ordering = ["-uploaded_at", "-id"]


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("à transmettre")
    SUBMITTED = "submitted", _("transmis, à approuver")
    APPROVED = "approved", _("approuvé, résultats attendus")
    COMPLETED = "completed", _("résultats reçus")
    FILE = "file", _("fichier à déposer sur le portail de l'opérateur")
    ERROR = "error", _("refusé par l'opérateur")


class MobileMoneyBatch(TenantModel):
    """One operator's mobile-money lines of a frozen run, sent through its adapter
    (kafo/payroll/mobile_money): a GSMA batch created, approved, its completions and rejections
    read back by a job (kafo/jobs), or a file for an operator that takes files."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="mm_batches")
    operator = models.CharField(_("opérateur"), max_length=40)  # operators.yaml code
    reference = models.CharField(_("référence du lot"), max_length=60)
    batch_id = models.CharField(_("identifiant chez l'opérateur"), max_length=100, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    total = models.DecimalField(_("montant"), max_digits=16, decimal_places=0, default=0)
    completed_count = models.PositiveIntegerField(_("payées"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejetées"), default=0)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot mobile money")
        verbose_name_plural = _("lots mobile money")
        ordering = ["run", "operator"]
        constraints = [
            models.UniqueConstraint(fields=["run", "operator"], name="uniq_mm_batch_run_operator")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def operator_label(self) -> str:
        """The operator's name (operators.yaml), never its code, on a page."""
        from .in_payment import mobile_money_operators

        return mobile_money_operators().get(self.operator, {}).get("label", self.operator)


ZERO = Decimal(0)
