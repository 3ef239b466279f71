"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {}
PUBLIC_ROUTES: set[str] = set()


def make_records(organisation, records: dict) -> dict:
    return {}
