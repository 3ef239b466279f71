"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

ROUTES: dict = {
    # benefits in payment (views_in_payment.py)
    **{
        name: (lambda rec: {"pk": rec["benefit"].pk})
        for name in (
            "payroll-benefit-detail",
            "payroll-benefit-status",
            "payroll-certificate-record",
            "payroll-benefit-stop",
            "payroll-benefit-channel",
            "payroll-benefit-death",
            "payroll-benefit-extend",
        )
    },
    # an overpayment of the organisation's benefit; an approved claim (kafo/benefits/isolation.py)
    # put in payment here; a board decision (kafo/governance/isolation.py) and its revaluation
    "payroll-overpayment-recover-from": lambda rec: {"pk": rec["overpayment"].pk},
    "payroll-claim-payment": lambda rec: {"pk": rec["claim"].pk},
    "payroll-revaluation-prepare": lambda rec: {"pk": rec["decision"].pk},
    "payroll-revaluation-apply": lambda rec: {"pk": rec["revaluation"].pk},
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
    "payroll-revaluation-list",
    "payroll-life-campaign",
    "payroll-life-campaign-suspend",
}


def make_records(organisation, records: dict) -> dict:
    """A pension in payment (bank) of the organisation."""
    from .tests.factories import make_benefit
    from .tests.factories_runs import make_frozen_run

    benefit = make_benefit(organisation, payee_name="SECRET Benefit")
    return {
        "benefit": benefit,
        **make_frozen_run(organisation),
        **_in_payment_records(organisation, benefit, records),
    }


def _in_payment_records(organisation, benefit, records: dict) -> dict:
    """An overpayment of the benefit and a revaluation from the organisation's board decision."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from .models import Overpayment, Revaluation

    over = Overpayment.objects.create(
        organisation=organisation,
        benefit=benefit,
        amount=Decimal(10_000),
        reason="death",
        created_at=timezone.now(),
    )
    from kafo.governance import services as governance

    body = governance.body_create(organisation=organisation, name="Conseil SECRET", kind="board")
    session = governance.session_create(body=body, date=dt.date(2026, 1, 15))
    decision = governance.decision_create(
        session=session, title="Revalorisation SECRET", owner_name="SECRET", today=session.date
    )
    rev = Revaluation.objects.create(
        organisation=organisation,
        decision=decision,
        percent=Decimal(2),
        effective_from=dt.date(2026, 1, 1),
    )
    return {"overpayment": over, "revaluation": rev}
