"""The staff page of messages: the organisation's own, paged, with status and last error."""

import pytest
from django.urls import reverse

from kafo.messaging import services

URL = reverse("messaging-message-list")


@pytest.fixture
def messages(zone):
    ci, ml = zone["CNPS-CI"], zone["INPS-ML"]
    services.queue_sms(organisation=ci, to="0701234567", text="a", purpose="worker_declared")
    services.queue_sms(organisation=ci, to="12", text="b", purpose="worker_undeclared:2025-Q2")
    services.queue_sms(organisation=ml, to="70123456", text="c", purpose="worker_declared")
    services.queue_email(
        organisation=ci, to="x@y.ci", subject="s", body="b", purpose="collection_notice"
    )
    return ci, ml


@pytest.mark.django_db
def test_a_manager_sees_the_messages_of_their_organisation_only(
    messages, make_user, client, django_assert_max_num_queries
):
    ci, _ml = messages
    client.force_login(make_user(ci, "contributions_manager"))
    with django_assert_max_num_queries(12):
        page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "+2250701234567" in html and "Salarié : salaire déclaré" in html
    assert "numéro invalide pour son pays : 12" in html and "Salarié : non déclaré" in html
    assert "+22370123456" not in html  # INPS-ML's
    assert page.context["page"].paginator.count == 2
    refused = client.get(URL, {"status": "refused"})
    assert [m.raw_to for m in refused.context["page"]] == ["12"]
    emails = client.get(URL, {"kind": "email"})
    assert [m.to for m in emails.context["page"]] == ["x@y.ci"]
    assert "Employeur : avis de recouvrement" in emails.content.decode()


@pytest.mark.django_db
def test_each_notice_to_an_employer_is_named_by_its_kind(zone, make_user, client):
    from django.utils import translation

    ci = zone["CNPS-CI"]
    for kind in ("reminder", "overdue", "formal_notice", "assessment", "penalty"):
        services.queue_sms(
            organisation=ci, to="0701234567", text=kind, purpose=f"collection_notice:{kind}"
        )
    client.force_login(make_user(ci, "contributions_manager"))
    labels = [m.purpose_label for m in client.get(URL).context["page"]]
    assert labels == [
        "Employeur : avis de majoration",
        "Employeur : taxation d'office",
        "Employeur : mise en demeure",
        "Employeur : avis d'échéance dépassée",
        "Employeur : rappel",
    ]
    from kafo.messaging.views import purpose_label

    with translation.override("en"):
        assert purpose_label("collection_notice:formal_notice") == "Employer: formal notice"
        assert purpose_label("collection_notice:overdue") == "Employer: overdue notice"


@pytest.mark.django_db
def test_a_registration_agent_may_not_read_messages(messages, make_user, client):
    client.force_login(make_user(messages[0], "registration_agent"))
    assert client.get(URL).status_code == 403
