import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from kafo.audit.models import AuditEvent
from kafo.governance import board_pack, selectors, services
from kafo.governance.models import (
    Decision,
    DecisionStatusChange,
    Delegation,
    ReminderSent,
    Status,
)

from . import factories as f

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 3, 31)


@pytest.fixture
def org(zone):
    return zone["INPS-ML"]


@pytest.fixture
def sess(org):
    return f.session(f.board(org))


# --- decisions ------------------------------------------------------------------------------


def test_decision_is_numbered_in_its_session_and_audited(sess):
    first = f.decision(sess)
    second = f.decision(sess, title="Adopter le manuel de procédures")
    assert (first.number, second.number) == (1, 2)
    assert second.reference == "S1-D2"
    assert second.status == Status.TODO
    assert [(h.status, h.date) for h in second.history.all()] == [("todo", f.JAN)]
    assert AuditEvent.objects.filter(object_type="decision", object_id=str(second.pk)).count() == 1


def test_decision_without_owner_is_refused_and_nothing_saved(sess):
    with pytest.raises(ValidationError) as exc:
        services.decision_create(session=sess, title="Budget", owner_name=" ")
    assert exc.value.message_dict == {"owner_name": ["Ce champ est obligatoire."]}
    assert Decision.objects.count() == 0
    assert DecisionStatusChange.objects.count() == 0


def test_owner_user_of_another_organisation_is_refused(sess, zone, make_user):
    stranger = make_user(zone["CNPS-CI"], "director")
    with pytest.raises(ValidationError) as exc:
        f.decision(sess, owner_user=stranger)
    assert "owner_user" in exc.value.message_dict
    assert Decision.objects.count() == 0


def test_decision_passes_its_deadline_and_becomes_late(sess):
    decision = f.decision(sess, deadline=DEADLINE)
    assert services.items_mark_late(today=DEADLINE) == 0
    decision.refresh_from_db()
    assert decision.status == Status.TODO

    assert services.items_mark_late(today=DEADLINE + dt.timedelta(days=1)) == 1
    decision.refresh_from_db()
    assert decision.status == Status.LATE
    last = decision.history.last()
    assert (last.status, last.date, last.by_label) == ("late", dt.date(2026, 4, 1), "système")

    # idempotent: a second run changes nothing and adds no history line
    assert services.items_mark_late(today=DEADLINE + dt.timedelta(days=1)) == 0
    assert decision.history.count() == 2


def test_in_progress_after_deadline_stays_late(sess):
    decision = f.decision(sess, deadline=DEADLINE)
    services.decision_set_status(
        decision=decision, status="in_progress", today=DEADLINE + dt.timedelta(days=3)
    )
    decision.refresh_from_db()
    assert decision.status == Status.LATE


def test_postponing_the_deadline_puts_a_late_decision_back_in_progress(sess):
    decision = f.decision(sess, deadline=DEADLINE)
    services.items_mark_late(today=dt.date(2026, 4, 2))
    services.decision_update(
        decision=decision, data={"deadline": dt.date(2026, 6, 30)}, today=dt.date(2026, 4, 3)
    )
    decision.refresh_from_db()
    assert decision.status == Status.IN_PROGRESS
    assert [h.status for h in decision.history.all()] == ["todo", "late", "in_progress"]


def test_done_needs_evidence_and_nothing_changes_without_it(sess):
    decision = f.decision(sess, deadline=DEADLINE)
    with pytest.raises(ValidationError) as exc:
        services.decision_set_status(decision=decision, status="done", today=DEADLINE)
    assert exc.value.message_dict == {"evidence": ["Joignez le justificatif de réalisation."]}
    decision.refresh_from_db()
    assert decision.status == Status.TODO
    assert decision.history.count() == 1

    f.done(decision, DEADLINE, note="Budget voté", follow_up_note="Exécuté à 100 %")
    decision.refresh_from_db()
    assert decision.status == Status.DONE
    assert decision.follow_up_note == "Exécuté à 100 %"
    change = decision.history.last()
    assert (change.status, change.note) == ("done", "Budget voté")
    assert change.evidence.read() == b"%PDF-1.4 preuve"


def test_evidence_of_an_unknown_type_is_refused(sess):
    decision = f.decision(sess)
    with pytest.raises(ValidationError) as exc:
        services.decision_set_status(
            decision=decision, status="done", evidence=f.evidence("virus.exe"), today=f.JAN
        )
    assert list(exc.value.message_dict) == ["evidence"]
    assert DecisionStatusChange.objects.exclude(evidence="").count() == 0


def test_late_cannot_be_chosen_by_hand_and_dropping_needs_a_reason(sess):
    decision = f.decision(sess)
    with pytest.raises(ValidationError) as exc:
        services.decision_set_status(decision=decision, status="late", today=f.JAN)
    assert list(exc.value.message_dict) == ["status"]
    with pytest.raises(ValidationError) as exc:
        services.decision_set_status(decision=decision, status="dropped", today=f.JAN)
    assert list(exc.value.message_dict) == ["note"]
    decision.refresh_from_db()
    assert decision.status == Status.TODO


# --- reminders ------------------------------------------------------------------------------


def test_a_reminder_is_sent_once_not_twice(sess):
    decision = f.decision(sess, deadline=DEADLINE, owner_email="m.keita@inps.ml")
    three_days_before = DEADLINE - dt.timedelta(days=3)
    assert services.reminders_send(today=three_days_before) == 1
    assert services.reminders_send(today=three_days_before) == 0
    assert services.reminders_send(today=three_days_before + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["m.keita@inps.ml"]
    assert message.subject == ("[Kafo] S1-D1 Adopter le budget 2026 — échéance le 31/03/2026")
    assert ReminderSent.objects.get().kind == "before"

    # on the day, then weekly after the deadline
    assert services.reminders_send(today=DEADLINE) == 1
    assert services.reminders_send(today=DEADLINE + dt.timedelta(days=7)) == 1
    assert services.reminders_send(today=DEADLINE + dt.timedelta(days=8)) == 0
    assert [m.subject.rsplit("— ", 1)[1] for m in mail.outbox[1:]] == [
        "échéance atteinte le 31/03/2026",
        "en retard depuis le 31/03/2026",
    ]
    decision.refresh_from_db()
    assert decision.status == Status.TODO  # reminders do not change the status


def test_reminder_goes_to_the_owner_account_and_never_for_closed_items(sess, org, make_user):
    owner = make_user(org, "benefits_officer")
    owner.email = "owner@inps.ml"
    owner.save()
    open_one = f.decision(sess, deadline=DEADLINE, owner_user=owner)
    closed = f.decision(sess, deadline=DEADLINE, owner_email="x@inps.ml")
    f.done(closed, f.JAN)
    f.decision(sess, deadline=DEADLINE)  # nobody to write to
    assert services.reminders_send(today=DEADLINE) == 1
    assert mail.outbox[0].to == ["owner@inps.ml"]
    assert ReminderSent.objects.get().item_id == open_one.pk


def test_daily_command_marks_late_and_reminds_once(sess):
    decision = f.decision(sess, deadline=DEADLINE, owner_email="m.keita@inps.ml")
    out = io.StringIO()
    day = (DEADLINE + dt.timedelta(days=7)).isoformat()
    call_command("governance_daily", date=day, stdout=out)
    call_command("governance_daily", date=day, stdout=out)
    decision.refresh_from_db()
    assert decision.status == Status.LATE
    assert len(mail.outbox) == 1
    assert "INPS-ML: 1 en retard, 1 rappel(s) envoyé(s)" in out.getvalue()
    assert out.getvalue().count("Terminé : 0 en retard, 0 rappel(s)") == 1


def test_daily_command_runs_other_organisations_in_their_own_scope(sess, zone):
    other = f.session(f.board(zone["CNPS-CI"]))
    foreign = f.decision(other, deadline=DEADLINE, owner_email="a@cnps.ci")
    call_command(
        "governance_daily", date="2026-04-01", organisation="INPS-ML", stdout=io.StringIO()
    )
    foreign.refresh_from_db()
    assert foreign.status == Status.TODO
    assert mail.outbox == []


# --- plans ----------------------------------------------------------------------------------


def test_progress_of_a_priority_rolls_up_from_its_actions(org):
    plan = f.plan(org)
    gov = services.priority_add(plan=plan, title="Gouvernance")
    data = services.priority_add(plan=plan, title="Données migratoires")
    manual = services.action_add(
        priority=gov, title="Manuel", owner_name="DG", end_date=dt.date(2026, 6, 30),
        budget="30000000",
    )  # fmt: skip
    audit = services.action_add(
        priority=gov, title="Audit", owner_name="DAF", end_date=dt.date(2026, 9, 30),
        budget="10000000",
    )  # fmt: skip
    survey = services.action_add(
        priority=data, title="Enquête", owner_name="DSI", end_date=dt.date(2026, 9, 30)
    )
    services.action_set_status(action=manual, status="in_progress", percent_done=50,
                               today=dt.date(2026, 5, 1))  # fmt: skip
    services.action_set_status(action=audit, status="done", today=dt.date(2026, 5, 1))
    services.action_set_status(action=survey, status="in_progress", percent_done=20,
                               today=dt.date(2026, 5, 1))  # fmt: skip

    view = selectors.plan_rollup(plan, today=dt.date(2026, 5, 1))
    first, second = view.priorities
    # (50 % × 30 M + 100 % × 10 M) / 40 M = 62.5 %
    assert (first.rollup.percent, first.rollup.method) == (D("62.5"), "budget")
    assert (second.rollup.percent, second.rollup.method) == (D("20.0"), "mean")
    assert view.rollup.percent == D("41.3")  # (62.5 + 20) / 2 = 41.25 → 41.3
    assert first.budget_total == D("40000000")


def test_action_with_end_before_start_is_refused(org):
    priority = services.priority_add(plan=f.plan(org), title="Gouvernance")
    with pytest.raises(ValidationError) as exc:
        services.action_add(
            priority=priority, title="X", owner_name="DG", start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 4, 1), budget="-5",
        )  # fmt: skip
    assert sorted(exc.value.message_dict) == ["budget", "end_date"]
    assert priority.actions.count() == 0


def test_indicator_measures_over_time(org):
    plan = f.plan(org)
    indicator = services.indicator_add(plan=plan, name="Couverture", baseline="15", target="20")
    services.indicator_measure_record(indicator=indicator, date=dt.date(2026, 6, 30), value="16.5")
    with pytest.raises(ValidationError):
        services.indicator_measure_record(
            indicator=indicator, date=dt.date(2026, 6, 30), value="17"
        )
    view = selectors.plan_rollup(plan)
    assert view.indicators[0].latest.value == D("16.50")
    assert indicator.measures.count() == 1


# --- board pack -----------------------------------------------------------------------------


@pytest.fixture
def three_sessions(org):
    body = f.board(org)
    s1 = f.session(body, date=dt.date(2026, 1, 20))
    s2 = f.session(body, date=dt.date(2026, 4, 15))
    s3 = f.session(body, date=dt.date(2026, 7, 10))
    late = f.decision(s1, title="Recouvrer les arriérés", deadline=dt.date(2026, 2, 28))
    closed_before = f.decision(s1, title="Adopter le budget", deadline=dt.date(2026, 3, 31))
    f.done(closed_before, dt.date(2026, 3, 10))
    running = f.decision(s1, title="Manuel de procédures", deadline=dt.date(2026, 12, 31))
    services.decision_set_status(decision=running, status="in_progress", today=dt.date(2026, 2, 1),
                                 follow_up_note="Projet soumis au comité")  # fmt: skip
    closed_since = f.decision(s2, title="Recruter un auditeur", deadline=dt.date(2026, 6, 30))
    f.done(closed_since, dt.date(2026, 6, 1))
    f.decision(s3, title="Décision de la session elle-même")
    services.items_mark_late(today=dt.date(2026, 3, 1))
    return s3, [late, running, closed_since]


def test_board_pack_lists_what_the_next_session_must_review(three_sessions):
    s3, expected = three_sessions
    rows = selectors.board_pack(s3, today=dt.date(2026, 7, 1))
    assert [d.reference for d in rows] == ["S1-D1", "S1-D3", "S2-D1"]
    assert [d.pk for d in rows] == [d.pk for d in expected]
    assert [d.shown_status for d in rows] == ["late", "in_progress", "done"]


def test_board_pack_puts_overdue_first_even_before_the_daily_run(org):
    body = f.board(org)
    s1 = f.session(body, date=dt.date(2026, 1, 20))
    s2 = f.session(body, date=dt.date(2026, 7, 10))
    f.decision(s1, title="A", deadline=dt.date(2026, 12, 31))
    f.decision(s1, title="B", deadline=dt.date(2026, 5, 31))  # past, never marked
    rows = selectors.board_pack(s2, today=dt.date(2026, 7, 1))
    assert [(d.title, d.shown_status) for d in rows] == [("B", "late"), ("A", "todo")]


def test_board_pack_excel_and_pdf(three_sessions):
    s3, _ = three_sessions
    rows = selectors.board_pack(s3, today=dt.date(2026, 7, 1))
    ws = load_workbook(io.BytesIO(board_pack.to_xlsx(s3, rows))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Dossier de la session n° 3 du 10/07/2026 — Conseil d'administration"
    assert values[1] == [
        "Réf.", "Session", "Décision", "Responsable", "Structure", "Échéance", "Statut",
        "Note de suivi",
    ]  # fmt: skip
    assert values[2:] == [
        ["S1-D1", "20/01/2026", "Recouvrer les arriérés", "Moussa Keita",
         "Direction financière", "28/02/2026", "en retard", None],
        ["S1-D3", "20/01/2026", "Manuel de procédures", "Moussa Keita",
         "Direction financière", "31/12/2026", "en cours", "Projet soumis au comité"],
        ["S2-D1", "15/04/2026", "Recruter un auditeur", "Moussa Keita",
         "Direction financière", "30/06/2026", "réalisé", None],
    ]  # fmt: skip
    assert ws["A3"].fill.fgColor.rgb.endswith("FDE2E1")  # late row highlighted

    pdf = board_pack.to_pdf(s3, rows)
    assert pdf.startswith(b"%PDF")
    # the PDF is written uncompressed: its text operators can be read back without a parser
    assert [ref for ref in (b"S1-D1", b"S1-D3", b"S2-D1", b"S1-D2", b"S3-D1") if ref in pdf] == [
        b"S1-D1", b"S1-D3", b"S2-D1",
    ]  # fmt: skip
    assert pdf.index(b"(S1-D1)") < pdf.index(b"(S1-D3)") < pdf.index(b"(S2-D1)")


# --- delegations ----------------------------------------------------------------------------


@pytest.fixture
def granting(sess):
    return f.decision(sess, title="Délégation de signature au chef des prestations",
                      kind="delegation")  # fmt: skip


def test_delegation_in_force(granting, org, make_user):
    chief = make_user(org, "approver")
    delegation = services.delegation_grant(
        decision=granting, delegate=chief, kind="benefit_approval",
        amount_ceiling="5000000", start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 12, 31),
    )  # fmt: skip
    on = dt.date(2026, 6, 1)
    assert selectors.delegation_in_force(chief, "benefit_approval", D("5000000"), on) == delegation
    assert delegation.granted_by == granting
    assert selectors.delegation_in_force(chief, "benefit_approval", D("5000001"), on) is None
    assert selectors.delegation_in_force(chief, "payment", D("1000"), on) is None
    assert (
        selectors.delegation_in_force(chief, "benefit_approval", D(1), dt.date(2026, 1, 31)) is None
    )
    assert (
        selectors.delegation_in_force(chief, "benefit_approval", D(1), dt.date(2027, 1, 1)) is None
    )
    services.decision_set_status(decision=granting, status="dropped", note="Annulée", today=on)
    assert selectors.delegation_in_force(chief, "benefit_approval", D(1), on) is None


def test_delegation_to_a_stranger_or_before_the_decision_is_refused(granting, zone, make_user):
    stranger = make_user(zone["CNPS-CI"], "approver")
    with pytest.raises(ValidationError) as exc:
        services.delegation_grant(
            decision=granting, delegate=stranger, kind="benefit_approval",
            amount_ceiling="100", start_date=dt.date(2026, 1, 1),
        )  # fmt: skip
    assert sorted(exc.value.message_dict) == ["delegate", "start_date"]
    assert Delegation.objects.count() == 0
