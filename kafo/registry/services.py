"""Writes of the registry: each atomic, validated, audited. Views and the API call only these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.interop import outbox
from kafo.organisations.models import Organisation

from .domain import birth_dates, names, national_ids, registration_numbers, text
from .models import (
    Dependant,
    Employer,
    Employment,
    Establishment,
    NumberSequence,
    Person,
    PersonNameKey,
    Relationship,
)

PERSON_FIELDS = (
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_place",
    "mother_name",
    "national_id",
    "phone",
    "address",
)
EMPLOYER_FIELDS = (
    "legal_name",
    "trade_register_id",
    "tax_id",
    "sector",
    "risk_class",
    "address",
    "city",
    "phone",
    "status",
    "status_since",
)
DEPENDANT_FIELDS = (
    "relationship",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "marriage_date",
    "marriage_end_date",
    "filiation",
    "other_parent",
)
EMPLOYMENT_FIELDS = ("employer", "start_date", "end_date", "job_title")


def _today() -> dt.date:
    return timezone.localdate()


def check_text_fields(model: type[models.Model], data: Mapping[str, Any]) -> None:
    """Refuse control, invisible and bidirectional characters in the free-text fields of `data`.

    Checked on the values as given, before any normalisation folds them away. Every service
    writing a registry record calls this first (pages, API, imports alike).
    """
    errors = {}
    for name, value in data.items():
        if not isinstance(value, str) or not value:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.CharField) or field.choices:
            continue
        bad = text.first_forbidden(value)
        if bad is not None:
            errors[name] = _(
                "%(field)s : caractère invisible ou de contrôle interdit en position "
                "%(position)d (%(code)s %(name)s)."
            ) % {
                "field": capfirst(field.verbose_name),
                "position": bad.position,
                "code": bad.code,
                "name": bad.name,
            }
    if errors:
        raise ValidationError(errors)


# --- registration numbers -------------------------------------------------------------------


def _next_sequence(organisation_id: int, kind: str) -> int:
    seq, _created = NumberSequence.unscoped.select_for_update().get_or_create(
        organisation_id=organisation_id, kind=kind
    )
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value


def _allocate_number(model, organisation_id: int, kind: str, digits: int) -> str:
    while True:  # skips numbers already taken by records imported with their own number
        number = registration_numbers.format_number(_next_sequence(organisation_id, kind), digits)
        if not model.unscoped.filter(organisation_id=organisation_id, number=number).exists():
            return number


def _check_given_number(model, organisation_id: int, number: str, digits: int, exclude_pk=None):
    if not registration_numbers.is_valid(number, digits):
        raise ValidationError(
            {
                "number": _("Numéro invalide : %(n)s chiffres et une clé de contrôle attendus.")
                % {"n": digits}
            }
        )
    taken = model.unscoped.filter(organisation_id=organisation_id, number=number)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"number": _("Ce numéro est déjà attribué dans cet organisme.")})


# --- employers ------------------------------------------------------------------------------


def _validate_employer(values: Mapping[str, Any]) -> None:
    errors = {}
    if not (values.get("legal_name") or "").strip():
        errors["legal_name"] = _("La raison sociale est obligatoire.")
    since = values.get("status_since")
    if since and since > _today():
        errors["status_since"] = _("La date ne peut pas être dans le futur.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employer_register(
    *, organisation: Organisation, data: Mapping[str, Any], number: str = ""
) -> Employer:
    """Register an employer; allocate its number unless a valid unused one is given."""
    check_text_fields(Employer, data)
    values = {k: data[k] for k in EMPLOYER_FIELDS if k in data and data[k] is not None}
    values.setdefault("status_since", _today())
    _validate_employer(values)
    if number:
        _check_given_number(Employer, organisation.pk, number, registration_numbers.EMPLOYER_DIGITS)
    else:
        number = _allocate_number(
            Employer, organisation.pk, "employer", registration_numbers.EMPLOYER_DIGITS
        )
    employer = Employer(
        organisation=organisation,
        number=number,
        registered_on=data.get("registered_on") or _today(),
        **values,
    )
    employer.search_name = names.fold(employer.legal_name)
    employer.full_clean(exclude=["organisation"])
    employer.save()
    audit.record_created(employer)
    return employer


@transaction.atomic
def employer_update(*, employer: Employer, data: Mapping[str, Any]) -> Employer:
    check_text_fields(Employer, data)
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    before = audit.snapshot(employer)
    old_status = employer.status
    for k in EMPLOYER_FIELDS:
        if k in data and data[k] is not None:
            setattr(employer, k, data[k])
    if employer.status != old_status and "status_since" not in data:
        employer.status_since = _today()
    _validate_employer(audit.snapshot(employer) | {"status_since": employer.status_since})
    employer.search_name = names.fold(employer.legal_name)
    employer.full_clean(exclude=["organisation"])
    employer.save()
    audit.record_updated(employer, before)
    return employer


@transaction.atomic
def establishment_add(*, employer: Employer, data: Mapping[str, Any]) -> Establishment:
    check_text_fields(Establishment, data)
    est = Establishment(
        organisation_id=employer.organisation_id,
        employer=employer,
        **{k: data.get(k) for k in ("name", "address", "city", "opened_on") if data.get(k)},
    )
    est.full_clean(exclude=["organisation", "employer"])
    est.save()
    audit.record_created(est, subject=employer)
    return est


# --- persons --------------------------------------------------------------------------------


def _validate_person(organisation: Organisation, values: Mapping[str, Any], exclude_pk=None):
    errors: dict[str, str] = {}
    for field in ("family_name", "given_names"):
        if not (values.get(field) or "").strip():
            errors[field] = _("Ce champ est obligatoire.")
    birth = values.get("birth_date")
    if birth and birth > _today():
        errors["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
    elif birth and birth.year < 1900:
        errors["birth_date"] = _("Date de naissance invraisemblable (avant 1900).")
    nid = national_ids.normalise(values.get("national_id") or "")
    if nid:
        country = organisation.country
        if national_ids.check(nid, country.national_id_pattern):
            errors["national_id"] = _(
                "%(name)s invalide : le format attendu au %(country)s n'est pas respecté."
            ) % {"name": country.national_id_name or _("identifiant"), "country": country.name}
        elif (
            Person.unscoped.filter(organisation=organisation, national_id=nid)
            .exclude(pk=exclude_pk)
            .exists()
        ):
            errors["national_id"] = _(
                "Cet identifiant national est déjà celui d'un autre assuré de l'organisme."
            )
    if errors:
        raise ValidationError(errors)


def _index_names(person: Person) -> None:
    PersonNameKey.unscoped.filter(person=person).delete()
    keys = names.name_keys(f"{person.family_name} {person.given_names}")
    PersonNameKey.unscoped.bulk_create(
        PersonNameKey(organisation_id=person.organisation_id, person=person, key=k) for k in keys
    )


def _person_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in PERSON_FIELDS if k in data and data[k] is not None}
    if "national_id" in values:
        values["national_id"] = national_ids.normalise(values["national_id"])
    for k in ("family_name", "given_names", "birth_place", "mother_name"):
        if k in values:
            values[k] = " ".join(str(values[k]).split())
    if values.get("birth_date"):
        precision = birth_dates.Precision(values.get("birth_date_precision") or "day")
        values["birth_date"] = birth_dates.normalise(values["birth_date"], precision)
    return values


@transaction.atomic
def person_register(
    *, organisation: Organisation, data: Mapping[str, Any], number: str = ""
) -> Person:
    """Register an insured person; allocate a number unless a valid unused one is given."""
    check_text_fields(Person, data)
    values = _person_values(data)
    _validate_person(organisation, values)
    if number:
        _check_given_number(Person, organisation.pk, number, registration_numbers.PERSON_DIGITS)
    else:
        number = _allocate_number(
            Person, organisation.pk, "person", registration_numbers.PERSON_DIGITS
        )
    person = Person(
        organisation=organisation,
        number=number,
        registered_on=data.get("registered_on") or _today(),
        **values,
    )
    person.full_clean(exclude=["organisation"])
    person.save()
    _index_names(person)
    audit.record_created(person)
    outbox.events_record(kind="registration", persons=[person])
    return person


@transaction.atomic
def person_update(*, person: Person, data: Mapping[str, Any]) -> Person:
    check_text_fields(Person, data)
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(person)
    for k, v in _person_values(data).items():
        setattr(person, k, v)
    _validate_person(
        person.organisation,
        audit.snapshot(person) | {"birth_date": person.birth_date},
        exclude_pk=person.pk,
    )
    _check_children_after_parent(person)
    person.full_clean(exclude=["organisation"])
    person.save()
    _index_names(person)
    audit.record_updated(person, before)
    return person


def _check_children_after_parent(person: Person) -> None:
    parent = (person.birth_date, birth_dates.Precision(person.birth_date_precision))
    for child in person.dependants.filter(relationship=Relationship.CHILD):
        if child.birth_date and birth_dates.certainly_before(
            child.birth_date, birth_dates.Precision(child.birth_date_precision), *parent
        ):
            raise ValidationError(
                {
                    "birth_date": _("L'assuré ne peut pas être né après son enfant %(c)s.")
                    % {"c": child}
                }
            )


# --- dependants -----------------------------------------------------------------------------


def _validate_dependant(person: Person, dep: Dependant) -> None:
    errors = {}
    today = _today()
    if dep.birth_date and dep.birth_date > today:
        errors["birth_date"] = _("La date de naissance ne peut pas être dans le futur.")
    elif (
        dep.relationship == Relationship.CHILD
        and dep.birth_date
        and not birth_dates.certainly_before(
            person.birth_date,
            birth_dates.Precision(person.birth_date_precision),
            dep.birth_date,
            birth_dates.Precision(dep.birth_date_precision),
        )
    ):
        errors["birth_date"] = _("L'enfant ne peut pas être né avant son parent (né %(d)s).") % {
            "d": person.birth_date_display
        }
    if dep.relationship == Relationship.CHILD and dep.marriage_date:
        errors["marriage_date"] = _("Une date de mariage ne concerne qu'un conjoint.")
    if dep.marriage_date and dep.marriage_date > today:
        errors["marriage_date"] = _("La date du mariage ne peut pas être dans le futur.")
    if dep.marriage_date and dep.marriage_end_date and dep.marriage_end_date < dep.marriage_date:
        errors["marriage_end_date"] = _("La fin du mariage précède le mariage.")
    if dep.relationship == Relationship.SPOUSE and dep.filiation:
        errors["filiation"] = _("La filiation ne concerne qu'un enfant.")
    if dep.other_parent_id and (
        dep.other_parent.person_id != person.pk
        or dep.other_parent.relationship != Relationship.SPOUSE
    ):
        errors["other_parent"] = _("L'autre parent doit être un conjoint de cet assuré.")
    if errors:
        raise ValidationError(errors)


def _dependant_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: data[k] for k in DEPENDANT_FIELDS if k in data}
    if values.get("birth_date"):
        precision = birth_dates.Precision(values.get("birth_date_precision") or "day")
        values["birth_date"] = birth_dates.normalise(values["birth_date"], precision)
    for k in ("filiation",):
        if values.get(k) is None and k in values:
            values[k] = ""
    return values


@transaction.atomic
def dependant_add(*, person: Person, data: Mapping[str, Any]) -> Dependant:
    check_text_fields(Dependant, data)
    dep = Dependant(
        organisation_id=person.organisation_id, person=person, **_dependant_values(data)
    )
    _validate_dependant(person, dep)
    dep.full_clean(exclude=["organisation", "person"])
    dep.save()
    audit.record_created(dep, subject=person)
    return dep


@transaction.atomic
def dependant_update(*, dependant: Dependant, data: Mapping[str, Any]) -> Dependant:
    check_text_fields(Dependant, data)
    dep = Dependant.objects.select_for_update().get(pk=dependant.pk)
    before = audit.snapshot(dep)
    for k, v in _dependant_values(data).items():
        setattr(dep, k, v)
    _validate_dependant(dep.person, dep)
    dep.full_clean(exclude=["organisation", "person"])
    dep.save()
    audit.record_updated(dep, before, subject=dep.person)
    return dep


@transaction.atomic
def dependant_remove(*, dependant: Dependant) -> None:
    before = audit.snapshot(dependant)
    person = dependant.person
    audit.record_deleted(dependant, before, subject=person)
    dependant.delete()


# --- employments ----------------------------------------------------------------------------


def _validate_employment(person: Person, emp: Employment) -> None:
    errors = {}
    if emp.employer_id and emp.employer.organisation_id != person.organisation_id:
        errors["employer"] = _("Employeur inconnu dans cet organisme.")
    if emp.start_date and emp.start_date > _today():
        errors["start_date"] = _("Le début ne peut pas être dans le futur.")
    if emp.start_date and emp.end_date and emp.end_date < emp.start_date:
        errors["end_date"] = _("La fin précède le début.")
    if emp.start_date and person.birth_date:
        earliest_work = birth_dates.interval(
            person.birth_date, birth_dates.Precision(person.birth_date_precision)
        )[0].replace(year=person.birth_date.year + 12)
        if emp.start_date < earliest_work:
            errors["start_date"] = _("L'assuré aurait eu moins de 12 ans au début de cet emploi.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employment_add(*, person: Person, data: Mapping[str, Any]) -> Employment:
    check_text_fields(Employment, data)
    emp = Employment(
        organisation_id=person.organisation_id,
        person=person,
        **{k: data[k] for k in EMPLOYMENT_FIELDS if k in data and data[k] is not None},
    )
    _validate_employment(person, emp)
    emp.full_clean(exclude=["organisation", "person"])
    insured = outbox.insured_on(person)
    emp.save()
    audit.record_created(emp, subject=person)
    outbox.insured_status_changed(person, before=insured)
    return emp


@transaction.atomic
def employment_update(*, employment: Employment, data: Mapping[str, Any]) -> Employment:
    check_text_fields(Employment, data)
    emp = Employment.objects.select_for_update().get(pk=employment.pk)
    before = audit.snapshot(emp)
    for k in EMPLOYMENT_FIELDS:
        if k in data:
            setattr(emp, k, data[k])
    _validate_employment(emp.person, emp)
    emp.full_clean(exclude=["organisation", "person"])
    insured = outbox.insured_on(emp.person)
    emp.save()
    audit.record_updated(emp, before, subject=emp.person)
    outbox.insured_status_changed(emp.person, before=insured)
    return emp


@transaction.atomic
def employment_remove(*, employment: Employment) -> None:
    before = audit.snapshot(employment)
    audit.record_deleted(employment, before, subject=employment.person)
    insured = outbox.insured_on(employment.person)
    employment.delete()
    outbox.insured_status_changed(employment.person, before=insured)
