"""Fixtures shared by every app's tests: the seeded zone, users with roles, scopes."""

import pytest

from kafo.accounts.models import Role, User
from kafo.organisations.services import zone_seed
from kafo.organisations.tenancy import zone_scope

TEST_PASSWORD = "kafo-test-pass-2026"


@pytest.fixture(autouse=True)
def _zone_scope_for_test_setup():
    """Tests build their data zone-wide; requests made by the test client set their own scope."""
    with zone_scope():
        yield


@pytest.fixture
def zone(db):
    """The seven organisations of the reference file, by code."""
    return {o.code: o for o in zone_seed()}


@pytest.fixture
def make_user(db):
    def _make(organisation, *roles, username=None, employer=None, password=TEST_PASSWORD):
        org_code = organisation.code.lower() if organisation else "zone"
        username = username or f"{org_code}.{'-'.join(roles) or 'norole'}"
        user = User.objects.create_user(
            username=username, password=password, organisation=organisation, employer=employer
        )
        user.roles.set(Role.objects.filter(code__in=roles))
        return user

    return _make
