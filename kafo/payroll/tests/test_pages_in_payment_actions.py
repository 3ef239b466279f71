"""Page actions on benefits in payment: a claim put in payment with its channel, stop, change
of channel, death, orphan extension, overpayment target, revaluation from a board decision
(prepared by a payment officer, applied by the director). Refusals change nothing."""

import datetime as dt
from decimal import Decimal as D

from django.urls import reverse
from django.utils import timezone

from kafo.benefits.models import ClaimStatus
from kafo.governance.tests import factories as gov
from kafo.payroll.models import (
    AmountVersion,
    BenefitInPayment,
    ChannelChange,
    ChildDocument,
    DeathRecord,
    Overpayment,
    Revaluation,
    StatusChange,
)
from kafo.payroll.tests.factories import IBAN_SN, RIB_SN, approved_claim, make_benefit
from kafo.registry.services import dependant_add, person_register


def _person(org, name="NDIAYE", given="Moussa"):
    return person_register(
        organisation=org,
        data={"family_name": name, "given_names": given, "sex": "M",
              "birth_date": dt.date(1958, 3, 1)},
    )  # fmt: skip


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- put a claim in payment -------------------------------------------------------------------


def test_claim_page_links_to_the_payroll_page_for_who_may_open_it(client, zone, make_user):
    org = zone["IPRES-SN"]
    claim = approved_claim(org, _person(org))
    url = reverse("payroll-claim-payment", args=[claim.pk])
    client.force_login(make_user(org, "payment_officer"))
    page = client.get(reverse("benefits-claim-detail", args=[claim.pk])).content.decode()
    assert f'href="{url}"' in page
    client.force_login(make_user(org, "benefits_officer"))
    page = client.get(reverse("benefits-claim-detail", args=[claim.pk])).content.decode()
    assert url not in page
    assert client.get(url).status_code == 403
    # The benefits app's own route is gone: no claim in payment without its benefits.
    assert client.post(f"/benefits/claims/{claim.pk}/payment/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_claim_put_in_payment_by_bank_from_the_page(client, zone, make_user):
    org = zone["IPRES-SN"]
    claim = approved_claim(org, _person(org), monthly_amount=120_000)
    url = reverse("payroll-claim-payment", args=[claim.pk])
    client.force_login(make_user(org, "payment_officer"))
    bad = {"pensioner-channel": "bank", "pensioner-rib": RIB_SN[:-2] + "36",
           "pensioner-account_holder": "NDIAYE Moussa", "action": "confirm"}  # fmt: skip
    r = client.post(url, bad)
    assert r.status_code == 400
    assert "clé RIB incorrecte : 36 au lieu de 35" in r.content.decode()
    claim.refresh_from_db()
    assert (claim.status, BenefitInPayment.objects.count()) == (ClaimStatus.APPROVED, 0)
    good = {**bad, "pensioner-rib": "SN010 01520 000485000030 35", "action": "check"}
    r = client.post(url, good)
    assert r.status_code == 200 and IBAN_SN in r.content.decode()
    assert BenefitInPayment.objects.count() == 0  # checked, not yet put in payment
    r = client.post(url, {**good, "action": "confirm"})
    b = BenefitInPayment.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("payroll-benefit-detail", args=[b.pk])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_PAYMENT
    assert (b.channel, b.rib, b.iban, b.account_holder, b.amount_on(dt.date(2025, 3, 1))) == (
        "bank", RIB_SN, IBAN_SN, "NDIAYE Moussa", D(120_000))  # fmt: skip


def test_claim_put_in_payment_by_orange_money_in_mali(client, zone, make_user):
    org = zone["INPS-ML"]
    claim = approved_claim(org, _person(org, name="TRAORE"), monthly_amount=150_000)
    url = reverse("payroll-claim-payment", args=[claim.pk])
    client.force_login(make_user(org, "payment_officer"))
    data = {"pensioner-channel": "mobile_money", "pensioner-msisdn": "65 01 23 45",
            "pensioner-operator": "", "action": "confirm"}  # fmt: skip
    r = client.post(url, data)
    assert r.status_code == 400 and "opérateur de mobile money est obligatoire" in (
        r.content.decode().replace("&#x27;", "'")
    )
    assert BenefitInPayment.objects.count() == 0
    r = client.post(url, {**data, "pensioner-operator": "orange_money_ml"})
    assert r.status_code == 302
    b = BenefitInPayment.objects.get()
    assert (b.channel, b.msisdn, b.operator, b.operator_label) == (
        "mobile_money",
        "+22365012345",
        "orange_money_ml",
        "Orange Money Mali",
    )


# --- actions on one benefit -------------------------------------------------------------------


def test_stop_from_the_page_refusals_change_nothing(client, zone, make_user):
    org = zone["IPRES-SN"]
    b = make_benefit(org, amount=100_000)
    url = reverse("payroll-benefit-stop", args=[b.pk])
    data = {"reason": "remarriage", "last_day": "2025-08-31", "note": "acte de mariage"}
    client.force_login(make_user(org, "approver"))
    assert client.post(url, data).status_code == 403
    client.force_login(make_user(org, "payment_officer"))
    r = client.post(url, {**data, "last_day": "31/02/2025"})
    assert "Dernier jour dû : date invalide (jj/mm/aaaa)." in _messages(r)
    r = client.post(url, {**data, "reason": "death"})  # a death has its own action
    assert "Motif d'arrêt inconnu." in _messages(r)
    b.refresh_from_db()
    assert (b.status, b.end_date, StatusChange.objects.filter(benefit=b).count()) == (
        "in_payment", None, 1)  # fmt: skip
    r = client.post(url, data)
    b.refresh_from_db()
    assert (b.status, b.status_reason, b.end_date, b.status_since) == (
        "stopped", "remarriage", dt.date(2025, 8, 31), dt.date(2025, 9, 1))  # fmt: skip


def test_channel_change_from_the_page(client, zone, make_user):
    org = zone["IPRES-SN"]
    b = make_benefit(org)
    url = reverse("payroll-benefit-channel", args=[b.pk])
    client.force_login(make_user(org, "payment_officer"))
    r = client.post(url, {"channel": "cash", "paying_agency": ""})
    assert "L'agence payeuse est obligatoire." in _messages(r)
    b.refresh_from_db()
    assert (b.channel, ChannelChange.objects.count()) == ("bank", 0)
    client.post(url, {"channel": "cash", "paying_agency": "Agence IPRES de Thiès"})
    b.refresh_from_db()
    assert (b.channel, b.paying_agency, b.rib, ChannelChange.objects.count()) == (
        "cash", "Agence IPRES de Thiès", "", 1)  # fmt: skip
    page = client.get(reverse("payroll-benefit-detail", args=[b.pk])).content.decode()
    assert f"virement bancaire · {IBAN_SN}" in page


def test_death_from_the_page_stops_at_month_end(client, zone, make_user):
    org = zone["IPRES-SN"]
    person = _person(org, name="SARR")
    b = make_benefit(org, person=person, payee_name="SARR Moussa", amount=120_000)
    url = reverse("payroll-benefit-death", args=[b.pk])
    client.force_login(make_user(org, "payment_officer"))
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = client.post(url, {"death_date": future, "source": "famille"})
    assert "La date du décès ne peut être dans le futur." in _messages(r)
    r = client.post(url, {"death_date": "2025-09-14", "source": ""})
    assert any("source de l'information" in m for m in _messages(r))
    b.refresh_from_db()
    assert (b.status, DeathRecord.objects.count()) == ("in_payment", 0)
    client.post(url, {"death_date": "2025-09-14", "source": "Acte n° 12, mairie de Thiès"})
    b.refresh_from_db()
    assert (b.status, b.status_reason, b.end_date, b.payee_death_date) == (
        "stopped", "death", dt.date(2025, 9, 30), dt.date(2025, 9, 14))  # fmt: skip
    assert DeathRecord.objects.get().source == "Acte n° 12, mairie de Thiès"


def test_orphan_extended_from_the_page(client, zone, make_user):
    org = zone["INPS-ML"]
    officer = make_user(org, "payment_officer")
    deceased = _person(org, name="KEITA")
    child = dependant_add(
        person=deceased,
        data={"relationship": "child", "family_name": "KEITA", "given_names": "Awa",
              "sex": "F", "birth_date": dt.date(2011, 5, 10)},
    )  # fmt: skip
    claim = approved_claim(
        org,
        deceased,
        kind="survivors",
        monthly_amount=60_000,
        start=dt.date(2025, 1, 1),
        survivors=[(child, "orphan", 6_000)],
    )
    from kafo.payroll import services

    (b,) = services.claim_put_in_payment(claim=claim, user=officer)
    url = reverse("payroll-benefit-extend", args=[b.pk])
    client.force_login(officer)
    r = client.post(url)
    assert any("Aucune pièce" in m for m in _messages(r))
    b.refresh_from_db()
    assert b.end_date == dt.date(2025, 5, 9)
    ChildDocument.objects.create(
        organisation=org,
        dependant=child,
        kind="school",
        school_year=2024,
        valid_from=dt.date(2024, 10, 1),
        valid_until=dt.date(2025, 9, 30),
        recorded_at=timezone.now(),
    )
    page = client.get(reverse("payroll-benefit-detail", args=[b.pk])).content.decode()
    assert 'id="extend"' in page and "30/09/2025" in page
    r = client.post(url)
    b.refresh_from_db()
    assert b.end_date == dt.date(2025, 9, 30)
    assert "Pension prolongée : dernier jour dû le 30/09/2025." in _messages(r)


def test_overpayment_recovered_from_another_benefit_from_the_page(client, zone, make_user):
    org = zone["IPRES-SN"]
    dead = make_benefit(org, amount=80_000, status="stopped", status_reason="death",
                        end_date=dt.date(2025, 9, 30))  # fmt: skip
    widow = make_benefit(org, amount=40_000, payee_name="FALL Aminata")
    over = Overpayment.objects.create(organisation=org, benefit=dead, amount=D(80_000),
                                      reason="death", created_at=timezone.now())  # fmt: skip
    url = reverse("payroll-overpayment-recover-from", args=[over.pk])
    client.force_login(make_user(org, "payment_officer"))
    r = client.post(url, {"recover_from": "PP-9999999"})
    assert "Prestation PP-9999999 introuvable dans l'organisme." in _messages(r)
    over.refresh_from_db()
    assert over.recover_from_id is None
    client.post(url, {"recover_from": widow.reference.lower()})
    over.refresh_from_db()
    assert over.recover_from == widow
    page = client.get(reverse("payroll-benefit-detail", args=[widow.pk])).content.decode()
    assert "80 000" in page and dead.reference in page


# --- revaluation from a board decision ----------------------------------------------------------


def test_revaluation_prepared_by_an_officer_applied_by_the_director(client, zone, make_user):
    org = zone["IPRES-SN"]
    officer, director = make_user(org, "payment_officer"), make_user(org, "director")
    a = make_benefit(org, amount=100_000)
    make_benefit(org, amount=50_000, kind="family_allowance")
    decision = gov.decision(gov.session(gov.board(org)), title="Revalorisation des pensions 2026")
    client.force_login(officer)
    page = client.get(reverse("payroll-revaluation-list")).content.decode()
    assert "Revalorisation des pensions 2026" in page
    prepare = reverse("payroll-revaluation-prepare", args=[decision.pk])
    r = client.post(prepare, {"percent": "trois", "effective_from": "2026-01-01"})
    assert "Taux de revalorisation : nombre attendu (ex. 3,5)." in _messages(r)
    assert not Revaluation.objects.exists()
    client.post(prepare, {"percent": "3,5", "effective_from": "2026-01-01"})
    rev = Revaluation.objects.get()
    assert (rev.percent, rev.effective_from, rev.prepared_by, rev.applied_at) == (
        D("3.5"), dt.date(2026, 1, 1), officer, None)  # fmt: skip
    page = client.get(reverse("payroll-revaluation-list")).content.decode()
    assert "100 000 FCFA → 103 500 FCFA" in page and "+3,5 %" in page
    apply = reverse("payroll-revaluation-apply", args=[rev.pk])
    assert client.post(apply).status_code == 403  # the preparer's role does not apply
    assert AmountVersion.objects.filter(reason="revaluation").count() == 0
    client.force_login(director)
    r = client.post(apply)
    assert "Revalorisation appliquée à 1 prestation(s)." in _messages(r)
    assert a.amount_on(dt.date(2026, 1, 1)) == D(103_500)
    rev.refresh_from_db()
    assert (rev.applied_by, rev.applied_count) == (director, 1)


def test_survivors_claim_each_payee_its_channel_errors_named_per_payee(client, zone, make_user):
    org = zone["IPRES-SN"]
    deceased = _person(org, name="FALL")
    widow = dependant_add(
        person=deceased,
        data={"relationship": "spouse", "family_name": "DIOP", "given_names": "Aminata",
              "sex": "F", "birth_date": dt.date(1965, 1, 1),
              "marriage_date": dt.date(1990, 5, 1)},
    )  # fmt: skip
    child = dependant_add(
        person=deceased,
        data={"relationship": "child", "family_name": "FALL", "given_names": "Ibou", "sex": "M",
              "birth_date": dt.date(2012, 6, 15), "other_parent": widow},
    )  # fmt: skip
    claim = approved_claim(
        org,
        deceased,
        kind="survivors",
        monthly_amount=100_000,
        start=dt.date(2025, 5, 1),
        death_date=dt.date(2025, 4, 10),
        survivors=[(widow, "spouse", 50_000), (child, "orphan", 10_000)],
    )
    beneficiaries = claim.liquidations.get().beneficiaries
    w_key = str(beneficiaries.get(relationship="spouse").pk)
    o_key = str(beneficiaries.get(relationship="orphan").pk)
    url = reverse("payroll-claim-payment", args=[claim.pk])
    client.force_login(make_user(org, "payment_officer"))
    page = client.get(url).content.decode()
    assert "DIOP Aminata" in page and "FALL Ibou" in page and "50 000 FCFA" in page
    data = {f"{w_key}-channel": "mobile_money", f"{w_key}-msisdn": "77 012 34 56",
            f"{w_key}-operator": "orange_money_sn", f"{o_key}-channel": "cash",
            f"{o_key}-paying_agency": "", f"{o_key}-guardian_name": "DIOP Aminata",
            "action": "confirm"}  # fmt: skip
    r = client.post(url, data)
    assert r.status_code == 400
    section = r.content.decode().split(f'id="payee-{o_key}"')[1]
    assert "agence payeuse est obligatoire" in section.replace("&#x27;", "'")
    assert BenefitInPayment.objects.count() == 0
    r = client.post(url, {**data, f"{o_key}-paying_agency": "Agence IPRES de Pikine"})
    assert r.status_code == 302
    w, o = (BenefitInPayment.objects.get(beneficiary_id=int(k)) for k in (w_key, o_key))
    assert (w.channel, w.msisdn, w.operator) == ("mobile_money", "+221770123456", "orange_money_sn")
    assert (o.channel, o.paying_agency, o.guardian_name, o.end_date) == (
        "cash", "Agence IPRES de Pikine", "DIOP Aminata", dt.date(2033, 6, 14))  # fmt: skip
