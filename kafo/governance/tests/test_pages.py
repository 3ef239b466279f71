import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kafo.governance import services
from kafo.governance.models import Body, Decision, Session, Status

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(zone):
    return zone["INPS-ML"]


@pytest.fixture
def director(org, make_user, client):
    user = make_user(org, "director")
    client.force_login(user)
    return user


@pytest.fixture
def sess(org):
    body = f.board(org)
    services.body_member_add(body=body, name="Aminata Traoré", role="Présidente")
    return f.session(body)


def test_director_records_a_body_and_a_session(director, client):
    response = client.post(reverse("governance-body-create"), {"name": "CA", "kind": "board"})
    body = Body.objects.get()
    assert response.status_code == 302
    assert body.organisation == director.organisation
    response = client.post(
        reverse("governance-session-create", args=[body.pk]),
        {"date": "2026-03-10", "place": "Bamako", "agenda": "Budget",
         "minutes": SimpleUploadedFile("pv.pdf", b"%PDF pv")},
    )  # fmt: skip
    session = Session.objects.get()
    assert response.url == reverse("governance-session-detail", args=[session.pk])
    assert (session.number, session.date, session.place) == (1, dt.date(2026, 3, 10), "Bamako")
    minutes = client.get(reverse("governance-session-minutes", args=[session.pk]))
    assert b"".join(minutes.streaming_content) == b"%PDF pv"


def test_decision_form_shows_field_errors_and_saves_nothing(director, client, sess):
    response = client.post(
        reverse("governance-decision-create", args=[sess.pk]),
        {"title": "", "kind": "general", "owner_name": "DAF", "deadline": "2025-01-01"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["title"] == ["Ce champ est obligatoire."]
    assert Decision.objects.count() == 0
    response = client.post(
        reverse("governance-decision-create", args=[sess.pk]),
        {"title": "Budget", "kind": "general", "owner_name": "DAF", "deadline": "2025-01-01"},
    )
    assert response.context["form"].errors["deadline"] == [
        "L'échéance ne peut pas précéder la session."
    ]
    assert Decision.objects.count() == 0


def test_agent_reads_but_cannot_manage(org, make_user, client, sess):
    f.decision(sess)
    client.force_login(make_user(org, "registration_agent"))
    page = client.get(reverse("governance-session-detail", args=[sess.pk]))
    assert page.status_code == 200
    assert "Adopter le budget 2026" in page.content.decode()
    assert page.context["decision_form"] is None
    response = client.post(
        reverse("governance-decision-create", args=[sess.pk]),
        {"title": "X", "kind": "general", "owner_name": "Y"},
    )
    assert response.status_code == 403
    assert Decision.objects.count() == 1


def test_employer_user_sees_nothing(org, make_user, client):
    from kafo.registry.tests.factories import employer

    client.force_login(make_user(org, "employer", employer=employer(org)))
    assert client.get(reverse("governance-body-list")).status_code == 403


def test_owner_marks_own_decision_done_with_evidence(org, make_user, client, sess):
    owner = make_user(org, "benefits_officer")
    mine = f.decision(sess, owner_user=owner)
    other = f.decision(sess, title="Autre")
    client.force_login(owner)
    url = reverse("governance-decision-status", args=[mine.pk])
    response = client.post(url, {"status": "done"})
    assert response.context["form"].errors["evidence"] == [
        "Joignez le justificatif de réalisation."
    ]
    response = client.post(
        url,
        {"status": "done", "note": "Voté", "follow_up_note": "Exécuté",
         "evidence": SimpleUploadedFile("budget.pdf", b"%PDF budget")},
    )  # fmt: skip
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.follow_up_note) == (Status.DONE, "Exécuté")
    change = mine.history.last()
    evidence = client.get(reverse("governance-evidence-file", args=[change.pk]))
    assert b"".join(evidence.streaming_content) == b"%PDF budget"
    page = client.get(reverse("governance-decision-detail", args=[mine.pk])).content.decode()
    assert "Voté" in page and reverse("governance-evidence-file", args=[change.pk]) in page

    response = client.post(
        reverse("governance-decision-status", args=[other.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == Status.TODO


def test_evidence_of_another_organisation_is_404(zone, make_user, client, sess):
    decision = f.decision(sess)
    f.done(decision, f.JAN)
    change = decision.history.last()
    client.force_login(make_user(zone["CNPS-CI"], "director"))
    assert client.get(reverse("governance-evidence-file", args=[change.pk])).status_code == 404
    assert client.get(reverse("governance-session-minutes", args=[sess.pk])).status_code == 404


def test_board_pack_downloads(director, client, sess):
    f.decision(sess, title="Recouvrer", deadline=dt.date(2026, 2, 28))
    nxt = f.session(sess.body, date=dt.date(2026, 6, 1))
    page = client.get(reverse("governance-session-detail", args=[nxt.pk])).content.decode()
    assert "1 décision des sessions précédentes à examiner." in page
    xlsx = client.get(reverse("governance-session-pack", args=[nxt.pk, "xlsx"]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[3]][:7] == [
        "S1-D1", "20/01/2026", "Recouvrer", "Moussa Keita", "Direction financière",
        "28/02/2026", "en retard",
    ]  # fmt: skip
    assert ws.max_row == 3
    pdf = client.get(reverse("governance-session-pack", args=[nxt.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("governance-session-pack", args=[nxt.pk, "doc"])).status_code == 404


def test_follow_up_highlights_overdue(org, make_user, client, sess):
    owner = make_user(org, "approver")
    f.decision(sess, title="En retard", owner_user=owner, deadline=dt.date(2026, 2, 1))
    f.decision(sess, title="À venir", owner_user=owner, deadline=dt.date(2099, 1, 1))
    f.decision(sess, title="Pas à moi", deadline=dt.date(2026, 2, 1))
    client.force_login(owner)
    response = client.get(reverse("governance-follow-up"))
    data = response.context["data"]
    assert [(d.title, d.overdue) for d in data.decisions] == [
        ("En retard", True),
        ("À venir", False),
    ]
    assert '<tr class="overdue"' in response.content.decode()
    assert "1 élément en retard." in response.content.decode()


def test_plan_page_shows_the_roll_up(director, client, org):
    plan = f.plan(org)
    priority = services.priority_add(plan=plan, title="Gouvernance")
    action = services.action_add(priority=priority, title="Manuel", owner_name="DG",
                                 end_date=dt.date(2099, 6, 30), budget="2500000")  # fmt: skip
    response = client.post(
        reverse("governance-action-status", args=[action.pk]),
        {"status": "in_progress", "percent_done": "40"},
    )
    assert response.status_code == 302
    page = client.get(reverse("governance-plan-detail", args=[plan.pk])).content.decode()
    assert "2 500 000 FCFA" in page
    assert '<span class="priority-progress">40,0 %</span>' in page
    assert "pondéré par les budgets" in page


def test_list_pages_use_a_constant_number_of_queries(director, client, org, sess,
                                                     django_assert_max_num_queries):  # fmt: skip
    for i in range(5):
        f.decision(sess, title=f"D{i}", owner_name=f"Owner {i}")
    with django_assert_max_num_queries(12):
        client.get(reverse("governance-session-detail", args=[sess.pk]))
    with django_assert_max_num_queries(10):
        client.get(reverse("governance-body-list"))


# --- API ------------------------------------------------------------------------------------


def test_api_decisions(director, client, sess):
    decision = f.decision(sess, deadline=dt.date(2099, 12, 31))
    listing = client.get(reverse("api:api-governance-decisions")).json()
    assert [(d["reference"], d["status"], d["organisation"]) for d in listing] == [
        ("S1-D1", "todo", "INPS-ML")
    ]
    url = reverse("api:api-governance-decision-status", kwargs={"decision_id": decision.pk})
    refused = client.post(url, {"status": "done"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json() == {
        "errors": [{"field": "evidence", "reason": "Joignez le justificatif de réalisation."}]
    }
    ok = client.post(url, {"status": "in_progress", "note": "Lancé"},
                     content_type="application/json")  # fmt: skip
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "in_progress"
    assert [(h["status"], h["note"]) for h in body["history"]][-1] == ("in_progress", "Lancé")


def test_api_plan_detail(director, client, org):
    plan = f.plan(org)
    priority = services.priority_add(plan=plan, title="Gouvernance")
    services.action_add(priority=priority, title="Manuel", owner_name="DG",
                        end_date=dt.date(2099, 6, 30))  # fmt: skip
    body = client.get(reverse("api:api-governance-plan", kwargs={"plan_id": plan.pk})).json()
    assert body["progress"] == "0.0"
    assert body["priorities"][0]["progress_method"] == "mean"
    assert body["priorities"][0]["actions"][0]["reference"] == "1.1"


def test_api_refuses_an_agent_of_another_organisation(zone, make_user, client, sess):
    decision = f.decision(sess)
    client.force_login(make_user(zone["CNPS-CI"], "director"))
    url = reverse("api:api-governance-decision", kwargs={"decision_id": decision.pk})
    assert client.get(url).status_code == 404
    assert client.get(reverse("api:api-governance-decisions")).json() == []


def test_every_page_renders_for_a_director(director, client, org, sess, make_user):
    decision = f.decision(sess)
    plan = f.plan(org)
    priority = services.priority_add(plan=plan, title="Gouvernance")
    action = services.action_add(priority=priority, title="Manuel", owner_name="DG",
                                 end_date=dt.date(2099, 6, 30))  # fmt: skip
    indicator = services.indicator_add(plan=plan, name="Couverture", baseline="15", target="20")
    urls = [
        reverse("governance-body-list"),
        reverse("governance-body-create"),
        reverse("governance-body-detail", args=[sess.body_id]),
        reverse("governance-member-add", args=[sess.body_id]),
        reverse("governance-session-create", args=[sess.body_id]),
        reverse("governance-session-edit", args=[sess.pk]),
        reverse("governance-decision-detail", args=[decision.pk]),
        reverse("governance-decision-edit", args=[decision.pk]),
        reverse("governance-decision-status", args=[decision.pk]),
        reverse("governance-delegation-create", args=[decision.pk]),
        reverse("governance-delegation-list"),
        reverse("governance-follow-up") + "?owner=Moussa+Keita",
        reverse("governance-plan-list"),
        reverse("governance-plan-create"),
        reverse("governance-plan-detail", args=[plan.pk]),
        reverse("governance-priority-add", args=[plan.pk]),
        reverse("governance-indicator-add", args=[plan.pk]),
        reverse("governance-action-add", args=[priority.pk]),
        reverse("governance-action-status", args=[action.pk]),
        reverse("governance-measure-add", args=[indicator.pk]),
    ]
    assert {url: client.get(url).status_code for url in urls} == {url: 200 for url in urls}


def test_director_grants_a_delegation_from_a_decision(director, client, org, sess, make_user):
    decision = f.decision(sess, kind="delegation")
    chief = make_user(org, "approver")
    response = client.post(
        reverse("governance-delegation-create", args=[decision.pk]),
        {"delegate": chief.pk, "kind": "benefit_approval", "amount_ceiling": "5000000",
         "start_date": "2026-02-01"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("governance-delegation-list")).content.decode()
    assert "5 000 000 FCFA" in page and "S1-D1" in page


def test_zone_admin_chooses_the_organisation(zone, make_user, client):
    client.force_login(make_user(None, "zone_admin"))
    url = reverse("governance-body-create")
    response = client.post(url, {"name": "CA", "kind": "board"})
    assert response.context["form"].errors["organisation"] == ["Ce champ est obligatoire."]
    assert Body.objects.count() == 0
    client.post(url, {"name": "CA", "kind": "board", "organisation": zone["CSS-SN"].pk})
    assert Body.objects.get().organisation == zone["CSS-SN"]


def test_every_create_and_edit_form_keeps_its_title_and_context(director, client, org, sess):
    """The pages share one create/edit flow (views._form_view): each keeps its own title and
    extra context, and a rejected POST shows the form again with nothing saved."""
    decision = f.decision(sess)
    plan = f.plan(org)
    priority = services.priority_add(plan=plan, title="Recouvrement")
    action = services.action_add(
        priority=priority, title="Relancer", owner_name="DAF", end_date=dt.date(2026, 6, 30)
    )
    indicator = services.indicator_add(plan=plan, name="Taux", baseline="10", target="20")
    body = sess.body
    pages = [
        ("governance-body-create", [], "Nouvelle instance", {}),
        ("governance-member-add", [body.pk], f"Nouveau membre — {body}", {"parent": body}),
        ("governance-session-create", [body.pk], f"Nouvelle session — {body}", {"multipart": True}),
        ("governance-session-edit", [sess.pk], f"Modifier — {sess}", {"multipart": True}),
        ("governance-decision-edit", [decision.pk], f"Modifier — {decision}", {}),
        ("governance-decision-status", [decision.pk], f"Statut — {decision}", {"multipart": True}),
        ("governance-delegation-create", [decision.pk], f"Délégation accordée par {decision}", {}),
        ("governance-plan-create", [], "Nouveau plan", {}),
        ("governance-priority-add", [plan.pk], f"Nouvel axe — {plan}", {}),
        ("governance-action-add", [priority.pk], f"Nouvelle action — {priority}", {}),
        ("governance-action-status", [action.pk], f"Statut — {action}", {}),
        ("governance-indicator-add", [plan.pk], f"Nouvel indicateur — {plan}", {}),
        ("governance-measure-add", [indicator.pk], f"Nouvelle mesure — {indicator}", {}),
    ]
    for name, args, title, extra in pages:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        context = response.context
        assert (context["title"], context.get("multipart"), context.get("parent")) == (
            title,
            extra.get("multipart"),
            extra.get("parent"),
        ), name
    rejected = client.post(
        reverse("governance-decision-create", args=[sess.pk]), {"title": "", "kind": "general"}
    )
    assert rejected.status_code == 200
    assert rejected.context["title"] == f"Nouvelle décision — {sess}"
    assert Decision.objects.count() == 1
