"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {}
PUBLIC_ROUTES: set[str] = {
    # The employer portal user's own page (request.user.employer): no record id.
    "collection-employer-home",
    # The non-filers of the caller's own organisation (request.user.organisation): no record id.
    "collection-non-filer-list",
    "collection-non-filer-csv",
    "collection-non-filer-xlsx",
}


def make_records(organisation, records: dict) -> dict:
    return {}
