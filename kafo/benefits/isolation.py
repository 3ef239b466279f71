"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py).

The simulator takes no record id: it computes on the career sent in the body, under the
caller's own organisation's rules (another organisation's code is answered as unknown, tested
in tests/test_simulate.py).
"""

ROUTES: dict = {
    "benefits-person-retirement": lambda rec: {"pk": rec["person"].pk},
    "benefits-person-retirement-pdf": lambda rec: {"pk": rec["person"].pk},
    "benefits-claim-open": lambda rec: {"pk": rec["person"].pk},
    **{
        name: (lambda rec: {"pk": rec["claim"].pk})
        for name in (
            "benefits-claim-detail",
            "benefits-claim-documents",
            "benefits-claim-proven",
            "benefits-claim-compute",
            "benefits-claim-submit",
            "benefits-claim-approve",
            "benefits-claim-reject",
            "benefits-claim-revise",
            "benefits-claim-trace-pdf",
            "benefits-claim-notification-pdf",
        )
    },
    # the JSON API of the claims (kafo/benefits/api.py)
    "api:api-benefits-claim-open": lambda rec: {"person_id": rec["person"].pk},
    **{
        name: (lambda rec: {"claim_id": rec["claim"].pk})
        for name in (
            "api:api-benefits-claim",
            "api:api-benefits-claim-document",
            "api:api-benefits-claim-compute",
            "api:api-benefits-claim-submit",
            "api:api-benefits-claim-approve",
            "api:api-benefits-claim-reject",
        )
    },
}
PUBLIC_ROUTES: set[str] = {
    "api:benefits-simulate",
    # Lists of the caller's own organisation's claims (the scoped manager): no record id.
    "benefits-claim-list",
    "benefits-approval-queue",
    "api:api-benefits-claims",
}


def make_records(organisation, records: dict) -> dict:
    """An approved pension claim (its notification exists) of a pensioner with a real career."""
    import datetime as dt

    from django.utils import timezone

    from kafo.accounts.models import Role, RoleCode, User
    from kafo.registry.services import person_register
    from kafo.rules.services import rules_seed

    from . import claim_decisions, claims
    from .demo import Job, declare_careers
    from .services import benefits_seed

    rules_seed()
    benefits_seed()
    today = timezone.localdate()
    pensioner = person_register(
        organisation=organisation,
        data={
            "family_name": "Kouassi-Secret",
            "given_names": "Amani",
            "sex": "M",
            "birth_date": dt.date(today.year - 66, 1, 1),
        },
    )
    declare_careers(
        organisation=organisation,
        jobs=[Job(records["employer"], pensioner, "2005-01", "2019-12", 200000)],
    )

    def agent(role):
        user = User.objects.create_user(
            username=f"{organisation.code.lower()}.isolation-{role}", organisation=organisation
        )
        user.roles.set([Role.objects.get_or_create(code=role)[0]])
        return user

    officer, director = agent(RoleCode.BENEFITS_OFFICER), agent(RoleCode.DIRECTOR)
    claim = claims.claim_open(person=pensioner, kind="pension", claim_date=today, user=officer)
    for doc in claim.documents.all():
        claims.claim_document_set(claim=claim, code=doc.code, received=True, user=officer)
    claims.claim_compute(claim=claim, user=officer)
    claims.claim_submit(claim=claim, user=officer)
    claim_decisions.claim_approve(claim=claim, user=director)
    return {"claim": claim, "pensioner": pensioner}
