"""Registration hints as an attacker of another organisation would use them.

An agent of INPS-ML types a record again and again, changing one field at a time, and watches
the hints box: it must learn nothing but "a record probably exists at CNPS-CI", never the other
record's birth date or mother's name. And it may ask only so many times a minute.
"""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from kafo.identity import services
from kafo.identity.models import HintQuota
from kafo.registry.tests.factories import person

TRUE_BIRTH = dt.date(1975, 6, 14)

# What the attacker types: names tuned so the answer sits near the threshold, or far above it.
TYPED = [
    {"family_name": "Traoré", "given_names": "Fatoumata Binta"},
    {"family_name": "TRAORE", "given_names": "Fatoumata"},
    {"family_name": "Traorré", "given_names": "Fatoumata"},  # a typo in the family name
    {"family_name": "Traoré", "given_names": "Binta"},  # the second given name only
]


@pytest.fixture
def victim(zone):
    return person(
        zone["CNPS-CI"],
        "Traoré",
        "Fatoumata Binta",
        sex="F",
        birth_date=TRUE_BIRTH,
        birth_place="Abidjan",
        mother_name="Mariam Konaté",
        national_id="",
    )


@pytest.fixture
def attacker(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    return client


def _ask(client, typed: dict, birth: dt.date, **extra) -> tuple[int, str]:
    params = {"sex": "F", "birth": birth.strftime("%d/%m/%Y")} | typed | extra
    response = client.get(reverse("identity-hints"), params)
    return response.status_code, response.content.decode()


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_varying_the_birth_date_does_not_reveal_it(attacker, victim):
    # Every day from two months before to two months after the true date, for each way of
    # typing the names: the answers never depend on the day.
    days = [TRUE_BIRTH + dt.timedelta(days=d) for d in range(-60, 61)]
    assert all(day.year == TRUE_BIRTH.year for day in days)
    for typed in TYPED:
        answers = {_ask(attacker, typed, day) for day in days}
        assert len(answers) == 1, typed
        ((status, body),) = answers
        assert status == 200
        assert "Un dossier de cette personne existe probablement à CNPS-CI." in body
        for secret in ("14/06", "1975", "Abidjan", "Mariam", "Konaté", "probabilité", "naissance"):
            assert secret not in body


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_the_exact_day_and_a_day_off_answer_the_same_near_the_threshold(attacker, victim):
    # The weakest typing that still raises a hint for the true date raises it for the day
    # before too, and the weakest that raises none raises none for either.
    for typed in TYPED + [{"family_name": "Traorré", "given_names": "Binta"}]:
        exact = _ask(attacker, typed, TRUE_BIRTH, birth_place="Abidjan", mother_name="Mariam")
        day_off = _ask(
            attacker,
            typed,
            TRUE_BIRTH - dt.timedelta(days=1),
            birth_place="Abidjan",
            mother_name="Mariam",
        )
        assert exact == day_off, typed


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_the_mothers_name_cannot_be_confirmed(attacker, victim):
    for typed in TYPED + [{"family_name": "Traorré", "given_names": "Binta"}]:
        answers = {
            _ask(attacker, typed, TRUE_BIRTH, mother_name=mother)
            for mother in ("Mariam Konaté", "Mariam", "Awa Diarra", "Fanta Keita", "")
        }
        assert len(answers) == 1, typed
        assert "mère" not in answers.pop()[1]


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_a_hint_names_the_organisation_once_and_nothing_else(attacker, victim, zone):
    person(zone["CNPS-CI"], "Traore", "Fatoumata", sex="F", birth_date=dt.date(1975, 2, 1))
    status, body = _ask(attacker, TYPED[0], TRUE_BIRTH)
    assert status == 200
    assert body.count("CNPS-CI") == 1
    assert body.count('class="card hint"') == 1


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_another_birth_year_or_sex_raises_no_hint(attacker, victim):
    assert "CNPS-CI" not in _ask(attacker, TYPED[0], dt.date(1978, 6, 14))[1]
    assert "CNPS-CI" not in _ask(attacker, TYPED[0], TRUE_BIRTH, sex="M")[1]


@override_settings(KAFO_HINTS_PER_MINUTE=10_000)
def test_own_organisation_duplicates_keep_their_detail(client, zone, make_user, victim):
    client.force_login(make_user(zone["CNPS-CI"], "registration_agent"))
    status, body = _ask(client, TYPED[0], TRUE_BIRTH)
    assert status == 200
    assert "Doublon possible dans votre organisme (probabilité 0,99)" in body
    assert "naissance : même jour" in body
    assert f"/persons/{victim.pk}/" in body


@override_settings(KAFO_HINTS_PER_MINUTE=5)
def test_hints_are_limited_per_user_and_the_refusal_says_why(
    attacker, victim, zone, make_user, client, monkeypatch
):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    clock = {"now": start}
    monkeypatch.setattr(services, "_now", lambda: clock["now"])
    for _ in range(5):
        assert _ask(attacker, TYPED[0], TRUE_BIRTH)[0] == 200
    clock["now"] = start + dt.timedelta(seconds=40)
    response = attacker.get(
        reverse("identity-hints"),
        {"sex": "F", "birth": "14/06/1975"} | TYPED[0],
    )
    body = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "21"
    assert (
        "Trop de recherches de doublons dans la zone : 5 par minute au plus. "
        "Réessayez dans 21 secondes."
    ) in body
    assert "CNPS-CI" not in body
    # a refused search does not count; the next minute opens a new window
    assert HintQuota.objects.get().used == 5
    clock["now"] = start + dt.timedelta(seconds=60)
    assert _ask(attacker, TYPED[0], TRUE_BIRTH)[0] == 200
    assert HintQuota.objects.get().used == 1
    # another user has their own count
    client.force_login(make_user(zone["INPS-ML"], "registration_agent", username="other.agent"))
    assert _ask(client, TYPED[0], TRUE_BIRTH)[0] == 200


def test_the_default_limit_holds_without_a_setting(attacker, victim):
    answers = [_ask(attacker, TYPED[0], TRUE_BIRTH)[0] for _ in range(services.HINTS_PER_MINUTE)]
    assert answers == [200] * services.HINTS_PER_MINUTE
    assert _ask(attacker, TYPED[0], TRUE_BIRTH)[0] == 429


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serialises them anyway)",
)
@override_settings(KAFO_HINTS_PER_MINUTE=5)
def test_the_limit_holds_across_concurrent_workers(zone, make_user):
    # Twenty requests at once, as several server workers would run them: five admitted.
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    user = make_user(zone["INPS-ML"], "registration_agent")

    def attempt(_n):
        try:
            services.hint_request_admit(user=user)
            return True
        except services.HintsRateLimited:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        admitted = list(pool.map(attempt, range(20)))
    assert admitted.count(True) == 5
    assert HintQuota.objects.get(user=user).used == 5
