"""Declarations of salaries (DNS), their lines and the workers still to be registered.

Storage choice: a line stores what the employer declared (worker, category, days, gross salary),
not the contributions computed from it. The declaration stores its totals, per branch and share,
and everything the computation used: the date whose rule versions were applied (`rules_on`) and
the employer's risk class (`risk_class`). Rule versions are never edited, so a line's
contributions are recomputed exactly, for display, by the same pure function
(`domain.compute.line_shares`). A million-line declaration thus writes a million narrow rows
(eleven columns instead of twenty-one), which is what bounds a bulk import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.contributions.domain.compute import format_amount
from kafo.organisations.tenancy import TenantModel


class EqualityIndex(models.Index):
    """A one-column index read only by equality (`column = value`): hash on PostgreSQL, b-tree
    elsewhere (SQLite has no other kind).

    PostgreSQL inserts into a hash index without descending a tree: on keys arriving in no
    order (a bulk import's persons), 0.6–1.1 s less per million lines than a b-tree into an
    empty table, within the noise on one holding earlier months (docs/contributions.md, Bulk).
    Hash indexes are WAL-logged and crash-safe since PostgreSQL 10.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING hash"
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def _money(label, **kw):
    return models.DecimalField(label, max_digits=16, decimal_places=0, default=0, **kw)


class DeclarationKind(models.TextChoices):
    ORIGINAL = "original", _("initiale")
    CORRECTIVE = "corrective", _("rectificative")


class DeclarationStatus(models.TextChoices):
    IN_FORCE = "in_force", _("en vigueur")
    SUPERSEDED = "superseded", _("remplacée par une rectificative")


class Channel(models.TextChoices):
    WEB = "web", _("formulaire web")
    FILE = "file", _("fichier déposé")
    API = "api", _("API")
    BULK = "bulk", _("import en masse")


class Declaration(TenantModel):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="declarations"
    )
    period = models.CharField(_("période"), max_length=7)
    kind = models.CharField(
        _("nature"),
        max_length=10,
        choices=DeclarationKind.choices,
        default=DeclarationKind.ORIGINAL,
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.IN_FORCE,
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rectifie"),
    )
    file_hash = models.CharField(_("empreinte du contenu"), max_length=64)
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("reçue le"))
    rules_on = models.DateField(_("règles en vigueur au"))
    risk_class = models.PositiveSmallIntegerField(
        _("classe de risque appliquée"), default=1
    )  # the employer's class when filed: a later change of class does not rewrite the past
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    pending_count = models.PositiveIntegerField(_("salariés à immatriculer"), default=0)
    total_salary = _money(_("masse salariale"))
    employer_total = _money(_("part employeur"))
    employee_total = _money(_("part salariale"))
    total = _money(_("total dû"))
    branch_totals = models.JSONField(_("totaux par branche"), default=dict)

    class Meta:
        verbose_name = _("déclaration")
        verbose_name_plural = _("déclarations")
        ordering = ["-period", "-submitted_at"]
        # The same content may be stored twice for a period: a correction back to a superseded
        # declaration's content (it reverts a wrong correction). A repeat of the content in
        # force is recognised by services._same_content and stored once.
        constraints = [
            # One declaration in force per employer and period, whatever the path (page, API,
            # bulk import) and however many submit at once. Overlapping periods (a month and its
            # quarter) are kept apart by the employer lock the import holds (services._store).
            models.UniqueConstraint(
                fields=["organisation", "employer", "period"],
                condition=models.Q(status="in_force"),
                name="uniq_declaration_in_force",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "employer", "period"])]

    def __str__(self) -> str:
        # the employer's business number, never its database id (issue 18)
        return f"DNS {self.period} {self.employer.number} ({self.get_kind_display()})"


class DeclarationLine(TenantModel):
    """One worker's line of a declaration (a bulk file stores millions of them).

    Indexes and constraints are kept to what reads need, because each one is paid on every
    line of a bulk import (bench/declarations.py; docs/contributions.md, Bulk):

    - `organisation`, `declaration` and `person` have no database foreign-key constraint
      (`db_constraint=False`). On PostgreSQL each one is a trigger fired per inserted row (at
      commit: Django's constraints are deferred), about 10 s per million lines each; on SQLite a
      look-up per row. Integrity is guaranteed by the only writers instead, set-based: the
      import (services._store) sets `organisation` to the importing organisation, takes every
      `declaration_id` from the declarations it has just created in the same transaction and
      every `person_id` from a look-up of that organisation's persons in that transaction;
      `pending_registration_resolve` sets a person it was given (same organisation, checked).
      None of these rows is ever deleted (PROTECT in Django, and no service deletes them).
    - No surrogate id: the primary key is (declaration, line_no), which is also the index the
      declaration page reads; a serial id cost PostgreSQL a sequence call and one more index
      entry per line (about 2 s per million). The only other full index is on `person`, for
      careers, which read it by equality only: a hash index on PostgreSQL (`EqualityIndex`).
      Person ids are unique across organisations; (organisation, person) cost 0.5 s more per
      million lines on PostgreSQL. Two partial indexes cover only the lines of unknown workers
      (2 % in the benchmark), which `pending_registration_resolve` updates.
    - No computed amounts (see the module docstring): recomputed from the declaration's rules.
    """

    pk = models.CompositePrimaryKey("declaration", "line_no")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    line_no = models.PositiveIntegerField(_("ligne"))
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    worker_number = models.CharField(max_length=20, blank=True)
    national_id = models.CharField(max_length=30, blank=True)
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120)
    category = models.CharField(max_length=10, default="standard")
    days_worked = models.PositiveSmallIntegerField()
    gross_salary = _money(_("salaire brut"))

    class Meta:
        ordering = ["line_no"]
        indexes = [
            EqualityIndex(fields=["person"], name="line_person_idx"),
            # lines of workers still to be registered, found again when one is resolved
            models.Index(
                fields=["organisation", "worker_number"],
                condition=models.Q(person__isnull=True),
                name="line_unknown_number_idx",
            ),
            models.Index(
                fields=["organisation", "national_id"],
                condition=models.Q(person__isnull=True),
                name="line_unknown_nid_idx",
            ),
        ]


class PendingStatus(models.TextChoices):
    OPEN = "open", _("à traiter")
    RESOLVED = "resolved", _("rattaché")


class PendingRegistration(TenantModel):
    """A declared worker unknown to the organisation, for an agent to register or match."""

    identity = models.CharField(max_length=40)  # "n:<worker number>" or "i:<national id>"
    employer = models.ForeignKey("registry.Employer", on_delete=models.PROTECT, related_name="+")
    first_declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="+")
    worker_number = models.CharField(max_length=20, blank=True)
    national_id = models.CharField(max_length=30, blank=True)
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=PendingStatus.choices, default="open")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("immatriculation en attente")
        verbose_name_plural = _("immatriculations en attente")
        ordering = ["family_name", "given_names"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "identity"], name="uniq_pending_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_names} ({self.identity})"


# --- Employer account -------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("cotisations dues")
    REVERSAL = "reversal", _("annulation (déclaration rectifiée)")
    PENALTY = "penalty", _("majoration de retard")
    LATE_FILING = "late_filing", _("majoration de déclaration tardive")
    PAYMENT = "payment", _("paiement")
    PAYMENT_REVERSAL = "payment_reversal", _("paiement rejeté (annulation)")
    # Taxation d'office (kafo/collection): a provisional amount for a period never declared,
    # a contribution debt of that period until the real declaration reverses it.
    ASSESSMENT = "assessment", _("taxation d'office (provisoire)")
    ASSESSMENT_REVERSAL = "assessment_reversal", _("annulation de la taxation d'office")


# Entries that are debts of the penalty kind (allocated after contributions, bear no penalty).
PENALTY_KINDS = (EntryKind.PENALTY, EntryKind.LATE_FILING)


class LedgerEntry(TenantModel):
    """One line of an employer's account. `amount` is signed: what the employer owes is positive
    (contributions, penalties), what settles it is negative (payments, reversals).

    `due_date` is when the amount is due (contributions: the period's due date; penalties: the
    day they were computed) or, for a payment, its value date. The account's allocation
    (oldest debt first) is derived from these rows by `domain.ledger.allocate`, never stored.
    """

    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("nature"), max_length=20, choices=EntryKind.choices)
    period = models.CharField(_("période"), max_length=7, blank=True)
    due_date = models.DateField(_("échéance / date de valeur"))
    amount = models.DecimalField(_("montant"), max_digits=16, decimal_places=0)
    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.OneToOneField(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    penalty_as_of = models.DateField(_("majoration calculée au"), null=True, blank=True)
    # A rejected payment (bounced cheque, returned transfer) is cancelled by a second entry;
    # the payment's own entry stays: the account keeps its whole history.
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    detail = models.JSONField(_("détail du calcul"), default=dict, blank=True)
    label = models.CharField(_("libellé"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("écriture du compte employeur")
        verbose_name_plural = _("écritures du compte employeur")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["organisation", "employer", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employer", "period", "penalty_as_of"],
                condition=models.Q(kind="penalty"),
                name="uniq_penalty_per_debt_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {format_amount(self.amount)}"


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("virement / dépôt bancaire")
    CASH = "cash", _("espèces (caisse)")
    MOBILE_MONEY = "mobile_money", _("mobile money")


class BankStatement(TenantModel):
    """An imported bank statement; the same content imported twice is recognised by its hash."""

    filename = models.CharField(_("fichier"), max_length=200)
    content_hash = models.CharField(max_length=64)
    line_count = models.PositiveIntegerField(_("lignes"))
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relevé bancaire")
        verbose_name_plural = _("relevés bancaires")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "content_hash"], name="uniq_bank_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.line_count})"


class Payment(TenantModel):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("date de valeur"))
    amount = models.DecimalField(_("montant"), max_digits=16, decimal_places=0)
    method = models.CharField(_("moyen"), max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(_("référence"), max_length=60, blank=True)
    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_on = models.DateField(_("rejeté le"), null=True, blank=True)
    reversal_reason = models.CharField(_("motif du rejet"), max_length=200, blank=True)
    # Recorded although it looked like this earlier payment (same reference but for its case,
    # or the same cash amount on the same day): the user confirmed it was another payment.
    probable_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("doublon probable confirmé de"),
    )

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "method", "reference"],
                condition=~models.Q(reference=""),
                name="uniq_payment_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.reference} {format_amount(self.amount)}"


class Certificate(TenantModel):
    """A certificate of good standing (attestation de régularité).

    `code` is random (secrets), 12 characters of an unambiguous alphabet (about 60 bits): anyone
    holding the paper checks it on the public page /verify/<code>/.
    """

    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(_("code de vérification"), max_length=16)
    issued_on = models.DateField(_("délivrée le"))
    valid_until = models.DateField(_("valable jusqu'au"))
    balance = models.DecimalField(_("solde à la délivrance"), max_digits=16, decimal_places=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_on = models.DateField(_("révoquée le"), null=True, blank=True)
    revoke_reason = models.CharField(_("motif de révocation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attestation de régularité")
        verbose_name_plural = _("attestations de régularité")
        ordering = ["-issued_on", "-pk"]
        # Unique with the organisation (a sharded table's unique keys include its distribution
        # column); the issuing service also checks the code is unused zone-wide.
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="uniq_certificate_code")
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return f"Attestation {self.code} ({self.issued_on:%d/%m/%Y})"

    def status_on(self, day) -> str:
        if self.revoked_on is not None and self.revoked_on <= day:
            return "revoked"
        if day > self.valid_until:
            return "expired"
        if day < self.issued_on:
            return "not_yet_valid"
        return "valid"
