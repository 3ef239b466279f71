"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt

from kafo.rules.services import rules_seed

ROUTES: dict = {
    "contributions-declaration-detail": lambda rec: {"pk": rec["declaration"].pk},
    "api:contributions-declaration-read": lambda rec: {"declaration_id": rec["declaration"].pk},
    "contributions-account-detail": lambda rec: {"pk": rec["employer"].pk},
    "contributions-payment-new": lambda rec: {"pk": rec["employer"].pk},
    "contributions-account-statement-pdf": lambda rec: {"pk": rec["employer"].pk},
    "contributions-certificate-issue": lambda rec: {"pk": rec["employer"].pk},
    "contributions-certificate-pdf": lambda rec: {"pk": rec["certificate"].pk},
    "contributions-certificate-revoke": lambda rec: {"pk": rec["certificate"].pk},
    "contributions-payment-reverse": lambda rec: {"pk": rec["payment"].pk},
    "contributions-person-career": lambda rec: {"pk": rec["person"].pk},
    "api:contributions-account-read": lambda rec: {"employer_id": rec["employer"].pk},
    "api:api-person-career": lambda rec: {"person_id": rec["person"].pk},
}
PUBLIC_ROUTES: set[str] = {
    "contributions-declaration-list",
    "contributions-declaration-new",
    "contributions-declaration-template",
    "contributions-pending-list",
    "api:contributions-declaration-submit",
    "contributions-account-list",
    "contributions-statement-import",
    # Public by design: the unguessable code printed on the paper is the key, and the page
    # shows only what the paper shows (tested in tests/test_certificates.py).
    "contributions-certificate-verify",
    "contributions-certificate-check",
    "api:contributions-payment-record",
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
    declaration = result.declaration
    from .ledger import certificate_issue, payment_record, period_due_date
    from .selectors import account_state

    due = period_due_date(organisation_id=organisation.pk, period=declaration.period)
    owed = account_state(employer=employer, as_of=dt.date.today()).balance  # with any penalty
    payment = payment_record(
        employer=employer,
        amount=owed,
        paid_on=min(due, dt.date.today()),
        method="bank",
        reference="VIR-ISOLATION-1",
    )
    certificate = certificate_issue(employer=employer)
    return {"declaration": declaration, "payment": payment, "certificate": certificate}
