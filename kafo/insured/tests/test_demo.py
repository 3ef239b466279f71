"""The demo's insured logins: linked to pensioners with real careers, listed by demo_logins."""

import io

from django.core.management import call_command

from kafo.accounts.models import User
from kafo.benefits.demo import benefits_demo_seed
from kafo.benefits.models import Claim
from kafo.benefits.services import benefits_seed
from kafo.contributions.models import DeclarationLine
from kafo.rules.services import rules_seed


def test_demo_makes_insured_logins_of_pensioners(zone, make_user, client):
    rules_seed()
    benefits_seed()
    org = zone["INPS-ML"]
    officer = make_user(org, "benefits_officer")
    for role in ("approver", "director", "payment_officer"):
        make_user(org, role)
    benefits_demo_seed(organisation_codes=("INPS-ML",))
    users = User.objects.filter(roles__code="insured").order_by("username")
    assert [u.username for u in users] == ["inps-ml.assure", "inps-ml.assure2"]
    paid, opened = users
    assert Claim.unscoped.get(person=paid.person).status == "in_payment"
    assert Claim.unscoped.get(person=opened.person).status == "opened"
    assert paid.password == officer.password  # the demo agents' password
    assert DeclarationLine.unscoped.filter(person=paid.person).count() > 250  # a real career
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "inps-ml.assure " in out.getvalue() and "insured" in out.getvalue()
    client.force_login(paid)
    assert "en paiement" in client.get("/me/claims/").content.decode()
