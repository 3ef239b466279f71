"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {}
# No object in the URL: each answers the user's own organisation (the zone for a zone admin).
PUBLIC_ROUTES: set[str] = {"stats-indicators-xlsx", "stats-monthly-report"}


def make_records(organisation, records: dict) -> dict:
    return {}
