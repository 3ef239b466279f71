"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py).

The message list takes no record id: it lists the scoped rows of the user's organisation
(kafo/messaging/tests/test_pages.py checks another organisation's messages never show).
"""

ROUTES: dict = {}
PUBLIC_ROUTES: set[str] = {"messaging-message-list"}


def make_records(organisation, records: dict) -> dict:
    return {}
