"""Tenant-isolation contract of this app (read by kafo/tests/test_tenant_isolation.py)."""

import datetime as dt

ROUTES: dict = {
    "voluntary-member-detail": lambda rec: {"pk": rec["voluntary_membership"].pk},
    "voluntary-member-pay": lambda rec: {"pk": rec["voluntary_membership"].pk},
    "voluntary-member-resume": lambda rec: {"pk": rec["voluntary_membership"].pk},
}
PUBLIC_ROUTES: set[str] = {
    # the caller's own organisation's members (request.user.organisation): no record id
    "voluntary-member-list",
    "voluntary-member-new",
    # the insured person's own membership (request.user.person): no record id
    "insured-voluntary",
    "insured-voluntary-join",
    "insured-voluntary-pay",
}
# The victim's member: its name must appear on no page the attacker opens.
SECRET_WORDS = ("Volontaire-Secret",)


def make_records(organisation, records: dict) -> dict:
    from kafo.registry.tests.factories import person as make_person
    from kafo.rules.services import rules_seed

    from .brackets import table_in_force
    from .services import membership_join

    rules_seed()  # idempotent
    table = table_in_force(organisation.code, dt.date.today())
    if table is None:  # the victim organisation offers no voluntary insurance: a row anyway
        from .models import Membership

        person = make_person(organisation, family_name="Volontaire-Secret")
        from kafo.registry.services import employer_register

        account = employer_register(
            organisation=organisation, data={"legal_name": "Assurance volontaire (matrice)"}
        )
        membership = Membership.objects.create(
            organisation=organisation,
            person=person,
            account=account,
            kind="self_employed",
            bracket="T1",
            frequency="quarterly",
            joined_on=dt.date(2025, 1, 1),
            start_period="2025-Q1",
            residence_country=organisation.country_id,
        )
        return {"voluntary_membership": membership}
    membership = membership_join(
        person=make_person(organisation, family_name="Volontaire-Secret"),
        kind="self_employed",
        bracket=table.brackets[0].code,
        frequency=table.frequencies[0],
    )
    return {"voluntary_membership": membership}
