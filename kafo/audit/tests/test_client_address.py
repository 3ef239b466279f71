"""The audit trail records the client's address behind the production proxy, not the proxy's."""

from kafo.audit.models import AuditEvent
from kafo.registry.models import Person


def _register(client, **meta):
    resp = client.post(
        "/persons/new/",
        {
            "family_name": "Diarra",
            "given_names": "Oumar",
            "sex": "M",
            "birth": "12/03/1980",
        },
        **meta,
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    person = Person.unscoped.get(family_name__iexact="diarra")
    return AuditEvent.unscoped.filter(object_id=str(person.pk)).latest("pk")


def test_audit_records_the_address_the_trusted_proxy_forwarded(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    event = _register(
        client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.8.7, 196.200.1.15"
    )
    assert event.ip_address == "196.200.1.15"


def test_audit_ignores_x_forwarded_for_from_an_untrusted_peer(client, zone, make_user):
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    event = _register(client, REMOTE_ADDR="41.73.2.9", HTTP_X_FORWARDED_FOR="196.200.1.15")
    assert event.ip_address == "41.73.2.9"
