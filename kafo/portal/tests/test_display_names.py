"""No stored code or database id where a user reads a name or a business number (issue 18)."""

from decimal import Decimal

from kafo.contributions.models import Declaration, LedgerEntry, Payment
from kafo.portal.views import employers_by_status
from kafo.registry.models import Employer
from kafo.registry.services import employer_register


def test_employers_are_counted_by_status_display_name(zone):
    org = zone["CNPS-CI"]
    for name in ("A", "B", "C"):
        employer_register(organisation=org, data={"legal_name": name})
    Employer.objects.filter(legal_name="C").update(status="closed")
    assert employers_by_status() == {"actif": 2, "fermé": 1}


def test_records_read_by_business_number_and_formatted_amount(zone):
    org = zone["CNPS-CI"]
    employer = employer_register(organisation=org, data={"legal_name": "SOTRA"})
    declaration = Declaration(
        organisation=org, employer=employer, period="2026-10", kind="original"
    )
    entry = LedgerEntry(kind="contribution", period="2026-10", amount=Decimal("106240"))
    payment = Payment(method="mobile_money", reference="OM-1", amount=Decimal("-482041"))
    assert str(declaration) == f"DNS 2026-10 {employer.number} (initiale)"
    assert str(entry) == "cotisations dues 2026-10 106 240 FCFA"
    assert str(payment).endswith("OM-1 -482 041 FCFA")
