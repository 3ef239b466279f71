"""Benefit rules as versioned data, beside the contribution rules (kafo/rules).

A `BenefitRuleVersion` holds one organisation's parameters for one kind of benefit from a start
date (`effective_from`) until the next version of the same key starts: a reform is a new row,
never an edit of history. `parameters` is the JSON that kafo/benefits/domain/rules.py
(`parse_rules`) validates into `PensionRules`; `provenance` gives, per parameter or section,
its source and, where the reference marks it **A** or CONFLICT, `assumption: true` with a note.
`assumption` is true when any parameter of the version is an assumption.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel
from kafo.rules.models import VersionedRule

from .domain.rules import PensionRules, parse_rules


class BenefitKind(models.TextChoices):
    OLD_AGE = "old_age", _("vieillesse et survivants")


class BenefitRuleVersion(VersionedRule):
    kind = models.CharField(_("prestation"), max_length=20, choices=BenefitKind.choices)
    parameters = models.JSONField(_("paramètres"))
    provenance = models.JSONField(_("sources et hypothèses par paramètre"), default=dict)

    VERSION_KEY = ("organisation", "kind")

    class Meta:
        verbose_name = _("version de règle de prestation")
        verbose_name_plural = _("versions de règles de prestation")
        ordering = ["organisation", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "effective_from"], name="uniq_benefit_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.kind} {self.effective_from.isoformat()}"

    @property
    def version_label(self) -> str:
        return f"{self.organisation.code} {self.kind} {self.effective_from.isoformat()}"

    def assumptions(self) -> list[dict]:
        """The parameters marked as assumptions, with their notes."""
        return [
            {"parameter": name, "source": p.get("source", ""), "note": p.get("note", "")}
            for name, p in sorted(self.provenance.items())
            if p.get("assumption")
        ]

    def rules(self) -> PensionRules:
        """The parameters as the domain's dataclass (validated when stored)."""
        return parse_rules(
            self.parameters,
            organisation=self.organisation.code,
            valid_from=self.effective_from,
            version=self.version_label,
            source=self.source,
            provenance=self.provenance,
        )


# --- claims (issue 13, items 2–4) -----------------------------------------------------------
#
# A claim goes opened → computed → submitted → approved / rejected → in payment; each step keeps
# who and when (the time between steps is a processing-time indicator). Each computation is a
# `Liquidation`: the inputs it read (career months and salaries, proven periods, claimant facts),
# the rule version, the trace and the result. The liquidation an approver signs is frozen
# (`approved_at` set): services never change it; a revision is a new liquidation, approved again.
# Writes only through kafo/benefits/claims.py (services), reads through claims_selectors.py.


class ClaimKind(models.TextChoices):
    PENSION = "pension", _("pension de vieillesse")
    EARLY_PENSION = "early_pension", _("pension de vieillesse anticipée")
    OLD_AGE_ALLOWANCE = "old_age_allowance", _("allocation de vieillesse")
    LUMP_SUM = "lump_sum", _("versement unique (remboursement, rachat)")
    SURVIVORS = "survivors", _("pension de survivants")


class ClaimStatus(models.TextChoices):
    OPENED = "opened", _("ouverte")
    COMPUTED = "computed", _("liquidée")
    SUBMITTED = "submitted", _("soumise à approbation")
    APPROVED = "approved", _("approuvée")
    REJECTED = "rejected", _("rejetée")
    IN_PAYMENT = "in_payment", _("en paiement")


def _user(related_name: str, verbose: str):
    return models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose,
    )


class Claim(TenantModel):
    """A benefit claim for an insured person (for survivors: the deceased insured person)."""

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="benefit_claims",
        verbose_name=_("assuré (défunt pour une pension de survivants)"),
    )
    kind = models.CharField(_("prestation demandée"), max_length=20, choices=ClaimKind.choices)
    claim_date = models.DateField(_("date de la demande"))
    death_date = models.DateField(_("date du décès"), null=True, blank=True)
    category = models.CharField(_("catégorie"), max_length=10, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.OPENED
    )
    opened_by = _user("+", _("ouverte par"))
    opened_at = models.DateTimeField(_("ouverte le"))
    computed_by = _user("+", _("liquidée par"))
    computed_at = models.DateTimeField(_("liquidée le"), null=True, blank=True)
    submitted_by = _user("+", _("soumise par"))
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    decided_by = _user("+", _("décidée par"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    # The delegation under which it was approved (None: approved by the director, by role).
    approved_under = models.ForeignKey(
        "governance.Delegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("délégation de signature"),
    )
    payment_started_by = _user("+", _("mise en paiement par"))
    payment_started_at = models.DateTimeField(_("mise en paiement le"), null=True, blank=True)
    # Set when a later rule version or a corrected declaration touches an approved computation.
    review_reason = models.TextField(_("à réexaminer"), blank=True)
    review_flagged_at = models.DateTimeField(_("signalée le"), null=True, blank=True)
    # A claim opened from another organisation's forwarded claim (convention CIPRES).
    origin_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisme d'origine de la demande"),
    )
    origin_reference = models.CharField(
        _("référence de la demande d'origine"), max_length=60, blank=True
    )

    class Meta:
        verbose_name = _("demande de prestation")
        verbose_name_plural = _("demandes de prestation")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"DP-{self.pk:06d}" if self.pk else "DP-?"


class ClaimDocument(TenantModel):
    """One item of the claim's checklist (copied from the organisation's list at opening)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("pièce"), max_length=200)
    required = models.BooleanField(_("obligatoire"), default=True)
    received = models.BooleanField(_("reçue"), default=False)
    received_at = models.DateTimeField(_("reçue le"), null=True, blank=True)
    received_by = _user("+", _("reçue par"))
    reference = models.CharField(_("référence de la pièce"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("pièce du dossier")
        verbose_name_plural = _("pièces du dossier")
        ordering = ["claim", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "code"], name="uniq_claim_document")
        ]

    def __str__(self) -> str:
        return self.label


class ProvenPeriod(TenantModel):
    """A month of insurance proven by a document, added by the officer to one claim.

    It is an input of the claim's computations (marked as proven in the trace), never a change of
    the declared career: it takes effect only when a liquidation using it is approved.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="proven_periods")
    period = models.CharField(_("période (AAAA-MM)"), max_length=7)
    gross_salary = models.DecimalField(_("salaire brut"), max_digits=14, decimal_places=0)
    days_worked = models.PositiveSmallIntegerField(_("jours travaillés"), null=True, blank=True)
    document_reference = models.CharField(_("pièce justificative"), max_length=200)
    added_by = _user("+", _("ajoutée par"))
    added_at = models.DateTimeField(_("ajoutée le"))

    class Meta:
        verbose_name = _("période prouvée")
        verbose_name_plural = _("périodes prouvées")
        ordering = ["claim", "period"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "period"], name="uniq_proven_period")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.gross_salary}"


class ClaimForeignPeriods(TenantModel):
    """The insured months another organisation communicated for one claim (convention CIPRES).

    Recorded from an approved answer to a request for periods (`foreign_periods_record`), or with
    a forwarded claim; the claim's computation totalises them (kafo/benefits/coordination.py).
    One row per (claim, organisation that answered): a later answer replaces it, audited.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="foreign_periods")
    source_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisme qui a communiqué les périodes"),
    )
    months = models.JSONField(_("mois d'assurance (AAAA-MM)"), default=list)
    # The salary basis per calendar year ({"2018": "1800000"}) when the answer carries it.
    salaries = models.JSONField(_("salaires par année"), null=True, blank=True)
    reference = models.CharField(_("référence de la réponse"), max_length=60, blank=True)
    received_at = models.DateTimeField(_("reçues le"))
    recorded_by = _user("+", _("enregistrées par"))

    class Meta:
        verbose_name = _("périodes d'un autre organisme")
        verbose_name_plural = _("périodes d'autres organismes")
        ordering = ["claim", "source_organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source_organisation"], name="uniq_claim_foreign_periods"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} ({len(self.months)})"


class Liquidation(TenantModel):
    """One computation of a claim, with everything it read; frozen once approved."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="liquidations")
    number = models.PositiveSmallIntegerField(_("n° de calcul"))  # 1, then 2 for a revision…
    computed_by = _user("+", _("calculée par"))
    computed_at = models.DateTimeField(_("calculée le"))
    on = models.DateField(_("calculée à la date du"))
    rule_version = models.ForeignKey(
        BenefitRuleVersion,
        on_delete=models.PROTECT,
        related_name="liquidations",
        verbose_name=_("version de règle"),
    )
    rule_versions = models.JSONField(_("versions de règles utilisées"), default=list)
    # {"claimant": {...}, "months": [{"period", "salary", "days", "insured", "source"}],
    #  "proven": [...], "elsewhere": [{"organisation", "months", "spans"}], ...}
    inputs = models.JSONField(_("données utilisées"))
    trace = models.JSONField(_("trace du calcul"))
    eligible = models.BooleanField(_("droit ouvert"))
    benefit = models.CharField(_("prestation due"), max_length=20)
    monthly_amount = models.DecimalField(
        _("montant mensuel"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    lump_sum_amount = models.DecimalField(
        _("versement unique"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    insured_months = models.PositiveIntegerField(_("mois d'assurance"))
    reference_salary = models.DecimalField(
        _("salaire de référence"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(_("taux (%)"), max_digits=7, decimal_places=3, null=True, blank=True)
    start_date = models.DateField(_("date d'effet"), null=True, blank=True)
    gaps = models.JSONField(_("mois sans déclaration"), default=list)
    reasons = models.JSONField(_("motifs"), default=list)
    approved_at = models.DateTimeField(_("approuvée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("liquidation")
        verbose_name_plural = _("liquidations")
        ordering = ["claim", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="uniq_liquidation_number")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} #{self.number}"

    @property
    def frozen(self) -> bool:
        return self.approved_at is not None

    @property
    def amount(self):
        """The amount an approver signs: the monthly amount, or the single payment."""
        return self.monthly_amount if self.monthly_amount is not None else self.lump_sum_amount


class Beneficiary(TenantModel):
    """A survivor (spouse or orphan, from the deceased's dependants) in one liquidation."""

    liquidation = models.ForeignKey(
        Liquidation, on_delete=models.PROTECT, related_name="beneficiaries"
    )
    dependant = models.ForeignKey(
        "registry.Dependant", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    name = models.CharField(_("nom"), max_length=200)
    relationship = models.CharField(_("lien"), max_length=10)  # "spouse" | "orphan"
    qualifies = models.BooleanField(_("a droit"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    monthly_amount = models.DecimalField(_("part mensuelle"), max_digits=14, decimal_places=0)

    class Meta:
        verbose_name = _("ayant droit survivant")
        verbose_name_plural = _("ayants droit survivants")
        ordering = ["liquidation", "relationship", "id"]

    def __str__(self) -> str:
        return self.name
