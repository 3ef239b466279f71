"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {
    # benefits in payment (views_in_payment.py)
    **{
        name: (lambda rec: {"pk": rec["benefit"].pk})
        for name in (
            "payroll-benefit-detail",
            "payroll-benefit-status",
            "payroll-certificate-record",
        )
    },
}
# a person's payments and a child's allowance documents (views_statements.py): the registry's
# person and child (kafo/registry/isolation.py)
ROUTES |= {
    "payroll-person-payments": lambda rec: {"pk": rec["person"].pk},
    "payroll-person-statement": lambda rec: {"pk": rec["person"].pk},
    "payroll-child-documents": lambda rec: {"pk": rec["dependant"].pk},
}
# payroll runs (views_runs.py): a frozen run of the organisation and one of its files
ROUTES |= {
    **{
        name: (lambda rec: {"pk": rec["run"].pk})
        for name in (
            "payroll-run-detail",
            "payroll-run-approve",
            "payroll-run-freeze",
            "payroll-run-cancel",
            "payroll-run-returns",
        )
    },
    "payroll-run-file": lambda rec: {"pk": rec["run"].pk, "file_pk": rec["run_file"].pk},
}
PUBLIC_ROUTES: set[str] = {
    # the runs of the caller's own organisation, and the form to prepare one: no record id
    "payroll-run-list",
    "payroll-run-prepare",
    # Lists and the campaign of the caller's own organisation (the scoped manager): no record id.
    "payroll-benefit-list",
    "payroll-life-campaign",
    "payroll-life-campaign-suspend",
}


def make_records(organisation, records: dict) -> dict:
    """A pension in payment (bank) of the organisation."""
    from .tests.factories import make_benefit
    from .tests.factories_runs import make_frozen_run

    benefit = make_benefit(organisation, payee_name="SECRET Benefit")
    return {"benefit": benefit, **make_frozen_run(organisation)}
