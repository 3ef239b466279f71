from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.organisations.tenancy import TenantModel

from .domain import birth_dates


class NumberSequence(TenantModel):
    """Last registration number handed out, per organisation and kind (locked when used)."""

    kind = models.CharField(max_length=20)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="uniq_sequence_kind")
        ]


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    SUSPENDED = "suspended", _("suspendu")
    CLOSED = "closed", _("fermé")


class RiskClass(models.IntegerChoices):
    CLASS_1 = 1, _("Classe 1 (risque faible)")
    CLASS_2 = 2, _("Classe 2")
    CLASS_3 = 3, _("Classe 3")
    CLASS_4 = 4, _("Classe 4 (risque élevé)")


class Employer(TenantModel):
    number = models.CharField(_("numéro d'immatriculation"), max_length=12)
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    trade_register_id = models.CharField(_("RCCM"), max_length=40, blank=True)
    tax_id = models.CharField(_("identifiant fiscal"), max_length=40, blank=True)
    sector = models.CharField(_("secteur d'activité"), max_length=100, blank=True)
    risk_class = models.PositiveSmallIntegerField(
        _("classe de risque AT/MP"), choices=RiskClass.choices, default=RiskClass.CLASS_1
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    city = models.CharField(_("ville"), max_length=80, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=EmployerStatus.choices, default=EmployerStatus.ACTIVE
    )
    status_since = models.DateField(_("statut depuis le"))
    registered_on = models.DateField(_("immatriculé le"))
    search_name = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = _("employeur")
        verbose_name_plural = _("employeurs")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="uniq_employer_number")
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.number})"


class Establishment(TenantModel):
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="establishments")
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    city = models.CharField(_("ville"), max_length=80, blank=True)
    opened_on = models.DateField(_("ouvert le"), null=True, blank=True)
    closed_on = models.DateField(_("fermé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("établissement")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    MALE = "M", _("masculin")
    FEMALE = "F", _("féminin")


class DatePrecision(models.TextChoices):
    DAY = "day", _("jour exact")
    MONTH = "month", _("mois seulement")
    YEAR = "year", _("année seulement (« vers »)")


class Person(TenantModel):
    number = models.CharField(_("numéro d'immatriculation"), max_length=12)
    family_name = models.CharField(_("nom"), max_length=80)
    given_names = models.CharField(_("prénoms"), max_length=120)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date de naissance"))
    birth_date_precision = models.CharField(
        _("précision de la date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    birth_place = models.CharField(_("lieu de naissance"), max_length=100, blank=True)
    mother_name = models.CharField(_("nom de la mère"), max_length=160, blank=True)
    national_id = models.CharField(_("identifiant national"), max_length=30, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    registered_on = models.DateField(_("immatriculé le"))

    class Meta:
        verbose_name = _("assuré")
        verbose_name_plural = _("assurés")
        ordering = ["family_name", "given_names"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="uniq_person_number")
        ]
        indexes = [models.Index(fields=["organisation", "national_id"])]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_names} ({self.number})"

    @property
    def full_name(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}"

    @property
    def birth_date_display(self) -> str:
        return birth_dates.display(
            self.birth_date, birth_dates.Precision(self.birth_date_precision)
        )


class PersonNameKey(TenantModel):
    """One phonetic key of one word of a person's names: the index the search reads."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=40)

    class Meta:
        # (organisation, key) for the search; key alone for the zone index's registration hints.
        indexes = [models.Index(fields=["organisation", "key"]), models.Index(fields=["key"])]


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("conjoint(e)")
    CHILD = "child", _("enfant")


class Filiation(models.TextChoices):
    LEGITIMATE = "legitimate", _("légitime")
    NATURAL = "natural", _("naturelle reconnue")
    ADOPTED = "adopted", _("adoptive")


class Dependant(TenantModel):
    """A spouse (several are legal in several member states) or a child of an insured person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dependants")
    relationship = models.CharField(_("lien"), max_length=10, choices=Relationship.choices)
    family_name = models.CharField(_("nom"), max_length=80)
    given_names = models.CharField(_("prénoms"), max_length=120)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("précision de la date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    marriage_date = models.DateField(_("date du mariage"), null=True, blank=True)
    marriage_end_date = models.DateField(_("fin du mariage"), null=True, blank=True)
    filiation = models.CharField(
        _("filiation"), max_length=12, choices=Filiation.choices, blank=True
    )
    other_parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("autre parent (conjoint)"),
    )

    class Meta:
        verbose_name = _("ayant droit")
        verbose_name_plural = _("ayants droit")
        ordering = ["relationship", "birth_date"]

    def __str__(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}"

    @property
    def birth_date_display(self) -> str:
        return birth_dates.display(
            self.birth_date, birth_dates.Precision(self.birth_date_precision)
        )


class Employment(TenantModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    job_title = models.CharField(_("emploi"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("emploi")
        verbose_name_plural = _("emplois")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["organisation", "employer", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.employer_id} {self.start_date}"
