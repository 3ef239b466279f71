"""Notices to employers and provisional assessments (issue 16 §2, §3), worked by hand.

CNPS-CM (kafo/reference/rules.yaml, collection_rules.yaml): monthly from 1 employee, due the
15th of the next month; pension 4.2 + 4.2 %, family 7 %, work injury class 1 1.75 %; reminder
5 days before the due date, overdue notice the day after, formal notice 30 days after, then a
delay of 7 days (sourced: cnps.cm) before the assessment = basis + 25 % (assumption).

A declaration of 2026-08 with one worker paid 200,000: 16,800 + 14,000 + 3,500 = 34,300 XAF.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from kafo.audit.models import AuditEvent
from kafo.collection import services
from kafo.collection.models import Assessment, Notice, NoticeKind, NoticeStatus
from kafo.collection.rules import load_reference
from kafo.contributions import selectors as account
from kafo.contributions.models import EntryKind, LedgerEntry
from kafo.contributions.services import declaration_submit
from kafo.jobs import run_pending
from kafo.registry.services import employer_register, employment_add, person_register
from kafo.rules.services import rules_seed

d = dt.date
D = Decimal


@pytest.fixture
def cm(zone, make_user):
    rules_seed()
    services.collection_rules_seed()
    org = zone["CNPS-CM"]
    employer = employer_register(
        organisation=org,
        data={
            "legal_name": "Brasseries du Littoral",
            "risk_class": 1,
            "phone": "677 12 34 56",
            "registered_on": d(2026, 8, 1),
        },
    )
    person = person_register(
        organisation=org,
        data={
            "family_name": "Mbarga",
            "given_names": "Paul",
            "sex": "M",
            "birth_date": d(1980, 5, 1),
        },
    )
    user = make_user(org, "employer", employer=employer, username="brasseries")
    user.email = "compta@brasseries.example"
    user.save()
    return {"org": org, "employer": employer, "person": person}


def _declare(employer, person, period, salary):
    return declaration_submit(
        employer=employer,
        period=period,
        rows=[
            {
                "worker_number": person.number,
                "family_name": person.family_name,
                "given_names": person.given_names,
                "days_worked": 30,
                "gross_salary": salary,
            }
        ],
        today=d(2026, 11, 28),
    ).declaration


def _run(org, day):
    return services.collection_daily(organisation=org, on=day)


def _notices(employer, period=None, kind=None):
    qs = Notice.objects.filter(employer=employer)
    if period:
        qs = qs.filter(period=period)
    if kind:
        qs = qs.filter(kind=kind)
    return sorted((n.period, n.kind, n.channel, n.issued_on) for n in qs)


def test_reference_file_marks_assumptions_and_cnps_cm_delay_is_sourced():
    entries = {e.organisation: e for e in load_reference()}
    cm = entries["CNPS-CM"]
    assert cm.parameters["formal_notice_delay_days"] == 7
    assert "assumption" not in cm.provenance["formal_notice_delay_days"]
    assert cm.provenance["assessment_percent"]["assumption"] is True
    assert entries["INPS-ML"].provenance["formal_notice_delay_days"]["assumption"] is True


def test_reminder_is_sent_once_before_the_due_date_not_twice(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    # 2026-09 is due on 15/10/2026: the reminder starts 5 days before, on 10/10.
    assert _run(org, d(2026, 10, 9)).notice_count == 0
    result = _run(org, d(2026, 10, 10))
    assert result.notices == {NoticeKind.REMINDER: 2}
    assert _notices(employer) == [
        ("2026-09", "reminder", "email", d(2026, 10, 10)),
        ("2026-09", "reminder", "sms", d(2026, 10, 10)),
    ]
    assert _run(org, d(2026, 10, 10)).notice_count == 0
    assert _run(org, d(2026, 10, 14)).notice_count == 0
    assert Notice.objects.filter(employer=employer).count() == 2
    sms = Notice.objects.get(employer=employer, channel="sms")
    assert sms.text == (
        "CNPS-CM : la DNS 09/2026 de Brasseries du Littoral est due le 15/10/2026. "
        "Déclarez et payez avant cette date."
    )
    assert len(sms.text) <= 160
    assert AuditEvent.objects.filter(object_type="notice").count() == 2


def test_no_reminder_for_a_declared_period(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    _declare(employer, person, "2026-09", 200000)
    assert _run(org, d(2026, 10, 10)).notice_count == 0
    assert Notice.objects.count() == 0


def test_overdue_then_formal_notice_then_assessment_reversed_by_the_declaration(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    assert _run(org, d(2026, 10, 15)).notice_count == 0  # due today: not yet overdue
    assert _run(org, d(2026, 10, 16)).notices == {NoticeKind.OVERDUE: 2}
    # formal notice 30 days after the due date: 14/11/2026 (2026-10's reminder the same day)
    assert _run(org, d(2026, 11, 13)).notices == {NoticeKind.REMINDER: 2}
    assert _run(org, d(2026, 11, 14)).notices == {NoticeKind.FORMAL_NOTICE: 2}
    assert _notices(employer, "2026-09", NoticeKind.FORMAL_NOTICE) == [
        ("2026-09", "formal_notice", "email", d(2026, 11, 14)),
        ("2026-09", "formal_notice", "sms", d(2026, 11, 14)),
    ]
    # 7 days of delay from 14/11: 15/11 … 21/11; assessed on 22/11, not before.
    assert _run(org, d(2026, 11, 21)).assessments == []
    assert Assessment.objects.count() == 0
    result = _run(org, d(2026, 11, 22))
    [assessment] = result.assessments
    # basis 34,300 (2026-08's contributions) + 25 % = 8,575 → 42,875
    assert (assessment.period, assessment.basis, assessment.basis_amount) == (
        "2026-09",
        "last_declaration",
        D(34300),
    )
    assert (assessment.percent, assessment.amount) == (D(25), D(42875))
    assert assessment.entry.kind == EntryKind.ASSESSMENT
    assert assessment.entry.due_date == d(2026, 10, 15)
    assert result.notices[NoticeKind.ASSESSMENT] == 2
    state = account.account_state(employer=employer, as_of=d(2026, 11, 22))
    assert state.balance == D(34300 + 42875)
    # the run again: nothing more
    again = _run(org, d(2026, 11, 22))
    assert (again.notice_count, again.assessments) == (0, [])
    assert Assessment.objects.count() == 1

    # The real declaration: 300,000 → 25,200 + 21,000 + 5,250 = 51,450.
    real = _declare(employer, person, "2026-09", 300000)
    assessment.refresh_from_db()
    assert assessment.reversed_by == real
    assert assessment.reversed_at is not None
    assert assessment.reversal_entry.amount == D(-42875)
    assert assessment.reversal_entry.kind == EntryKind.ASSESSMENT_REVERSAL
    state = account.account_state(employer=employer, as_of=d(2026, 11, 28))
    assert state.balance == D(34300 + 42875 - 42875 + 51450)
    september = [x for x in state.debts if x["period"] == "2026-09"]
    assert [x["amount"] for x in september] == [D(51450)]
    # a declared period is neither noticed nor assessed again
    assert _run(org, d(2026, 12, 20)).assessments == []
    assert Assessment.objects.count() == 1


def test_assessment_without_declaration_uses_the_registered_workforce(cm, zone):
    org = cm["org"]
    employer = employer_register(
        organisation=org,
        data={"legal_name": "Scierie Nkam", "risk_class": 1, "registered_on": d(2026, 9, 1)},
    )
    for name in ("Ateba", "Ngono"):
        worker = person_register(
            organisation=org,
            data={
                "family_name": name,
                "given_names": "Jean",
                "sex": "M",
                "birth_date": d(1990, 1, 1),
            },
        )
        employment_add(person=worker, data={"employer": employer, "start_date": d(2026, 9, 1)})
    _run(org, d(2026, 11, 14))  # formal notice of 2026-09 (no contact: recorded as such)
    [notice] = Notice.objects.filter(employer=employer, kind=NoticeKind.FORMAL_NOTICE)
    assert (notice.channel, notice.status, notice.recipient) == (
        "email",
        NoticeStatus.NO_CONTACT,
        "",
    )
    [assessment] = _run(org, d(2026, 11, 22)).assessments
    # SMIG 41,875 a worker: 1,759 + 1,759 + 2,931 + 733 = 7,182; × 2 = 14,364; + 25 % 3,591
    assert (assessment.basis, assessment.workforce) == ("workforce", 2)
    assert (assessment.basis_amount, assessment.amount) == (D(14364), D(17955))
    assert LedgerEntry.objects.get(employer=employer, kind=EntryKind.ASSESSMENT).amount == D(17955)


@pytest.mark.django_db(transaction=True)  # jobs are enqueued on commit
def test_email_notice_recorded_as_sent(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    _run(org, d(2026, 10, 10))
    mail.outbox.clear()
    run_pending()  # the notices handed to kafo.messaging
    run_pending()  # the e-mail and the SMS sent
    [message] = [m for m in mail.outbox if "compta@brasseries.example" in m.to]
    assert message.subject == "Rappel : déclaration 09/2026 à faire avant le 15/10/2026"
    notice = Notice.objects.get(employer=employer, channel="email")
    assert notice.email.to == "compta@brasseries.example"
    assert notice.email.status == "sent"
    assert notice.current_status == "sent"


@pytest.mark.django_db(transaction=True)  # jobs are enqueued on commit
def test_sms_notice_goes_through_the_messaging_queue(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    _run(org, d(2026, 10, 10))
    run_pending()
    run_pending()
    notice = Notice.objects.get(employer=employer, channel="sms")
    assert notice.sms.to == "+237677123456"
    assert notice.sms.text == notice.text
    assert notice.sms.purpose == "collection_notice:reminder"
    assert notice.sms.related_id == notice.pk
    assert notice.current_status == notice.sms.status


def test_penalty_notice_once_per_penalty(cm):
    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    entry = LedgerEntry.objects.create(
        organisation=org,
        employer=employer,
        kind=EntryKind.PENALTY,
        period="2026-08",
        due_date=d(2026, 10, 1),
        penalty_as_of=d(2026, 10, 1),
        amount=D(3430),
        label="Majoration de retard 2026-08",
    )
    result = _run(org, d(2026, 10, 2))
    assert result.notices == {NoticeKind.PENALTY: 2}
    sms = Notice.objects.get(kind=NoticeKind.PENALTY, channel="sms")
    assert sms.ledger_entry == entry
    assert "3 430 FCFA" in sms.text
    assert _run(org, d(2026, 10, 3)).notice_count == 0


def test_daily_command_is_idempotent(cm):
    employer, person = cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    call_command("collection_daily", "--on", "2026-10-16", "--organisation", "CNPS-CM")
    call_command("collection_daily", "--on", "2026-10-16", "--organisation", "CNPS-CM")
    assert _notices(employer) == [
        ("2026-09", "overdue", "email", d(2026, 10, 16)),
        ("2026-09", "overdue", "sms", d(2026, 10, 16)),
    ]


def test_notices_listed_for_the_employer_and_on_the_staff_account_page(
    cm, client, make_user, django_assert_max_num_queries
):
    from django.urls import reverse

    from kafo.collection.selectors_notices import notices_for

    org, employer, person = cm["org"], cm["employer"], cm["person"]
    _declare(employer, person, "2026-08", 200000)
    _run(org, d(2026, 10, 10))
    _run(org, d(2026, 10, 16))
    with django_assert_max_num_queries(1):
        rows = [(n.issued_on, n.kind, n.channel, n.current_status) for n in notices_for(employer)]
    assert rows == [
        (d(2026, 10, 16), "overdue", "sms", "pending"),
        (d(2026, 10, 16), "overdue", "email", "pending"),
        (d(2026, 10, 10), "reminder", "sms", "pending"),
        (d(2026, 10, 10), "reminder", "email", "pending"),
    ]
    other = employer_register(organisation=org, data={"legal_name": "Autre", "risk_class": 1})
    assert notices_for(other) == []
    client.force_login(make_user(org, "contributions_manager"))
    url = reverse("contributions-account-detail", kwargs={"pk": employer.pk})
    page = client.get(url).content.decode()
    section = page[page.index('id="notices"') :]
    assert "Avis envoyés à l'employeur" in page
    assert "<td>16/10/2026</td><td>avis d&#x27;échéance dépassée</td><td>09/2026</td>" in section
    assert "<td>SMS</td><td>677 12 34 56</td>" in section
    assert "compta@brasseries.example" in section
    assert "à envoyer</span>" in section


def test_notice_texts_in_english_and_within_one_sms():
    from django.utils import translation

    from kafo.collection.notices import NoticeFacts, email_text, sms_text

    facts = NoticeFacts(
        organisation="CNPS-CM",
        employer="Société Camerounaise de Transformation des Produits Agricoles et Forestiers",
        employer_number="00000018",
        period_label="09/2026",
        due_date=d(2026, 10, 15),
        delay_days=7,
    )
    text = sms_text(NoticeKind.FORMAL_NOTICE, facts)
    # the name is shortened, the message kept whole; ç (not in GSM-7) written c
    assert text == (
        "CNPS-CM : MISE EN DEMEURE. DNS 09/2026 de Société Camerounaise de Transformation des "
        "Produits Agr. non recue. Sans déclaration sous 7 jours : taxation d'office."
    )
    assert len(text) <= 160
    with translation.override("en"):
        subject, body = email_text(NoticeKind.REMINDER, facts)
    assert subject == "Reminder: declaration 09/2026 due by 15/10/2026"
    assert body.startswith("Dear Sir or Madam,")
