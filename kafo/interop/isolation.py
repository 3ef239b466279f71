"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {}
PUBLIC_ROUTES: set[str] = {
    # The SPDCI endpoints (registry_api/views.py): no user session and no record id in the URL;
    # a partner's token, and its agreement's organisations, decide what it reads
    # (tested in tests/test_registry_search.py: a partner never receives another
    # organisation's records).
    "interop-token",
    "interop-jwks",
    "interop-sync-search",
    "interop-search",
    "interop-subscribe",
    "interop-unsubscribe",
    "interop-txn-status",
    "interop-sync-txn-status",
    "interop-unknown",
    # partners of the caller's own organisation (the scoped manager), and the form: no record id
    "interop-partner-list",
    "interop-partner-create",
}
# a partner registered by the organisation (views_partners.py)
ROUTES |= {
    name: (lambda rec: {"pk": rec["partner"].pk})
    for name in ("interop-partner-detail", "interop-partner-secret", "interop-partner-active")
}


# H19b: a death to review (crvs/views.py); the CRVS callback authenticates its partner by token,
# the review list and the notifications page list the caller's own organisation's rows.
ROUTES |= {"interop-death-decide": lambda rec: {"pk": rec["death_match"].pk}}
PUBLIC_ROUTES |= {"interop-crvs-callback", "interop-death-review", "interop-notifications"}


def _event_records(organisation) -> dict:
    from .tests.factories_events import death_match

    return {"death_match": death_match(organisation)}


def make_records(organisation, records: dict) -> dict:
    return _partner_records(organisation) | _event_records(organisation)


def _partner_records(organisation) -> dict:
    from .services import partner_register

    partner, _ = partner_register(
        organisation=organisation,
        name="SECRET Partner",
        kind="programme",
        organisations=[organisation],
        attributes=["national_id"],
        callback_urls=[],
    )
    return {"partner": partner}
