"""The demo zone generator: deterministic, valid registry data, demo logins, no double run."""

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from kafo.accounts.models import User
from kafo.audit.models import AuditEvent
from kafo.organisations.models import Organisation
from kafo.registry import services
from kafo.registry.demo import generate, load
from kafo.registry.domain import birth_dates, names, registration_numbers
from kafo.registry.models import (
    Dependant,
    Employer,
    Employment,
    Establishment,
    NumberSequence,
    Person,
    PersonNameKey,
)

PERSONS = 300
EMPLOYERS = 20


def _seed(seed=7, **kwargs):
    return load.demo_seed(seed=seed, persons=PERSONS, employers=EMPLOYERS, **kwargs)


@pytest.fixture
def seeded(db):
    return _seed()


def _precision(value):
    return birth_dates.Precision(value)


def test_same_seed_gives_the_same_zone_and_another_seed_another(db):
    _seed(seed=7)
    first = load.registry_digest()
    _seed(seed=7, reset=True)
    assert load.registry_digest() == first
    _seed(seed=8, reset=True)
    assert load.registry_digest() != first


def test_counts_and_distribution_over_organisations(seeded):
    totals = seeded.totals()
    distinct = PERSONS
    assert totals["persons"] == distinct + len(seeded.cross_registrations)
    assert Person.unscoped.count() == totals["persons"]
    assert Employer.unscoped.count() == totals["employers"] == EMPLOYERS
    assert Establishment.unscoped.count() == totals["establishments"]
    assert Dependant.unscoped.count() == totals["dependants"]
    assert Employment.unscoped.count() == totals["employments"]
    per_org = Counter(Person.unscoped.values_list("organisation__code", flat=True))
    # Every organisation with demo data (names, places, phones of its country) has persons; the
    # organisations added for the benefit rules (CNSS-BJ, CNSS-TG, CNPS-CM) have none yet.
    assert set(per_org) == set(generate.ORGANISATION_WEIGHTS)
    assert Organisation.objects.exclude(code__in=generate.ORGANISATION_WEIGHTS).count() == 3
    assert per_org["CNPS-CI"] > per_org["CNSS-NE"] > per_org["CMSS-ML"]
    assert per_org["INPS-ML"] > per_org["IPRES-SN"]


def test_every_record_passes_model_validation(seeded):
    for model in (Employer, Establishment, Person, Dependant, Employment):
        rows = list(model.unscoped.order_by("pk"))
        for row in rows[:: max(1, len(rows) // 150)]:  # a spread sample: checks query the db
            row.full_clean()


def test_registration_numbers_are_valid_and_later_registrations_continue(seeded):
    for number in Person.unscoped.values_list("number", flat=True):
        assert registration_numbers.is_valid(number, registration_numbers.PERSON_DIGITS)
    for number in Employer.unscoped.values_list("number", flat=True):
        assert registration_numbers.is_valid(number, registration_numbers.EMPLOYER_DIGITS)
    org = Organisation.objects.get(code="INPS-ML")
    persons = Person.unscoped.filter(organisation=org).count()
    employers = Employer.unscoped.filter(organisation=org).count()
    seq = {s.kind: s.last_value for s in NumberSequence.unscoped.filter(organisation=org)}
    assert seq == {"person": persons, "employer": employers}
    # Numbers follow registration dates within an organisation.
    dates = list(
        Person.unscoped.filter(organisation=org)
        .order_by("number")
        .values_list("registered_on", flat=True)
    )
    assert dates == sorted(dates)
    person = services.person_register(
        organisation=org,
        data={
            "family_name": "Diarra",
            "given_names": "Awa",
            "sex": "F",
            "birth_date": dt.date(1990, 5, 4),
        },
    )
    assert person.number == registration_numbers.format_number(
        persons + 1, registration_numbers.PERSON_DIGITS
    )


def test_national_ids_match_their_country_format_and_are_unique(seeded):
    counted = Counter()
    for org in Organisation.objects.select_related("country"):
        ids = list(
            Person.unscoped.filter(organisation=org)
            .exclude(national_id="")
            .values_list("national_id", flat=True)
        )
        assert len(ids) == len(set(ids)), org.code
        pattern = org.country.national_id_pattern
        for value in ids:
            if pattern:
                assert re.fullmatch(pattern, value), (org.code, value)
            counted[org.country_id] += 1
    assert set(counted) == {"ML", "SN", "CI", "BF", "NE"}
    # Senegal's card starts with the sex digit.
    for sex, nid in (
        Person.unscoped.filter(organisation__country="SN")
        .exclude(national_id="")
        .values_list("sex", "national_id")
    ):
        assert nid[0] == ("1" if sex == "M" else "2")


def test_phones_addresses_and_birth_dates_look_like_the_zone(seeded):
    prefixes = {"ML": "+223 ", "SN": "+221 ", "CI": "+225 ", "BF": "+226 ", "NE": "+227 "}
    for country, phone in Person.unscoped.exclude(phone="").values_list(
        "organisation__country", "phone"
    ):
        assert phone.startswith(prefixes[country]), phone
    precisions = Counter(Person.unscoped.values_list("birth_date_precision", flat=True))
    assert precisions["year"] > 0 and precisions["month"] > 0 and precisions["day"] > 0
    old = Person.unscoped.filter(birth_date__year__lt=1970)
    assert old.filter(birth_date_precision="year").count() > old.count() / 4
    for person in Person.unscoped.filter(birth_date_precision="year"):
        assert (person.birth_date.month, person.birth_date.day) == (1, 1)
    assert Person.unscoped.filter(birth_place__in=["Bko", "BAMAKO", "Bamakó"]).exists()
    assert Person.unscoped.exclude(mother_name="").exists()


def test_children_born_after_parents_of_a_listed_spouse(seeded):
    children = Dependant.unscoped.filter(relationship="child").select_related(
        "person", "other_parent"
    )
    assert children.count() > 50
    for child in children:
        person = child.person
        assert birth_dates.certainly_before(
            person.birth_date,
            _precision(person.birth_date_precision),
            child.birth_date,
            _precision(child.birth_date_precision),
        ), child
        assert child.marriage_date is None
        if child.filiation in ("legitimate", "adopted"):
            spouse = child.other_parent
            assert spouse.person_id == person.pk and spouse.relationship == "spouse"
            mother = spouse if person.sex == "M" else person
            assert mother.sex == "F"
            assert child.birth_date >= spouse.marriage_date
            assert birth_dates.certainly_before(
                mother.birth_date,
                _precision(mother.birth_date_precision),
                child.birth_date,
                _precision(child.birth_date_precision),
            )
        else:
            assert child.filiation == "natural" and child.other_parent is None
    spouses = Dependant.unscoped.filter(relationship="spouse")
    assert not spouses.exclude(filiation="").exists()
    for spouse in spouses.select_related("person"):
        assert spouse.sex != spouse.person.sex
        assert spouse.marriage_date <= generate.REFERENCE_DATE
    wives = Counter(spouses.filter(person__sex="M").values_list("person_id", flat=True))
    assert max(wives.values()) >= 2  # polygamous marriages, legal in several member states


def test_employments_with_an_employer_of_the_same_organisation_after_age_15(seeded):
    employments = Employment.unscoped.select_related("person", "employer")
    assert employments.count() >= PERSONS
    assert not Person.unscoped.filter(employments__isnull=True).exists()
    for emp in employments:
        person = emp.person
        assert emp.employer.organisation_id == person.organisation_id == emp.organisation_id
        latest_birth = birth_dates.interval(
            person.birth_date, _precision(person.birth_date_precision)
        )[1]
        assert emp.start_date > latest_birth.replace(year=latest_birth.year + 15), emp
        assert emp.start_date <= generate.REFERENCE_DATE
        assert emp.end_date is None or emp.end_date > emp.start_date


def test_name_keys_are_the_search_index_of_every_person(seeded):
    keys = defaultdict(list)
    for person_id, key in PersonNameKey.unscoped.order_by("pk").values_list("person_id", "key"):
        keys[person_id].append(key)
    for person in Person.unscoped.all():
        assert keys[person.pk] == names.name_keys(f"{person.family_name} {person.given_names}")


def test_cross_registrations_are_variant_spellings_whose_keys_still_match(seeded):
    pairs = seeded.cross_registrations
    assert len(pairs) >= 5
    by_number = {
        (p.organisation.code, p.number): p for p in Person.unscoped.select_related("organisation")
    }
    different_spelling = 0
    for first_key, second_key, variants in pairs:
        first, second = by_number[first_key], by_number[second_key]
        assert first.organisation_id != second.organisation_id
        assert variants
        assert first.sex == second.sex
        assert first.birth_date.year == second.birth_date.year
        first_keys = set(PersonNameKey.unscoped.filter(person=first).values_list("key", flat=True))
        second_keys = set(
            PersonNameKey.unscoped.filter(person=second).values_list("key", flat=True)
        )
        assert second_keys <= first_keys
        if (first.family_name, first.given_names) != (second.family_name, second.given_names):
            different_spelling += 1
        assert second.employments.exists()
        if first.organisation.country_id != second.organisation.country_id:
            assert not (first.national_id and first.national_id == second.national_id)
    assert different_spelling >= len(pairs) - sum("year_only" in v for _a, _b, v in pairs)


def test_spelling_variants_of_the_generator():
    org = [
        generate.OrganisationInfo("INPS-ML", "ML", r"^\d{14}[A-Z]$"),
        generate.OrganisationInfo("CNPS-CI", "CI", r"^\d{11}$"),
        generate.OrganisationInfo("CMSS-ML", "ML", r"^\d{14}[A-Z]$"),
    ]
    plan = generate.build_zone(organisations=org, seed=3, persons=3000, employers=30)
    kinds = Counter(v for c in plan.cross_registrations for v in c.variants)
    assert {
        "family_spelling",
        "given_spelling",
        "swapped",
        "second_given_dropped",
        "year_only",
        "accents",
    } <= set(kinds)
    spellings = {
        (c.first.family_name, c.second.family_name)
        for c in plan.cross_registrations
        if "family_spelling" in c.variants and "swapped" not in c.variants
    }
    assert spellings
    assert all(names.fold(a) != names.fold(b) for a, b in spellings)
    assert all(
        names.phonetic_key(names.fold(a)) == names.phonetic_key(names.fold(b)) for a, b in spellings
    )


def test_national_id_from_pattern():
    rng = generate.random.Random(1)
    for pattern in (r"^\d{14}[A-Z]$", r"^[12]\d{12}$", r"^\d{11}$", r"^CI\d{3,5}-[A-F]$"):
        value = generate.id_from_pattern(pattern, rng)
        assert value and re.fullmatch(pattern, value)
    assert generate.id_from_pattern(r"^(a|b)\d+$", rng) is None


def test_demo_logins_one_per_organisation_and_role(seeded):
    expected_roles = {
        "agent": "registration_agent",
        "cotisations": "contributions_manager",
        "liquidateur": "benefits_officer",
        "approbateur": "approver",
        "paiement": "payment_officer",
        "directeur": "director",
        "liaison": "liaison_officer",
        "employeur": "employer",
    }
    logins = {login.username: login for login in seeded.logins}
    # 10 organisations × 8 roles + the zone administrator, less the employer logins of the 3
    # organisations without demo employers (CNSS-BJ, CNSS-TG, CNPS-CM).
    assert len(logins) == 10 * 8 + 1 - 3
    for org in Organisation.objects.all():
        for suffix, role in expected_roles.items():
            if role == "employer" and org.code not in generate.ORGANISATION_WEIGHTS:
                assert not User.objects.filter(username=f"{org.code.lower()}.{suffix}").exists()
                continue
            user = User.objects.get(username=f"{org.code.lower()}.{suffix}")
            assert user.organisation_id == org.pk
            assert user.role_codes() == {role}
            if role == "employer":
                assert user.employer.organisation_id == org.pk
                assert user.employer.status == "active"
                assert user.is_employer_user
            else:
                assert user.employer is None
    admin = User.objects.get(username="zone.admin")
    assert admin.is_superuser and admin.is_staff and admin.organisation is None
    assert admin.role_codes() == {"zone_admin"}
    assert admin.check_password(load.DEFAULT_PASSWORD)
    hashes = set(User.objects.filter(username__in=logins).values_list("password", flat=True))
    assert len(hashes) == 1


def test_one_audit_event_per_organisation(seeded):
    events = AuditEvent.unscoped.filter(object_type="demo_seed")
    assert events.count() == 7
    inps = events.get(organisation__code="INPS-ML")
    assert inps.action == "create"
    assert inps.changes["persons"] == seeded.counts["INPS-ML"]["persons"]
    assert AuditEvent.unscoped.count() == 7


def test_refuses_to_run_again_without_reset(seeded):
    digest = load.registry_digest()
    users = User.objects.count()
    with pytest.raises(load.DemoDataExists):
        _seed(seed=9)
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", "--persons", "50", "--employers", "5")
    assert load.registry_digest() == digest
    assert User.objects.count() == users
    assert AuditEvent.unscoped.filter(object_type="demo_seed").count() == 7


def test_reset_replaces_the_data_and_keeps_the_logins(seeded):
    agent = User.objects.get(username="inps-ml.agent")
    result = _seed(seed=11, reset=True, password="autre-mot-de-passe")
    agent.refresh_from_db()
    assert agent.check_password("autre-mot-de-passe")
    assert User.objects.filter(username="inps-ml.agent").count() == 1
    assert Person.unscoped.count() == PERSONS + len(result.cross_registrations)
    numbers = Person.unscoped.values_list("organisation_id", "number")
    assert len(set(numbers)) == len(numbers)


def test_command_prints_logins_and_counts(db, capsys):
    call_command("seed_demo", "--persons", "60", "--employers", "8", "--seed", "5")
    out = capsys.readouterr().out
    assert "inps-ml.agent" in out and "zone.admin" in out and "kafo-demo-2026" in out
    assert "cnps-ci.employeur" in out
    assert re.search(r"total\s+8\s+\d+\s+\d+", out)


def test_the_demo_seed_builds_the_zone_index(db):
    """Issue 18: the demo starts with the zone index built (no shell command for the clerk)."""
    from io import StringIO

    from kafo.identity.models import ZoneLink
    from kafo.organisations.tenancy import zone_scope

    call_command("seed_demo", persons=120, employers=10, stdout=StringIO())
    with zone_scope():
        records = Person.objects.count()
    assert records >= 120  # (and the cross-registrations)
    assert ZoneLink.unscoped.count() == records
