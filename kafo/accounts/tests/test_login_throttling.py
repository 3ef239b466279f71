"""Login throttling through the login page, with the client's address varied (REMOTE_ADDR)."""

from axes.models import AccessAttempt

from conftest import TEST_PASSWORD

WRONG = "not-the-password-1"  # noqa: S105


def _login(client, username, password, address):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(response) -> bool:
    return response.status_code == 302 and "/login" not in response["Location"]


def test_five_failures_lock_the_username_from_that_address(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    for _ in range(4):
        assert _login(client, "awa", WRONG, "10.0.0.1").status_code == 200
    assert _login(client, "awa", WRONG, "10.0.0.1").status_code == 429  # the fifth locks
    locked = _login(client, "awa", TEST_PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert "pour ce compte ou depuis cette adresse" in locked.content.decode()


def test_guesses_spread_over_addresses_lock_the_username_everywhere(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    # 10 guesses, 2 from each of 5 addresses: no address reaches its own limit of 5.
    for i in range(10):
        _login(client, "awa", WRONG, f"10.0.1.{i % 5}")
    assert AccessAttempt.objects.filter(username="awa").count() == 5
    # The right password, from an address never used, is refused: the username is locked.
    response = _login(client, "awa", TEST_PASSWORD, "10.0.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_nine_spread_guesses_do_not_lock_the_username(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    for i in range(9):
        _login(client, "awa", WRONG, f"10.0.1.{i % 5}")
    assert _logged_in(_login(client, "awa", TEST_PASSWORD, "10.0.9.9"))


def test_a_locked_user_cannot_log_in_from_another_address(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    for _ in range(5):
        _login(client, "awa", WRONG, "10.0.0.1")
    assert _login(client, "awa", TEST_PASSWORD, "10.0.0.1").status_code == 429
    # Five more from a second address reach the username's own limit of 10.
    for _ in range(5):
        _login(client, "awa", WRONG, "10.0.0.2")
    response = _login(client, "awa", TEST_PASSWORD, "10.0.0.3")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_spraying_from_one_address_locks_the_address(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    # 20 usernames, one guess each, from one address: no username reaches a limit.
    for i in range(20):
        _login(client, f"user{i}", WRONG, "10.0.2.1")
    # Even the right password of another user is refused from that address...
    assert _login(client, "awa", TEST_PASSWORD, "10.0.2.1").status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but not from another one.
    assert _logged_in(_login(client, "awa", TEST_PASSWORD, "10.0.2.2"))


def test_a_successful_login_does_not_reset_the_sprayers_address(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    for i in range(19):
        _login(client, f"user{i}", WRONG, "10.0.2.1")
    # The sprayer logs into an account of their own from the same address...
    assert _logged_in(_login(client, "awa", TEST_PASSWORD, "10.0.2.1"))
    client.post("/logout/", REMOTE_ADDR="10.0.2.1")
    # ...the 19 failures still count: the 20th locks the address.
    _login(client, "user19", WRONG, "10.0.2.1")
    assert _login(client, "awa", TEST_PASSWORD, "10.0.2.1").status_code == 429


def _behind_proxy(client, username, password, forwarded_for):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_each_client_address_is_counted_apart(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    # A sprayer behind the loopback proxy: its address is the last X-Forwarded-For entry
    # (what it writes itself in the header comes first and is not believed).
    for i in range(20):
        _behind_proxy(client, f"user{i}", WRONG, f"6.6.6.{i}, 10.0.3.1")
    assert _behind_proxy(client, "awa", TEST_PASSWORD, "10.0.3.1").status_code == 429
    # Every other user comes through the same proxy and still logs in.
    assert _logged_in(_behind_proxy(client, "awa", TEST_PASSWORD, "10.0.3.2"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.3.1"}


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    for i in range(20):
        client.post(
            "/login/",
            {"username": f"user{i}", "password": WRONG},
            REMOTE_ADDR="10.0.4.1",
            HTTP_X_FORWARDED_FOR=f"10.0.5.{i}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.4.1"}
    assert _login(client, "awa", TEST_PASSWORD, "10.0.4.1").status_code == 429


def test_a_forwarded_value_that_is_not_an_address_counts_the_proxy(client, zone, make_user):
    make_user(zone["INPS-ML"], "registration_agent", username="awa")
    response = _behind_proxy(client, "awa", WRONG, "not-an-address")
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
