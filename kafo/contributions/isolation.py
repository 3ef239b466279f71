"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt

from kafo.rules.services import rules_seed

ROUTES: dict = {
    "contributions-declaration-detail": lambda rec: {"pk": rec["declaration"].pk},
    "api:contributions-declaration-read": lambda rec: {"declaration_id": rec["declaration"].pk},
}
PUBLIC_ROUTES: set[str] = {
    "contributions-declaration-list",
    "contributions-declaration-new",
    "contributions-declaration-template",
    "contributions-pending-list",
    "api:contributions-declaration-submit",
}


def make_records(organisation, records: dict) -> dict:
    from .services import declaration_submit

    rules_seed()  # idempotent
    employer = records["employer"]
    person = records["person"]
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    result = declaration_submit(
        employer=employer,
        period=f"{last_month:%Y-%m}",
        rows=[
            {
                "worker_number": person.number,
                "family_name": person.family_name,
                "given_names": person.given_names,
                "days_worked": 30,
                "gross_salary": 150000,
            }
        ],
    )
    return {"declaration": result.declaration}
