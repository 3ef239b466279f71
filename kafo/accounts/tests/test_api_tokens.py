"""API tokens: issued in the admin and on the command line, expiring, revocable, audited."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kafo.accounts import services
from kafo.accounts.models import ApiToken, User
from kafo.audit.models import AuditEvent


@pytest.fixture
def agent(zone, make_user):
    return make_user(zone["INPS-ML"], "registration_agent", username="awa")


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(None, username="root.admin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=admin.pk))
    return client


def _get(client, raw):
    return client.get("/api/persons?q=x", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_is_stored_hashed_and_expires_after_the_default_days(agent, settings):
    settings.KAFO_API_TOKEN_DAYS = 30
    before = timezone.now()
    token, raw = services.token_issue(user=agent, name="paie")
    assert raw.startswith("kafo_") and len(raw) == 5 + 43
    assert token.digest == ApiToken.digest_of(raw) != raw
    assert token.prefix == raw[:12]
    assert before + dt.timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)
    assert token.revoked_at is None


def test_a_valid_token_authenticates_and_records_its_last_use(client, agent):
    token, raw = services.token_issue(user=agent, name="paie")
    assert _get(client, raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_expired_token_is_refused_with_its_reason(client, agent):
    token, raw = services.token_issue(user=agent, name="paie")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    response = _get(client, raw)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": None, "reason": "token expired"}]}
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_revoked_token_is_refused_with_its_reason(client, agent):
    token, raw = services.token_issue(user=agent, name="paie")
    services.token_revoke(token=token)
    response = _get(client, raw)
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": None, "reason": "token revoked"}]}


def test_issue_and_revoke_are_audited_in_the_owners_organisation(agent):
    token, raw = services.token_issue(user=agent, name="paie")
    services.token_revoke(token=token)
    services.token_revoke(token=token)  # twice: one event only
    events = list(AuditEvent.unscoped.filter(object_type="apitoken").order_by("id"))
    assert [(e.action, e.organisation_id, e.subject_type, e.subject_id) for e in events] == [
        ("create", agent.organisation_id, "user", str(agent.pk)),
        ("update", agent.organisation_id, "user", str(agent.pk)),
    ]
    assert set(events[0].changes) == {"name", "prefix", "expires_at"}
    assert raw not in str(events[0].changes) and token.digest not in str(events[0].changes)


def test_a_token_without_name_or_already_expired_is_refused(agent):
    with pytest.raises(Exception) as exc:
        services.token_issue(
            user=agent, name=" ", expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    assert exc.value.message_dict == {
        "name": ["Le nom du jeton est obligatoire."],
        "expires_at": ["La date d'expiration doit être dans le futur."],
    }
    assert ApiToken.objects.count() == 0


def test_the_admin_issues_several_usable_tokens_and_shows_each_once(admin_client, agent):
    raws = []
    for name in ("paie", "déclarations"):
        response = admin_client.post(
            "/admin/accounts/apitoken/add/",
            {"user": agent.pk, "name": name, "expires_at_0": "", "expires_at_1": ""},
            follow=True,
        )
        assert response.status_code == 200
        shown = re.findall(r"kafo_[A-Za-z0-9_-]{43}", response.content.decode())
        assert len(shown) == 1
        raws.append(shown[0])
    assert ApiToken.objects.filter(user=agent).count() == 2
    for raw in raws:
        assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)).user == agent
        assert _get(admin_client.__class__(), raw).status_code == 200
    # The list and the change page never show the token again.
    token = ApiToken.objects.get(name="paie")
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert not any(raw in page for raw in raws)
        assert token.digest not in page


def test_the_admin_revokes_selected_tokens(admin_client, agent):
    token, raw = services.token_issue(user=agent, name="paie")
    other, _ = services.token_issue(user=agent, name="autre")
    response = admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None
    assert other.revoked_at is None
    assert _get(admin_client.__class__(), raw).status_code == 401


def test_the_command_creates_lists_and_revokes_a_token(client, agent):
    out = io.StringIO()
    call_command("api_token", "create", "awa", "--name", "paie", "--days", "7", stdout=out)
    raw = out.getvalue().splitlines()[1]
    token = ApiToken.objects.get(digest=ApiToken.digest_of(raw))
    assert token.name == "paie"
    assert (token.expires_at - token.created_at).days == 6  # 7 days less a few microseconds
    assert _get(client, raw).status_code == 200
    out = io.StringIO()
    call_command("api_token", "list", "awa", stdout=out)
    assert out.getvalue().split("\t")[-1] == "actif\n"
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    assert _get(client, raw).status_code == 401
    out = io.StringIO()
    call_command("api_token", "list", "awa", stdout=out)
    assert out.getvalue().split("\t")[-1] == "token revoked\n"


def test_the_command_refuses_an_unknown_user_and_creates_nothing(agent):
    with pytest.raises(CommandError, match="utilisateur inconnu : personne"):
        call_command("api_token", "create", "personne", "--name", "x", stdout=io.StringIO())
    assert ApiToken.objects.count() == 0
