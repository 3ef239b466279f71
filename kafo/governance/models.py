"""Governance: boards and their sessions, decisions followed to their deadline, plans and
roadmaps with their roll-up, delegations of signature granted by decisions.

Every row is tenant data: each organisation has its own boards and plans. An owner is a free
text name and unit (many owners have no login), optionally linked to a user of the organisation.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class BodyKind(models.TextChoices):
    BOARD = "board", _("Conseil d'administration")
    COMMITTEE = "committee", _("Comité")
    STEERING = "steering", _("Comité de pilotage")
    OTHER = "other", _("Autre instance")


class Body(TenantModel):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=BodyKind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("instance")
        verbose_name_plural = _("instances")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BodyMember(TenantModel):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("qualité"), max_length=100, help_text=_("Président, membre…"))
    unit = models.CharField(_("structure représentée"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte utilisateur"),
    )

    class Meta:
        verbose_name = _("membre")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Session(TenantModel):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveIntegerField(_("numéro"))
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    agenda = models.TextField(_("ordre du jour"), blank=True)
    attendees = models.ManyToManyField(
        BodyMember, blank=True, related_name="sessions", verbose_name=_("présents")
    )
    other_attendees = models.TextField(_("autres participants"), blank=True)
    minutes = models.FileField(_("procès-verbal"), upload_to="governance/minutes/", blank=True)

    class Meta:
        verbose_name = _("session")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="uniq_session_number")
        ]

    def __str__(self) -> str:
        return f"{self.body} — session n° {self.number}"


class Status(models.TextChoices):
    TODO = "todo", _("à faire")
    IN_PROGRESS = "in_progress", _("en cours")
    DONE = "done", _("réalisé")
    LATE = "late", _("en retard")
    DROPPED = "dropped", _("abandonné")


CLOSED_STATUSES = (Status.DONE, Status.DROPPED)


class OwnedItem(TenantModel):
    """Fields shared by decisions and actions: who answers for it and by when."""

    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte du responsable"),
    )
    owner_name = models.CharField(_("responsable"), max_length=200)
    owner_unit = models.CharField(_("structure du responsable"), max_length=200, blank=True)
    owner_email = models.EmailField(_("courriel du responsable"), blank=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.TODO
    )

    class Meta(TenantModel.Meta):
        abstract = True

    @property
    def reminder_address(self) -> str:
        if self.owner_email:
            return self.owner_email
        return self.owner_user.email if self.owner_user_id and self.owner_user.email else ""


class DecisionKind(models.TextChoices):
    GENERAL = "general", _("Décision")
    BUDGET = "budget", _("Budget")
    MANUAL = "manual", _("Manuel de procédures")
    DELEGATION = "delegation", _("Délégation de signature")
    PLAN = "plan", _("Adoption d'un plan")


class Decision(OwnedItem):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField(_("numéro"))
    kind = models.CharField(
        _("nature"), max_length=12, choices=DecisionKind.choices, default=DecisionKind.GENERAL
    )
    title = models.CharField(_("intitulé"), max_length=300)
    text = models.TextField(_("texte de la décision"), blank=True)
    deadline = models.DateField(_("échéance"), null=True, blank=True)
    follow_up_note = models.TextField(_("note de suivi"), blank=True)

    class Meta(OwnedItem.Meta):
        abstract = False
        verbose_name = _("décision")
        ordering = ["session__date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="uniq_decision_number")
        ]

    @property
    def reference(self) -> str:
        return f"S{self.session.number}-D{self.number}"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class DecisionStatusChange(TenantModel):
    """One dated line of a decision's status history (the evidence joins the change to done)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices)
    date = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(_("par"), max_length=150)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("justificatif"), upload_to="governance/evidence/", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("changement de statut")
        ordering = ["date", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision.reference} → {self.get_status_display()} ({self.date})"


class PlanKind(models.TextChoices):
    ACTION_PLAN = "action_plan", _("Plan d'action")
    ROADMAP = "roadmap", _("Feuille de route")


class Plan(TenantModel):
    title = models.CharField(_("intitulé"), max_length=300)
    kind = models.CharField(_("type"), max_length=12, choices=PlanKind.choices)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    description = models.TextField(_("description"), blank=True)
    adopted_by = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("adopté par la décision"),
    )

    class Meta:
        verbose_name = _("plan")
        ordering = ["-start_date", "title"]

    def __str__(self) -> str:
        return self.title


class Priority(TenantModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=300)
    owner_name = models.CharField(_("responsable"), max_length=200, blank=True)
    owner_unit = models.CharField(_("structure du responsable"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("axe prioritaire")
        verbose_name_plural = _("axes prioritaires")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_priority_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Action(OwnedItem):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=300)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("échéance"))
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    percent_done = models.PositiveSmallIntegerField(_("avancement (%)"), null=True, blank=True)
    note = models.TextField(_("note de suivi"), blank=True)

    class Meta(OwnedItem.Meta):
        abstract = False
        verbose_name = _("action")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="uniq_action_number")
        ]

    @property
    def deadline(self):
        return self.end_date

    @property
    def reference(self) -> str:
        return f"{self.priority.number}.{self.number}"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Indicator(TenantModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    priority = models.ForeignKey(
        Priority,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("axe"),
    )
    name = models.CharField(_("indicateur"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    baseline = models.DecimalField(_("valeur de référence"), max_digits=16, decimal_places=2)
    target = models.DecimalField(_("cible"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("indicateur")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class IndicatorMeasure(TenantModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measures")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("valeur mesurée"), max_digits=16, decimal_places=2)
    note = models.CharField(_("source / note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mesure")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="uniq_measure_date")
        ]


class DelegationKind(models.TextChoices):
    BENEFIT_APPROVAL = "benefit_approval", _("Approbation des prestations")
    PAYMENT = "payment", _("Ordonnancement des paiements")
    EXPENSE = "expense", _("Engagement des dépenses")
    CONTRACT = "contract", _("Signature des contrats")


class Delegation(TenantModel):
    """A delegation of signature: who may sign what, up to which amount, granted by a decision."""

    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("délégataire"),
    )
    kind = models.CharField(_("actes délégués"), max_length=20, choices=DelegationKind.choices)
    amount_ceiling = models.DecimalField(_("plafond"), max_digits=16, decimal_places=2)
    start_date = models.DateField(_("à compter du"))
    end_date = models.DateField(_("jusqu'au"), null=True, blank=True)
    # For benefit approvals: the benefit kinds covered (kafo.benefits.models.ClaimKind values);
    # empty covers every kind (a general delegation, as granted before the field existed).
    benefit_kinds = models.JSONField(_("prestations couvertes"), default=list, blank=True)
    granted_by = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("décision d'octroi"),
    )

    class Meta:
        verbose_name = _("délégation de signature")
        verbose_name_plural = _("délégations de signature")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.delegate} — {self.get_kind_display()}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("avant l'échéance")
    DUE = "due", _("échéance atteinte")
    OVERDUE = "overdue", _("en retard")


class ReminderSent(TenantModel):
    """One reminder e-mail sent; the unique key makes the daily command idempotent."""

    item_type = models.CharField(max_length=10)  # "decision" | "action"
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    bucket = models.DateField()
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id", "kind", "bucket"], name="uniq_reminder_bucket"
            )
        ]
