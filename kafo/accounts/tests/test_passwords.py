"""Password rules wherever a password is set: the admin's user forms and the command line."""

from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from conftest import TEST_PASSWORD
from kafo.accounts.models import User

NAME = "moussa.keita.2026"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(None, username="root.admin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=admin.pk))
    return client


def test_a_password_equal_to_the_username_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password(NAME, User(username=NAME))
    assert any("trop semblable" in m for m in exc.value.messages)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("azertyuiop", "trop courant"), ("kafo-26", "trop court"), ("2026202620", "numérique")],
)
def test_common_short_and_numeric_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="awa"))
    assert any(reason in m for m in exc.value.messages)


def test_a_good_password_passes():
    validate_password(TEST_PASSWORD, User(username=NAME))


def test_the_admin_refuses_a_new_user_whose_password_is_the_username(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"username": NAME, "password1": NAME, "password2": NAME, "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "trop semblable" in response.content.decode()
    assert not User.objects.filter(username=NAME).exists()


def test_the_admin_refuses_to_set_a_password_equal_to_the_username(admin_client, make_user):
    user = make_user(None, username=NAME)
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NAME, "password2": NAME},
    )
    assert response.status_code == 200
    assert "trop semblable" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_changepassword_refuses_the_username_as_password(make_user):
    user = make_user(None, username=NAME)
    with (
        mock.patch("getpass.getpass", side_effect=[NAME, NAME] * 3),
        pytest.raises(CommandError),
    ):
        call_command("changepassword", NAME, stdout=mock.MagicMock())
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
