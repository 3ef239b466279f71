"""Tenant-isolation contract of the insured person's space (read by
kafo/tests/test_tenant_isolation.py).

The pages and API operations of the space take no person id: they read the caller's own
person (`User.person`), so they are listed as public. The one route that takes an id, a claim,
is walked with another organisation's claim (made by kafo/benefits/isolation.py);
kafo/insured/tests/test_access.py walks every route again as an insured user of the *same*
organisation.
"""

ROUTES: dict = {
    "insured-claim": lambda rec: {"pk": rec["claim"].pk},
    "insured-claim-notification": lambda rec: {"pk": rec["claim"].pk},
}
PUBLIC_ROUTES: set[str] = {
    "insured-career",
    "insured-retirement",
    "insured-retirement-pdf",
    "insured-claims",
    "insured-payments",
    "insured-payment-statement",
    "api:api-me-career",
    "api:api-me-retirement",
    "api:api-me-payments",
    "api:api-me-payment-statement",
}


def make_records(organisation, records: dict) -> dict:
    """Nothing of its own: the claim comes from the benefits contract."""
    return {}
