"""Benefits in payment: who is paid, how much from when, by which channel, and in which state.

A `BenefitInPayment` is one payee's right to a periodic amount (the pensioner, each widow, each
orphan or their guardian, a family allowance). Its amount is never a field: it is the
`AmountVersion` in force (the latest `effective_from` on or before the date), so a revaluation
or a revision adds a version and the past stays as it was paid. Its state changes are
`StatusChange` rows (dated, by whom, why); the current state is denormalised on the benefit
(`status`, `status_since`, `status_reason`) for set-based reads.

Rules the payroll run (runs.py) relies on:
- A benefit is due for a day d when start_date <= d, (end_date is null or d <= end_date) and it
  is not stopped on d. A suspension (missing life certificate, returned payment, investigation)
  does NOT end the right: the periods of a suspension stay due, the run pays nothing while the
  status is `suspended`, and pays them as arrears once the benefit is back `in_payment`
  (arrears = what was due and not paid, computed by the run from its own lines).
- A stop sets `end_date` (the last day paid; the end of the month of death for a death): the
  run pays up to it, pro rata inside a period, never after.
- `payee_death_date` set: nothing is paid to this payee for any day after the end of that month.
- `Overpayment.amount - recovered` is what the runs still have to recover by deduction.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


def _user(related_name: str, verbose: str):
    return models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose,
    )


class BenefitKind(models.TextChoices):
    PENSION = "pension", _("pension de vieillesse")
    ALLOWANCE = "allowance", _("allocation de vieillesse")
    SURVIVOR = "survivor", _("pension de veuve ou de veuf")
    ORPHAN = "orphan", _("pension d'orphelin")
    FAMILY_ALLOWANCE = "family_allowance", _("allocations familiales")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("mensuelle")
    BIMONTHLY = "bimonthly", _("bimestrielle")
    QUARTERLY = "quarterly", _("trimestrielle")


class Timing(models.TextChoices):
    ADVANCE = "advance", _("à échoir (d'avance)")
    ARREARS = "arrears", _("à terme échu")


class Status(models.TextChoices):
    IN_PAYMENT = "in_payment", _("en paiement")
    SUSPENDED = "suspended", _("suspendue")
    STOPPED = "stopped", _("arrêtée")


class Reason(models.TextChoices):
    # putting into payment, resuming
    START = "start", _("mise en paiement")
    RESUMED = "resumed", _("reprise du paiement")
    LIFE_CERTIFICATE_RECEIVED = "certificate_received", _("certificat de vie reçu")
    # an orphan's right extended past the age limit by a school, apprenticeship or
    # disability document (services.orphan_extend)
    EXTENDED = "extended", _("prolongation sur pièce justificative")
    # suspensions
    NO_LIFE_CERTIFICATE = "no_certificate", _("certificat de vie non reçu")
    RETURNED_PAYMENT = "returned_payment", _("paiement retourné")
    INVESTIGATION = "investigation", _("contrôle en cours")
    # a family allowance whose school, apprenticeship or disability document was not renewed
    DOCUMENT_MISSING = "document_missing", _("pièce justificative non fournie")
    OTHER_SUSPENSION = "other", _("autre motif de suspension")
    # stops
    DEATH = "death", _("décès")
    REMARRIAGE = "remarriage", _("remariage")
    AGE_LIMIT = "age_limit", _("limite d'âge atteinte")
    END_OF_RIGHT = "end_of_right", _("fin de droit")


SUSPENSION_REASONS = (
    Reason.NO_LIFE_CERTIFICATE,
    Reason.RETURNED_PAYMENT,
    Reason.INVESTIGATION,
    Reason.DOCUMENT_MISSING,
    Reason.OTHER_SUSPENSION,
)
STOP_REASONS = (Reason.DEATH, Reason.REMARRIAGE, Reason.AGE_LIMIT, Reason.END_OF_RIGHT)


class Channel(models.TextChoices):
    BANK = "bank", _("virement bancaire")
    MOBILE_MONEY = "mobile_money", _("mobile money")
    CASH = "cash", _("espèces (agence payeuse)")


@functools.cache
def mobile_money_operators() -> dict[str, dict]:
    """The operators' settings by code (kafo/payroll/mobile_money/operators.yaml), read once."""
    from kafo.payroll.mobile_money.operators import load_operator_settings

    return load_operator_settings()


class BenefitInPayment(TenantModel):
    """One payee's periodic benefit, from an approved claim (or a family-allowance right)."""

    # The payee: a registry person, or (guardian, orphan without record) a name only.
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefits_in_payment",
        verbose_name=_("bénéficiaire (immatriculé)"),
    )
    payee_name = models.CharField(_("bénéficiaire"), max_length=200)
    # Whose right it is when the payee is someone else (the orphan paid to a guardian, the child).
    dependant = models.ForeignKey(
        "registry.Dependant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ayant droit"),
    )
    guardian_name = models.CharField(
        _("tuteur (perçoit pour l'ayant droit)"), max_length=200, blank=True
    )
    claim = models.ForeignKey(
        "benefits.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="benefits_in_payment",
        verbose_name=_("demande"),
    )
    beneficiary = models.ForeignKey(
        "benefits.Beneficiary",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ayant droit survivant"),
    )
    kind = models.CharField(_("prestation"), max_length=20, choices=BenefitKind.choices)
    frequency = models.CharField(
        _("périodicité"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    timing = models.CharField(
        _("échéance"), max_length=8, choices=Timing.choices, default=Timing.ARREARS
    )
    start_date = models.DateField(_("date d'effet"))
    # Last day due (a stop, an age limit known in advance); null: open-ended.
    end_date = models.DateField(_("dernier jour dû"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.IN_PAYMENT
    )
    status_since = models.DateField(_("depuis le"))
    status_reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    payee_death_date = models.DateField(_("date du décès du bénéficiaire"), null=True, blank=True)
    # Life certificates are asked of payees abroad too; the campaign reads this to list them.
    resides_abroad = models.BooleanField(_("réside à l'étranger"), default=False)

    channel = models.CharField(_("mode de paiement"), max_length=12, choices=Channel.choices)
    account_holder = models.CharField(_("titulaire du compte"), max_length=200, blank=True)
    rib = models.CharField(_("RIB"), max_length=24, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    msisdn = models.CharField(_("numéro mobile money"), max_length=16, blank=True)
    operator = models.CharField(_("opérateur"), max_length=40, blank=True)
    paying_agency = models.CharField(_("agence payeuse"), max_length=120, blank=True)

    created_by = _user("+", _("mise en paiement par"))
    created_at = models.DateTimeField(_("mise en paiement le"))

    class Meta:
        verbose_name = _("prestation en paiement")
        verbose_name_plural = _("prestations en paiement")
        ordering = ["payee_name", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "kind", "status"]),
            models.Index(fields=["organisation", "channel"]),
            models.Index(fields=["person"]),
        ]
        constraints = [
            # One benefit per claim and survivor (the pensioner: beneficiary null, one per claim).
            models.UniqueConstraint(
                fields=["claim", "beneficiary"], name="uniq_benefit_claim_beneficiary"
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(beneficiary__isnull=True, claim__isnull=False),
                name="uniq_benefit_claim_pensioner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.payee_name}"

    @property
    def reference(self) -> str:
        return f"PP-{self.pk:07d}" if self.pk else "PP-?"

    @property
    def operator_label(self) -> str:
        """The operator's name (the benefit stores its code)."""
        return mobile_money_operators().get(self.operator, {}).get("label", self.operator)

    def amount_on(self, day) -> Decimal | None:
        """The monthly amount in force on `day` (None before the first version)."""
        version = (
            self.amount_versions.filter(effective_from__lte=day).order_by("-effective_from").first()
        )
        return version.monthly_amount if version else None


class Revaluation(TenantModel):
    """A board decision raising benefits in payment by a percent from a date."""

    decision = models.OneToOneField(
        "governance.Decision",
        on_delete=models.PROTECT,
        related_name="revaluation",
        verbose_name=_("décision du conseil"),
    )
    percent = models.DecimalField(_("taux de revalorisation (%)"), max_digits=7, decimal_places=3)
    effective_from = models.DateField(_("à compter du"))
    # Kinds of benefit raised (empty: every pension kind).
    kinds = models.JSONField(_("prestations revalorisées"), default=list, blank=True)
    # Four eyes: recorded (prepared) by one agent, applied by another (services.revaluation_apply).
    prepared_by = _user("+", _("préparée par"))
    prepared_at = models.DateTimeField(_("préparée le"), null=True, blank=True)
    applied_by = _user("+", _("appliquée par"))
    applied_at = models.DateTimeField(_("appliquée le"), null=True, blank=True)
    applied_count = models.PositiveIntegerField(_("prestations revalorisées"), default=0)

    class Meta:
        verbose_name = _("revalorisation")
        verbose_name_plural = _("revalorisations")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"+{self.percent} % {self.effective_from:%d/%m/%Y}"


class AmountVersion(TenantModel):
    """The monthly amount of a benefit from a date; a change is a new row, never an edit."""

    class Cause(models.TextChoices):
        INITIAL = "initial", _("liquidation approuvée")
        REVALUATION = "revaluation", _("revalorisation")
        REVISION = "revision", _("révision")
        ALLOWANCE = "allowance", _("barème des allocations")

    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.CASCADE, related_name="amount_versions"
    )
    effective_from = models.DateField(_("à compter du"))
    monthly_amount = models.DecimalField(_("montant mensuel"), max_digits=14, decimal_places=0)
    reason = models.CharField(_("motif"), max_length=12, choices=Cause.choices)
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décision"),
    )
    revaluation = models.ForeignKey(
        Revaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("revalorisation"),
    )
    liquidation = models.ForeignKey(
        "benefits.Liquidation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("liquidation"),
    )
    created_by = _user("+", _("enregistrée par"))
    created_at = models.DateTimeField(_("enregistrée le"))

    class Meta:
        verbose_name = _("montant en vigueur")
        verbose_name_plural = _("montants en vigueur")
        ordering = ["benefit", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "effective_from"], name="uniq_amount_version_from"
            )
        ]
        indexes = [models.Index(fields=["organisation", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.monthly_amount} {self.effective_from:%d/%m/%Y}"


class StatusChange(TenantModel):
    """One dated change of a benefit's state (and why, and by whom)."""

    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.CASCADE, related_name="status_changes"
    )
    on = models.DateField(_("à compter du"))
    status = models.CharField(_("état"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("précision"), max_length=300, blank=True)
    by = _user("+", _("par"))
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")
        ordering = ["benefit", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["benefit", "on"]),
            models.Index(fields=["organisation", "status", "on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.on:%d/%m/%Y}"


class ChannelChange(TenantModel):
    """A change of payment channel or details (old and new values, masked for display)."""

    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.CASCADE, related_name="channel_changes"
    )
    before = models.JSONField(_("avant"))
    after = models.JSONField(_("après"))
    note = models.CharField(_("précision"), max_length=300, blank=True)
    by = _user("+", _("par"))
    changed_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("changement de mode de paiement")
        verbose_name_plural = _("changements de mode de paiement")
        ordering = ["benefit", "changed_at", "id"]


class Overpayment(TenantModel):
    """An amount paid and not due (after a death…), recovered by deduction in later runs."""

    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.PROTECT, related_name="overpayments"
    )
    # The benefit the runs deduct it from; null: the overpayment's own benefit. A deceased
    # payee's benefit pays nothing more, so its overpayment is recovered from another (the
    # survivor's pension: services.overpayment_recover_from).
    recover_from = models.ForeignKey(
        BenefitInPayment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recoveries_owed",
        verbose_name=_("récupéré sur la prestation"),
    )
    amount = models.DecimalField(_("montant indu"), max_digits=14, decimal_places=0)
    recovered = models.DecimalField(
        _("montant récupéré"), max_digits=14, decimal_places=0, default=Decimal("0")
    )
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    period_from = models.DateField(_("payé à tort du"), null=True, blank=True)
    period_to = models.DateField(_("au"), null=True, blank=True)
    note = models.CharField(_("précision"), max_length=300, blank=True)
    created_by = _user("+", _("constaté par"))
    created_at = models.DateTimeField(_("constaté le"))

    class Meta:
        verbose_name = _("trop-perçu")
        verbose_name_plural = _("trop-perçus")
        ordering = ["benefit", "created_at", "id"]
        indexes = [models.Index(fields=["organisation", "benefit"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recovered__lte=models.F("amount"), recovered__gte=0),
                name="overpayment_recovered_within_amount",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.recovered})"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.recovered


class DeathRecord(TenantModel):
    """A payee's death as reported to the payroll (the registry keeps no death date yet)."""

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne décédée"),
    )
    # For a payee without a registry record: the benefit whose payee died.
    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    death_date = models.DateField(_("date du décès"))
    source = models.CharField(_("source de l'information"), max_length=200)
    survivors_claim = models.ForeignKey(
        "benefits.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demande de pension de survivants"),
    )
    recorded_by = _user("+", _("enregistré par"))
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("décès déclaré")
        verbose_name_plural = _("décès déclarés")
        ordering = ["-recorded_at", "-id"]


class CertificateSource(models.TextChoices):
    AGENT = "agent", _("présenté à un agent")
    EMBASSY = "embassy", _("transmis par une ambassade ou un consulat")
    ORGANISATION = "organisation", _("transmis par un autre organisme")


class LifeCertificateCampaign(TenantModel):
    """One organisation's yearly proof-of-life campaign and its suspension action."""

    year = models.PositiveSmallIntegerField(_("année"))
    window_start = models.DateField(_("ouverture"))
    window_end = models.DateField(_("clôture"))
    grace_end = models.DateField(_("fin du délai de grâce"))
    suspended_by = _user("+", _("suspensions par"))
    suspended_at = models.DateTimeField(_("suspensions le"), null=True, blank=True)
    suspended_count = models.PositiveIntegerField(_("prestations suspendues"), default=0)

    class Meta:
        verbose_name = _("campagne de certificats de vie")
        verbose_name_plural = _("campagnes de certificats de vie")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="uniq_life_campaign_year")
        ]

    def __str__(self) -> str:
        return str(self.year)


class LifeCertificate(TenantModel):
    """A proof of life for one benefit's payee, for one campaign."""

    campaign = models.ForeignKey(
        LifeCertificateCampaign, on_delete=models.PROTECT, related_name="certificates"
    )
    benefit = models.ForeignKey(
        BenefitInPayment, on_delete=models.CASCADE, related_name="life_certificates"
    )
    issued_on = models.DateField(_("établi le"))
    received_on = models.DateField(_("reçu le"))
    source = models.CharField(_("provenance"), max_length=12, choices=CertificateSource.choices)
    issuer = models.CharField(_("établi par (mairie, ambassade, organisme)"), max_length=200)
    reference = models.CharField(_("référence du certificat"), max_length=120, blank=True)
    recorded_by = _user("+", _("enregistré par"))
    recorded_at = models.DateTimeField(_("enregistré le"))

    class Meta:
        verbose_name = _("certificat de vie")
        verbose_name_plural = _("certificats de vie")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "benefit"], name="uniq_life_certificate_campaign"
            )
        ]
        indexes = [models.Index(fields=["organisation", "campaign"])]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.received_on:%d/%m/%Y}"
