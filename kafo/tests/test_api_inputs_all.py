"""Every app's write endpoints refuse a body that is not a JSON object with the same clear
reason (only the registry's did), and the rules API refuses a date that is not AAAA-MM-JJ."""

import pytest

from kafo.audit.models import AuditEvent

REASON = "le corps de la requête doit être un objet JSON, pas une liste"


@pytest.mark.parametrize(
    "url",
    [
        "/api/rules/versions",
        "/api/persons/1/liaison",
        "/api/exchange/messages/1/answer",
        "/api/governance/decisions/1/status",
    ],
)
def test_a_list_body_is_refused_with_its_reason(client, zone, make_user, url):
    client.force_login(make_user(None, "zone_admin"))
    events = AuditEvent.objects.count()
    response = client.post(url, "[]", content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": "payload", "reason": REASON}]
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("value", [0, "0", "1700000000", "01/10/2027"])
def test_a_rule_version_date_must_be_iso(client, zone, make_user, value):
    client.force_login(make_user(None, "zone_admin"))
    body = {
        "organisation": "CNPS-CI",
        "kind": "rate",
        "effective_from": value,
        "source": "Décret",
        "branch": "pension",
        "component": "pension",
    }
    response = client.post("/api/rules/versions", body, content_type="application/json")
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == "payload.effective_from"
    assert "AAAA-MM-JJ" in error["reason"]
