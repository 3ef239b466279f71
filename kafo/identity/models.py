"""The zone person index: which person records of which organisations are one human.

A `ZonePerson` holds no personal data: only an id that the records of every organisation point
to. Links, review items and link changes are tenant rows of the organisation that owns the
record, so an agent reads them through the same scope as everything else.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel


class ZonePerson(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personne de la zone")

    def __str__(self) -> str:
        return f"Z{self.pk:08d}"


class LinkMethod(models.TextChoices):
    BATCH = "batch", _("calcul de l'index")
    AGENT = "agent", _("décision d'un agent")
    SINGLE = "single", _("aucun autre dossier")


class ZoneLink(TenantModel):
    """One person record's place in the index."""

    person = models.OneToOneField(
        "registry.Person", on_delete=models.CASCADE, related_name="zone_link"
    )
    zone_person = models.ForeignKey(ZonePerson, on_delete=models.PROTECT, related_name="links")
    method = models.CharField(max_length=10, choices=LinkMethod.choices)
    # Best match weight (log2 odds) that tied this record to another of its zone person.
    weight = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    linked_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["zone_person"])]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.zone_person_id}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("à examiner")
    MERGED = "merged", _("même personne")
    DISTINCT = "distinct", _("personnes différentes")


class ReviewReason(models.TextChoices):
    """Why the engine sends a pair to people rather than deciding it (its reason codes)."""

    PROPOSED = (
        "proposed",
        _("le calcul les réunit, mais pas avec assez de certitude pour les lier seul"),
    )
    UNCERTAIN = "uncertain", _("incertain : autant de chances d'être une ou deux personnes")
    LARGE_CLUSTERS = (
        "large_clusters",
        _("la réponse réunit deux groupes de plusieurs dossiers chacun"),
    )
    HOMONYM_CHAIN = (
        "homonym_chain",
        _("une chaîne de liens tient ensemble des dossiers qui ne concordent pas (homonymes ?)"),
    )
    TWINS = (
        "twins",
        _(
            "jumeaux possibles : même nom de famille, même date et même lieu de naissance, "
            "même mère, autres prénoms"
        ),
    )


class ReviewItem(TenantModel):
    """An uncertain pair, as seen from the organisation that owns `person`.

    A pair across two organisations has one item on each side (`twin`). Each side answers for
    its own record: `status` is this side's answer only, and the two records are linked once
    both sides have answered "same person". A pair within one organisation is decided once for
    both items. The other record is shown only by its organisation's code and by which fields
    agreed.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="review_items"
    )
    other_person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    other_organisation_code = models.CharField(max_length=20)
    weight = models.FloatField()
    agreements = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    twin = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Place in the engine's review order (0 = review first): how much deciding changes the index.
    rank = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=20, choices=ReviewReason.choices, blank=True)
    # The engine's own words, shown only for a reason code the system does not know.
    reason_text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The merge or split an answer made, so that the answer can be undone from the item.
    change_batch = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["status", "rank", "-weight", "id"]
        indexes = [models.Index(fields=["organisation", "status", "rank"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "other_person"], name="uniq_review_pair")
        ]

    def __str__(self) -> str:
        # business numbers, never database ids (issue 18)
        return f"{self.person.number} ~ {self.other_person.number}"

    @property
    def probability(self) -> float:
        return 1 / (1 + 2.0 ** (-self.weight))


class ConstraintKind(models.TextChoices):
    CANNOT_LINK = "cannot_link", _("jamais liés")
    MUST_LINK = "must_link", _("toujours liés")


class LinkConstraint(TenantModel):
    """A reviewer's answer that every later rebuild of the index keeps.

    "Not the same" is a cannot-link: the two records never share a zone person. "Same person"
    is a must-link. Owned by the organisation that answered (the owner of `person`); an undone
    answer is kept with `active` false, so the trail stays readable.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    other_person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ConstraintKind.choices)
    review_item = models.ForeignKey(
        ReviewItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="constraints"
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["active", "kind"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.other_person_id}"


class HintQuota(models.Model):
    """How many registration-hint searches a user made in the current one-minute window.

    Kept in the database, not in Django's cache: the default cache is per process, so each
    server worker would count apart and a user would get the limit once per worker. One row per
    user, locked while it is counted, keeps the limit exact across workers.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.used} since {self.window_start:%H:%M:%S}"


class LinkChange(TenantModel):
    """A move of one record from one zone person to another: what merge, split and undo do."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    from_zone_person = models.ForeignKey(
        ZonePerson, on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_zone_person = models.ForeignKey(ZonePerson, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20)
    # Changes made by one merge or split share a batch id, so they are undone together.
    batch = models.UUIDField(db_index=True)
    undone = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_zone_person_id} → {self.to_zone_person_id}"
