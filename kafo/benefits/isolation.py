"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py).

The simulator takes no record id: it computes on the career sent in the body, under the
caller's own organisation's rules (another organisation's code is answered as unknown, tested
in tests/test_simulate.py).
"""

ROUTES: dict = {
    "benefits-person-retirement": lambda rec: {"pk": rec["person"].pk},
    "benefits-person-retirement-pdf": lambda rec: {"pk": rec["person"].pk},
}
PUBLIC_ROUTES: set[str] = {"api:benefits-simulate"}


def make_records(organisation, records: dict) -> dict:
    return {}
