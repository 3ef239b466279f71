"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py).

The rule pages list the scope's own versions and take no record id in their URL.
"""

ROUTES: dict = {}
PUBLIC_ROUTES: set[str] = {
    "rules-version-list",
    "rules-version-add",
    "api:rules-versions",
    "api:rules-version-create",
}


def make_records(organisation, records: dict) -> dict:
    return {}
