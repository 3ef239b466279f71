"""The simulator: `kafo benefits simulate` on a real CSV file, `POST /api/benefits/simulate`."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kafo.accounts.models import ApiToken
from kafo.benefits.domain.career import period_index, period_of
from kafo.benefits.models import BenefitRuleVersion
from kafo.benefits.services import benefits_seed

URL = "/api/benefits/simulate"


@pytest.fixture
def seeded(zone):
    benefits_seed()
    return zone


def bj_career(months=270, end="2025-12", salary=50000, days=26):
    last = period_index(end)
    return [
        {
            "organisation": "CNSS-BJ",
            "period": period_of(i),
            "gross_salary": salary,
            "days_worked": days,
        }
        for i in range(last - months + 1, last + 1)
    ]


def write_csv(path: Path, rows, header="organisation,period,gross_salary,days_worked"):
    body = [header] + [
        f"{r['organisation']},{r['period']},{r['gross_salary']},{r.get('days_worked') or ''}"
        for r in rows
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def test_cli_simulates_the_cnss_bj_official_example_from_a_csv_file(seeded, tmp_path, capsys):
    csv_file = write_csv(tmp_path / "carriere.csv", bj_career())
    call_command(
        "benefits_simulate",
        str(csv_file),
        organisation="CNSS-BJ",
        birth_date=dt.date(1967, 11, 3),
        claim_date=dt.date(2026, 1, 15),
    )
    answer = json.loads(capsys.readouterr().out)
    assert {k: answer[k] for k in ("eligible", "benefit", "monthly_amount", "lump_sum_amount")} == {
        "eligible": True,
        "benefit": "early_pension",
        "monthly_amount": 19800,
        "lump_sum_amount": None,
    }
    assert (answer["insured_months"], answer["reference_salary"], answer["rate"]) == (
        270,
        50000,
        "44",
    )
    assert [s["code"] for s in answer["trace"]][-2:] == ["amount", "early_reduction"]
    assert answer["next_eligible"] == [
        {
            "date": "2027-11-03",
            "career_as_is": {
                "benefit": "pension",
                "monthly_amount": 22000,
                "lump_sum_amount": None,
                "insured_months": 270,
            },
            "if_still_working": {
                "benefit": "pension",
                "monthly_amount": 24000,
                "lump_sum_amount": None,
                "insured_months": 293,
            },
        }
    ]
    assert answer["rules_version"] == "CNSS-BJ old_age 2000-01-01"


def test_cli_two_word_command_runs_as_kafo_benefits_simulate():
    """`kafo benefits simulate` maps to the benefits_simulate command (kafo/cli.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "kafo.cli", "benefits", "simulate", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--birth-date" in done.stdout


def test_cli_bad_csv_names_the_line_and_the_field(seeded, tmp_path):
    rows = bj_career(months=3)
    rows[1]["period"] = "2025-13"
    rows[2]["gross_salary"] = "abc"
    csv_file = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as exc:
        call_command(
            "benefits_simulate",
            str(csv_file),
            organisation="CNSS-BJ",
            birth_date=dt.date(1967, 11, 3),
            claim_date=dt.date(2026, 1, 15),
        )
    assert str(exc.value) == (
        "Simulation refusée :\n"
        "ligne 3, period : Période « 2025-13 » invalide : AAAA-MM attendu (ex. 2024-03).\n"
        "ligne 4, gross_salary : Salaire brut « abc » : montant en francs attendu."
    )


def test_cli_bad_header_and_unknown_category(seeded, tmp_path):
    bad = tmp_path / "h.csv"
    bad.write_text("org,periode,salaire\nCNSS-BJ,2025-01,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="ligne 1 : En-tête attendu"):
        call_command(
            "benefits_simulate",
            str(bad),
            organisation="CNSS-BJ",
            birth_date=dt.date(1967, 11, 3),
            claim_date=dt.date(2026, 1, 15),
        )
    ok = write_csv(tmp_path / "ok.csv", bj_career(months=3))
    with pytest.raises(CommandError, match="category : Catégorie « cadre » inconnue à CNSS-BF"):
        call_command(
            "benefits_simulate",
            str(ok),
            organisation="CNSS-BF",
            birth_date=dt.date(1967, 11, 3),
            claim_date=dt.date(2026, 1, 15),
            category="cadre",
        )


@pytest.fixture
def officer_token(seeded, make_user):
    user = make_user(seeded["CNSS-BJ"], "benefits_officer")
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}


def test_api_simulates_with_the_trace_and_the_next_dates(
    client, officer_token, django_assert_max_num_queries
):
    body = {
        "organisation": "CNSS-BJ",
        "birth_date": "1965-11-03",
        "claim_date": "2026-01-15",
        "sex": "M",
        "career": bj_career(),
    }
    with django_assert_max_num_queries(12):
        response = client.post(URL, body, content_type="application/json", **officer_token)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["benefit"], answer["monthly_amount"], answer["rate"]) == ("pension", 22000, "44")
    step = next(s for s in answer["trace"] if s["code"] == "rate")
    assert step["result"] == "44"
    assert step["params"][0]["source"].startswith("cnss.bj")
    assert step["label_fr"].startswith("Taux : 30")
    assert answer["next_eligible"] == []


def test_api_422_names_the_fields_and_stores_nothing(client, officer_token):
    count = BenefitRuleVersion.objects.count()
    career = bj_career(months=2)
    career[1]["period"] = "2025-1"
    career[0]["gross_salary"] = "-5"
    response = client.post(
        URL,
        {
            "organisation": "CNSS-BJ",
            "birth_date": "2030-01-01",
            "claim_date": "2026-01-15",
            "career": career,
        },
        content_type="application/json",
        **officer_token,
    )
    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "field": "career.0.gross_salary",
                "reason": "Le salaire brut ne peut pas être négatif.",
            },
            {
                "field": "career.1.period",
                "reason": "Période « 2025-1 » invalide : AAAA-MM attendu (ex. 2024-03).",
            },
            {
                "field": "birth_date",
                "reason": "La date de naissance doit précéder la date de la demande.",
            },
        ]
    }
    response = client.post(
        URL,
        {
            "organisation": "CNSS-BJ",
            "birth_date": "2030-01-01",
            "claim_date": "2026-01-15",
            "career": [],
        },
        content_type="application/json",
        **officer_token,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "birth_date",
            "reason": "La date de naissance doit précéder la date de la demande.",
        }
    ]
    response = client.post(
        URL, {"organisation": "CNSS-BJ"}, content_type="application/json", **officer_token
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "payload.birth_date",
        "payload.claim_date",
        "payload.career",
    }
    assert BenefitRuleVersion.objects.count() == count


def test_api_another_organisations_rules_are_answered_as_unknown(client, seeded, make_user):
    user = make_user(seeded["INPS-ML"], "benefits_officer")
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    body = {
        "organisation": "CNSS-BJ",
        "birth_date": "1965-11-03",
        "claim_date": "2026-01-15",
        "career": bj_career(3),
    }
    response = client.post(URL, body, content_type="application/json", **token)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "organisation", "reason": "Organisme inconnu : « CNSS-BJ »."}
    ]
    body["organisation"] = "NOPE"
    assert client.post(URL, body, content_type="application/json", **token).json()["errors"] == [
        {"field": "organisation", "reason": "Organisme inconnu : « NOPE »."}
    ]


def test_api_employer_users_and_anonymous_are_refused(client, seeded, make_user):
    from kafo.registry.tests.factories import employer

    user = make_user(seeded["CNSS-BJ"], "employer", employer=employer(seeded["CNSS-BJ"]))
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    body = {
        "organisation": "CNSS-BJ",
        "birth_date": "1965-11-03",
        "claim_date": "2026-01-15",
        "career": bj_career(3),
    }
    assert client.post(URL, body, content_type="application/json", **token).status_code == 403
    assert client.post(URL, body, content_type="application/json").status_code == 401


def test_api_zone_admin_simulates_for_any_organisation(client, seeded, make_user):
    admin = make_user(None, "zone_admin")
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=admin, name='t')[1]}"}
    body = {
        "organisation": "CNSS-BJ",
        "birth_date": "1965-11-03",
        "claim_date": "2026-01-15",
        "career": bj_career(),
    }
    response = client.post(URL, body, content_type="application/json", **token)
    assert (response.status_code, response.json()["monthly_amount"]) == (200, 22000)


def test_api_refuses_a_list_body_and_a_unix_time_date(client, officer_token):
    response = client.post(URL, "[]", content_type="application/json", **officer_token)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "payload",
            "reason": "le corps de la requête doit être un objet JSON, pas une liste",
        }
    ]
    body = {"organisation": "CNSS-BJ", "birth_date": 0, "claim_date": "2026-01-15", "career": []}
    response = client.post(URL, body, content_type="application/json", **officer_token)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["payload.birth_date"]


def test_api_answers_in_english_when_asked(client, officer_token):
    body = {"organisation": "CNSS-BJ", "birth_date": "2030-01-01", "claim_date": "2026-01-15"}
    # The request activates English in this thread: keep it from leaking into later tests.
    with translation.override("fr"):
        response = client.post(
            URL,
            {**body, "career": []},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
            **officer_token,
        )
    assert response.json()["errors"] == [
        {"field": "birth_date", "reason": "The birth date must come before the claim date."}
    ]


def test_api_a_career_the_rules_do_not_cover_is_a_422_not_a_crash(client, seeded, make_user):
    """IPRES-SN's point prices start in 2000: a 1998 month cannot buy points."""
    user = make_user(seeded["IPRES-SN"], "benefits_officer")
    token = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user, name='t')[1]}"}
    body = {
        "organisation": "IPRES-SN",
        "birth_date": "1960-01-01",
        "claim_date": "2026-01-15",
        "career": [{"organisation": "IPRES-SN", "period": "1998-05", "gross_salary": 100000}],
    }
    response = client.post(URL, body, content_type="application/json", **token)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "career",
            "reason": "La règle IPRES-SN old_age 2019-01-01 ne couvre pas cette carrière : "
            "points.price_by_year : aucune valeur pour l'année 1998 ni avant.",
        }
    ]
