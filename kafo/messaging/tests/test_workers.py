"""Workers told by SMS what their employer declared for them, and once a quarter what it did not."""

import datetime as dt

import pytest

from kafo.contributions import services as contributions
from kafo.contributions.tests.conftest import HEADER
from kafo.jobs import pending_count, run_pending
from kafo.messaging import workers
from kafo.messaging.domain.gsm7 import fits_one_sms
from kafo.messaging.models import SmsMessage
from kafo.registry.models import Employment, Person
from kafo.registry.services import employer_register, person_register
from kafo.rules.services import rules_seed

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date(2025, 8, 10)


def _person(org, family, given, phone=""):
    p = person_register(
        organisation=org,
        data={
            "family_name": family,
            "given_names": given,
            "sex": "F",
            "birth_date": dt.date(1990, 1, 1),
        },
    )
    Person.unscoped.filter(pk=p.pk).update(phone=phone)
    return p


@pytest.fixture
def ci(zone):
    rules_seed()
    org = zone["CNPS-CI"]
    employer = employer_register(organisation=org, data={"legal_name": "SOTRA", "risk_class": 1})
    awa = _person(org, "Bamba", "Awa", phone="07 01 23 45 67")
    yao = _person(org, "Kouassi", "Yao")  # no phone
    ami = _person(org, "Koné", "Aminata", phone="0501234567")
    return {"org": org, "employer": employer, "awa": awa, "yao": yao, "ami": ami}


def declare(ci, period, people, salary="125000", **kw):
    rows = [
        ",".join(
            [
                ci["employer"].number,
                period,
                p.number,
                "",
                p.family_name,
                p.given_names,
                "30",
                salary,
                "",
            ]
        )
        for p in people
    ]
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    return contributions.declaration_submit(
        employer=ci["employer"], period=period, content=content, today=TODAY, **kw
    ).declaration


def test_texts_fit_one_gsm7_sms():
    text = workers.declared_text(
        employer_name="SOTRA", period="2026-10", salary=125000, currency="XOF"
    )
    assert text == "Votre employeur SOTRA a déclaré pour 10/2026 un salaire de 125 000 FCFA"
    assert fits_one_sms(text)
    long = workers.declared_text(
        employer_name="Société Ivoirienne de Transformation des Matières Premières et de "
        "Commerce Général de Côte d'Ivoire",
        period="2026-Q3",
        salary=1250000,
        currency="XOF",
    )
    assert fits_one_sms(long)
    assert long.endswith(" a déclaré pour T3 2026 un salaire de 1 250 000 FCFA")
    undeclared = workers.undeclared_text(
        organisation_code="CNPS-CI", employer_name="Boulangerie de l'Île", quarter="2025-Q2"
    )
    assert undeclared == (
        "CNPS-CI : votre employeur Boulangerie de l'Ile n'a pas déclaré votre salaire pour "
        "T2 2025. Renseignez-vous auprès de lui ou de votre agence CNPS-CI."
    )
    assert fits_one_sms(undeclared)


def test_an_accepted_declaration_texts_each_named_worker_with_a_phone(ci, smsc):
    from kafo.messaging.tests.test_sms import smpp

    decl = declare(ci, "2025-06", [ci["awa"], ci["yao"], ci["ami"]])
    # the import enqueued one job for the declaration, no SMS row yet
    assert pending_count("sms") == 1
    assert SmsMessage.unscoped.count() == 0
    with smpp(smsc):
        run_pending(["sms"])
    rows = list(
        SmsMessage.unscoped.order_by("to").values_list("to", "text", "status", "related_id")
    )
    text = "Votre employeur SOTRA a déclaré pour 06/2025 un salaire de 125 000 FCFA"
    assert rows == [
        ("+2250501234567", text, "delivered", decl.pk),
        ("+2250701234567", text, "delivered", decl.pk),
    ]
    assert sorted(s["destination"] for s in smsc.submitted) == ["2250501234567", "2250701234567"]


def test_worker_sms_are_queued_once_even_if_the_job_runs_again(ci, outbox):
    decl = declare(ci, "2025-06", [ci["awa"], ci["ami"]])
    run_pending(["sms"])
    assert SmsMessage.unscoped.count() == 2
    assert workers.notify_declared_workers(ci["org"].pk, [decl.pk]) == 0
    assert SmsMessage.unscoped.count() == 2
    assert len(outbox) == 2


def test_a_migrated_history_texts_nobody(ci):
    declare(ci, "2025-06", [ci["awa"]])
    assert pending_count("sms") == 1
    from kafo.contributions.domain import dns

    frame = dns.frame_from_rows(
        [
            {
                "employer_number": ci["employer"].number,
                "period": "2025-05",
                "worker_number": ci["awa"].number,
                "family_name": "Bamba",
                "given_names": "Awa",
                "days_worked": "31",
                "gross_salary": "100000",
            }
        ]
    )
    contributions.import_frame(frame=frame, organisation=ci["org"], today=TODAY, migration=True)
    assert pending_count("sms") == 1  # still only the first declaration's job


def test_workers_expected_and_not_declared_are_told_once_a_quarter(ci, outbox):
    other = _person(ci["org"], "Traoré", "Issa", phone="0701234599")
    left = _person(ci["org"], "Diallo", "Fanta", phone="0701234598")
    Employment.unscoped.create(
        organisation=ci["org"],
        person=left,
        employer=ci["employer"],
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2025, 3, 31),
    )
    declare(ci, "2025-03", [ci["awa"], ci["yao"], ci["ami"], other, left])
    declare(ci, "2025-04", [ci["ami"]])  # Aminata declared in Q2; Awa and Issa not
    run_pending(["sms"])
    before = SmsMessage.unscoped.count()
    assert workers.notify_undeclared_workers(organisation=ci["org"], quarter="2025-Q2") == 2
    new = SmsMessage.unscoped.filter(purpose="worker_undeclared:2025-Q2").order_by("to")
    assert [(m.to, m.related_label, m.related_id) for m in new] == [
        ("+2250701234567", "registry.employer", ci["employer"].pk),
        ("+2250701234599", "registry.employer", ci["employer"].pk),
    ]
    assert new[0].text.startswith("CNPS-CI : votre employeur SOTRA n'a pas déclaré")
    # run again (the daily run, a second operator): nothing more
    assert workers.notify_undeclared_workers(organisation=ci["org"], quarter="2025-Q2") == 0
    assert SmsMessage.unscoped.count() == before + 2


def test_the_quarter_must_be_a_quarter(ci):
    with pytest.raises(ValueError, match="trimestre attendu"):
        workers.notify_undeclared_workers(organisation=ci["org"], quarter="2025-04")


@pytest.mark.parametrize(
    ("on", "quarter"),
    [
        (dt.date(2025, 8, 13), "2025-Q1"),  # Q2 ended 30/06: 44 days ago
        (dt.date(2025, 8, 14), "2025-Q2"),
        (dt.date(2026, 2, 14), "2025-Q4"),
        (dt.date(2026, 2, 13), "2025-Q3"),
    ],
)
def test_quarter_to_check(on, quarter):
    assert workers.quarter_to_check(on) == quarter


def test_the_command_texts_the_undeclared_once(ci, outbox):
    from io import StringIO

    from django.core.management import call_command

    declare(ci, "2025-03", [ci["awa"]])
    run_pending(["sms"])
    out = StringIO()
    call_command(
        "messaging_undeclared", "--quarter", "2025-T2", "--organisation", "CNPS-CI", stdout=out
    )
    assert out.getvalue() == "CNPS-CI : 1 SMS\nTrimestre T2 2025 : 1 SMS en file.\n"
    out = StringIO()
    call_command("messaging_undeclared", "--on", "2025-08-14", stdout=out)
    assert out.getvalue() == "Trimestre T2 2025 : 0 SMS en file.\n"
    assert SmsMessage.unscoped.filter(purpose="worker_undeclared:2025-Q2").count() == 1
