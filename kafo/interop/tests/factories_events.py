"""Rows of the outbox and CRVS part for the tests (and the tenant-isolation walk)."""

import datetime as dt
import uuid

from django.utils import timezone

from kafo.interop.models import Partner
from kafo.interop.models_events import (
    CivilRegistry,
    DeathMatch,
    DeathNotice,
    DeathOutcome,
    MatchMethod,
)


def civil_registry(organisation, *, base_url="http://127.0.0.1:9", code=None, partner=None):
    """A CRVS and the partner whose token it presents when it calls Kafo."""
    partner = partner or Partner.objects.create(
        organisation=organisation,
        name="État civil",
        kind="registry",
        client_id="crvs-" + uuid.uuid4().hex[:10],
        client_secret_hash="!",
        created_at=timezone.now(),
    )
    return CivilRegistry.objects.create(
        code=code or "ec-" + uuid.uuid4().hex[:6],
        name="État civil du Mali",
        base_url=base_url,
        client_id="kafo",
        partner=partner,
    )


def death_match(organisation, person=None):
    """A death notice a weak match ties to a person of `organisation`, waiting for review."""
    from kafo.registry.tests.factories import person as make_person

    person = person or make_person(organisation, family_name="Traoré", given_names="Awa")
    notice = DeathNotice.objects.create(
        registry=civil_registry(organisation),
        transaction_id=uuid.uuid4().hex,
        reference_id="R-1",
        received_at=timezone.now(),
        family_name=person.family_name,
        given_names=person.given_names,
        birth_date=person.birth_date,
        death_date=dt.date(2025, 9, 14),
        outcome=DeathOutcome.REVIEW,
    )
    return DeathMatch.objects.create(
        organisation=organisation, notice=notice, person=person, method=MatchMethod.NAMES_BIRTH
    )
