"""Registry JSON API: the same services, selectors and tenant scope as the pages."""

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status
from ninja.errors import HttpError

from kafo.accounts.permissions import can
from kafo.api_errors import ERRORS
from kafo.organisations.tenancy import get_for_scope

from . import selectors, services
from .models import Dependant, Employer, Employment, Person
from .schemas import (
    DependantIn,
    DependantOut,
    EmployerIn,
    EmployerOut,
    EmployerPatch,
    EmploymentIn,
    EmploymentOut,
    PersonHitOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    SearchOut,
)

router = Router(tags=["registry"])


def _need(request, capability: str) -> None:
    if not can(request.user, capability):
        raise HttpError(403, "forbidden")


def _organisation(request):
    if request.user.organisation is None:
        raise HttpError(403, "only an agent of an organisation registers records")
    return request.user.organisation


def _employer_of_scope(pk: int) -> Employer:
    try:
        return get_for_scope(Employer, pk=pk)
    except Exception as exc:
        raise ValidationError({"employer_id": "unknown employer"}) from exc


@router.get("/search", response={200: SearchOut, **ERRORS}, url_name="api-search")
def search(request, q: str, limit: int = Query(20, ge=1, le=50)):
    _need(request, "registry.view")
    return {
        "persons": selectors.person_search(q, limit=limit),
        "employers": selectors.employer_search(q, limit=limit),
    }


@router.get("/persons", response={200: list[PersonHitOut], **ERRORS}, url_name="api-persons")
def persons_search(request, q: str, limit: int = Query(20, ge=1, le=50)):
    _need(request, "registry.view")
    return selectors.person_search(q, limit=limit)


@router.post("/persons", response={201: PersonOut, **ERRORS}, url_name="api-person-create")
def person_create(request, payload: PersonIn):
    _need(request, "registry.edit")
    data = payload.dict()
    number = data.pop("number")
    person = services.person_register(organisation=_organisation(request), data=data, number=number)
    return Status(201, person)


@router.get("/persons/{person_id}", response={200: PersonOut, **ERRORS}, url_name="api-person")
def person_get(request, person_id: int):
    _need(request, "registry.view")
    return selectors.person_detail(person_id)


@router.patch(
    "/persons/{person_id}", response={200: PersonOut, **ERRORS}, url_name="api-person-update"
)
def person_update(request, person_id: int, payload: PersonPatch):
    _need(request, "registry.edit")
    person = get_for_scope(Person, pk=person_id)
    return services.person_update(person=person, data=payload.dict(exclude_unset=True))


@router.get(
    "/persons/{person_id}/dependants",
    response={200: list[DependantOut], **ERRORS},
    url_name="api-person-dependants",
)
def dependants_list(request, person_id: int):
    _need(request, "registry.view")
    return list(get_for_scope(Person, pk=person_id).dependants.all())


@router.post(
    "/persons/{person_id}/dependants",
    response={201: DependantOut, **ERRORS},
    url_name="api-dependant-create",
)
def dependant_create(request, person_id: int, payload: DependantIn):
    _need(request, "registry.edit")
    person = get_for_scope(Person, pk=person_id)
    return Status(201, services.dependant_add(person=person, data=payload.dict()))


@router.delete(
    "/dependants/{dependant_id}", response={204: None, **ERRORS}, url_name="api-dependant"
)
def dependant_delete(request, dependant_id: int):
    _need(request, "registry.edit")
    services.dependant_remove(dependant=get_for_scope(Dependant, pk=dependant_id))
    return Status(204, None)


@router.get(
    "/persons/{person_id}/employments",
    response={200: list[EmploymentOut], **ERRORS},
    url_name="api-person-employments",
)
def employments_list(request, person_id: int):
    _need(request, "registry.view")
    return list(get_for_scope(Person, pk=person_id).employments.all())


@router.post(
    "/persons/{person_id}/employments",
    response={201: EmploymentOut, **ERRORS},
    url_name="api-employment-create",
)
def employment_create(request, person_id: int, payload: EmploymentIn):
    _need(request, "registry.edit")
    person = get_for_scope(Person, pk=person_id)
    data = payload.dict()
    data["employer"] = _employer_of_scope(data.pop("employer_id"))
    return Status(201, services.employment_add(person=person, data=data))


@router.delete(
    "/employments/{employment_id}", response={204: None, **ERRORS}, url_name="api-employment"
)
def employment_delete(request, employment_id: int):
    _need(request, "registry.edit")
    services.employment_remove(employment=get_for_scope(Employment, pk=employment_id))
    return Status(204, None)


@router.get("/employers", response={200: list[EmployerOut], **ERRORS}, url_name="api-employers")
def employers_search(request, q: str, limit: int = Query(20, ge=1, le=50)):
    _need(request, "registry.view")
    return selectors.employer_search(q, limit=limit)


@router.post("/employers", response={201: EmployerOut, **ERRORS}, url_name="api-employer-create")
def employer_create(request, payload: EmployerIn):
    _need(request, "registry.edit")
    data = payload.dict()
    number = data.pop("number")
    return Status(
        201,
        services.employer_register(organisation=_organisation(request), data=data, number=number),
    )


@router.get(
    "/employers/{employer_id}", response={200: EmployerOut, **ERRORS}, url_name="api-employer"
)
def employer_get(request, employer_id: int):
    employer = get_for_scope(Employer, pk=employer_id)
    if not can(request.user, "registry.view") and request.user.employer_id != employer.pk:
        raise HttpError(403, "forbidden")
    return employer


@router.patch(
    "/employers/{employer_id}",
    response={200: EmployerOut, **ERRORS},
    url_name="api-employer-update",
)
def employer_update(request, employer_id: int, payload: EmployerPatch):
    _need(request, "registry.edit")
    employer = get_for_scope(Employer, pk=employer_id)
    return services.employer_update(employer=employer, data=payload.dict(exclude_unset=True))
