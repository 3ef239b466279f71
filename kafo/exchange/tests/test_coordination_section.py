"""The claim page's coordination section and the summary of decisions, on the demo's cases
taken through the real services (kafo/exchange/demo.py): the issue's worked example decided
on both sides, a claim whose other decision is awaited, an overdue request and a refused one."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kafo.accounts.models import User
from kafo.benefits.models import Claim, ClaimStatus
from kafo.benefits.services import benefits_seed
from kafo.exchange import demo
from kafo.exchange.models import Direction, LiaisonMessage, MessageKind, MessageStatus
from kafo.exchange.summary_data import claim_summary
from kafo.rules.services import rules_seed

ROLES = ("liaison_officer", "benefits_officer", "director")


@pytest.fixture
def seeded(zone, make_user):
    rules_seed()
    benefits_seed()
    for code in ("INPS-ML", "CNSS-BJ", "CNPS-CI", "CNSS-BF", "CNSS-NE"):
        for role in ROLES:
            make_user(zone[code], role, username=f"{code.lower()}.{role}")
    today = timezone.localdate()
    references = demo.exchange_demo_seed(today=today)
    return {"today": today, "claims": references}


def _claim(seeded, key):
    case = next(c for c in demo.CASES if c.key == key)
    claim = Claim.unscoped.get(
        organisation__code=case.home, person__family_name=case.stints[0].family_name
    )
    assert claim.reference == seeded["claims"][key]
    return claim


def _user(org, role):
    return User.objects.get(username=f"{org.code.lower()}.{role}")


def _page(client, make_user, org, claim, role="liaison_officer"):
    client.force_login(_user(org, role))
    return client.get(reverse("benefits-claim-detail", kwargs={"pk": claim.pk}))


def _pdf_text(body: bytes) -> str:
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())


def test_demo_takes_the_three_cases_as_far_as_their_state(seeded):
    assert set(seeded["claims"]) == {"coulibaly", "diarra", "sangare"}
    coulibaly = _claim(seeded, "coulibaly")
    assert coulibaly.status == ClaimStatus.APPROVED
    bj = Claim.unscoped.get(organisation__code="CNSS-BJ")
    assert bj.status == ClaimStatus.APPROVED
    decisions = LiaisonMessage.unscoped.filter(kind=MessageKind.DECISION)
    assert sorted(decisions.values_list("organisation__code", "direction")) == [
        ("CNSS-BJ", "incoming"),
        ("CNSS-BJ", "outgoing"),
        ("INPS-ML", "incoming"),
        ("INPS-ML", "outgoing"),
    ]
    diarra = _claim(seeded, "diarra")
    ci = Claim.unscoped.get(organisation__code="CNPS-CI", person__family_name="Diarra")
    assert (diarra.status, ci.status) == (ClaimStatus.COMPUTED, ClaimStatus.OPENED)
    sangare = LiaisonMessage.unscoped.filter(
        organisation__code="INPS-ML", claim=_claim(seeded, "sangare")
    )
    assert sorted(sangare.values_list("recipient__code", "status")) == [
        ("CNSS-BF", MessageStatus.PENDING),
        ("CNSS-NE", MessageStatus.REFUSED),
    ]
    overdue = sangare.get(recipient__code="CNSS-BF")
    assert overdue.is_overdue(seeded["today"])
    assert overdue.deadline == seeded["today"] - dt.timedelta(days=demo.OVERDUE_DAYS)


def test_summary_of_the_worked_example_lists_both_decisions(seeded):
    summary = claim_summary(_claim(seeded, "coulibaly"))
    assert summary.total_months == 216
    assert [
        (line.organisation_code, line.state, line.monthly_amount, line.own_months)
        for line in summary.lines
    ] == [("INPS-ML", "decided", 28000, 96), ("CNSS-BJ", "decided", 40000, 120)]
    assert summary.monthly_total == 68000
    assert summary.complete


def test_claim_page_shows_each_organisation_request_periods_forward_and_decision(
    seeded, client, make_user, zone
):
    claim = _claim(seeded, "coulibaly")
    page = _page(client, make_user, zone["INPS-ML"], claim).content.decode()
    assert 'id="coordination-CNSS-BJ"' in page
    assert "120</span> mois" in page
    assert "01/2004 – 12/2013" in page
    assert "40 000 FCFA" in page
    assert 'id="summary-pdf"' in page
    assert 'id="request-CNSS-BJ"' not in page and 'id="forward-CNSS-BJ"' not in page
    pdf = client.get(reverse("exchange-claim-summary-pdf", kwargs={"pk": claim.pk}))
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content)
    assert "28 000 FCFA par mois" in text and "40 000 FCFA par mois" in text
    assert "96/216 (44,44 %)" in text and "120/216 (55,56 %)" in text


def test_claim_page_of_an_awaited_decision_and_of_a_refused_and_an_overdue_request(
    seeded, client, make_user, zone
):
    diarra = _page(client, make_user, zone["INPS-ML"], _claim(seeded, "diarra")).content.decode()
    assert "décision attendue" in diarra
    sangare = _claim(seeded, "sangare")
    page = _page(client, make_user, zone["INPS-ML"], sangare).content.decode()
    assert "en retard" in page
    assert "refusée" in page
    # the liaison officer may ask CNSS-NE again (refused), not CNSS-BF (pending)
    assert 'id="request-CNSS-NE"' in page and 'id="request-CNSS-BF"' not in page
    # nothing of the other organisations' records: no name spelt their way, no number
    others = LiaisonMessage.unscoped.filter(
        direction=Direction.INCOMING, twin__claim=sangare
    ).select_related("person")
    for message in others:
        assert message.person.number not in page
        assert message.person.given_names not in page  # "Mariame" at CNSS-BF, "Mariama" at CNSS-NE
    # no summary before a forward
    summary = client.get(reverse("exchange-claim-summary-pdf", kwargs={"pk": sangare.pk}))
    assert summary.status_code == 404


def test_buttons_only_for_a_liaison_officer_and_the_summary_only_at_the_claim_organisation(
    seeded, client, make_user, zone
):
    sangare = _claim(seeded, "sangare")
    page = _page(client, make_user, zone["INPS-ML"], sangare, role="benefits_officer")
    assert page.status_code == 200
    assert 'id="request-CNSS-NE"' not in page.content.decode()
    client.force_login(_user(zone["CNSS-BJ"], "director"))
    coulibaly = _claim(seeded, "coulibaly")
    url = reverse("exchange-claim-summary-pdf", kwargs={"pk": coulibaly.pk})
    assert client.get(url).status_code == 404
