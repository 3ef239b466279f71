"""Demo data of the payroll (`kafo demo`, after the benefits' demo step).

Per demo organisation, through the real services:
- the demo's claims in payment (benefits app) become benefits in payment with their channel
  (`services.benefits_catch_up`): a bank account with a correct RIB key, or a paying agency;
- pensioners taken over from the previous payroll (no claim in Kafo: `claim` empty), with
  believable channels: UEMOA or CEMAC RIBs whose keys are right, Orange Money numbers for
  CMSS-ML (its retirees are paid through Orange Money), cash at a paying agency;
- a revaluation decided by the board, prepared by the payment officer and applied by the
  director (four eyes);
- the life-certificate campaign whose grace has ended, with a few pensioners without a
  certificate suspended, and the current campaign with its first certificates;
- at CMSS-ML (monthly): the payroll runs since the first month Kafo pays (runs.yaml), frozen,
  the last one of last month; then a pensioner's death in the month before, which stops the
  pension and records last month's payment as an overpayment, recovered from the widow's
  pension; and this month's run prepared, awaiting approval by another officer.

Idempotent: an organisation that already has benefits in payment is skipped.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

# Every organisation of the demo with employers has pensions in payment (issue 17: each
# director's dashboard shows pensions in payment and the demographic ratio), and CNPS-CM.
DEMO_ORGANISATIONS = (
    "INPS-ML", "CMSS-ML", "IPRES-SN", "CSS-SN", "CNPS-CI", "CNSS-BF", "CNSS-NE", "CNPS-CM",
)  # fmt: skip
RUNS_ORGANISATION = "CMSS-ML"
TAKEN_OVER = {
    "INPS-ML": 24, "CMSS-ML": 60, "IPRES-SN": 30, "CSS-SN": 18, "CNPS-CI": 12, "CNSS-BF": 20,
    "CNSS-NE": 16, "CNPS-CM": 24,
}  # fmt: skip
AGENCIES = {
    "INPS-ML": ("Agence INPS de Bamako-Hamdallaye", "Agence INPS de Ségou"),
    "CMSS-ML": ("Agence CMSS de Bamako-Coura", "Agence CMSS de Kayes", "Agence CMSS de Sikasso"),
    "CNPS-CI": ("Agence CNPS du Plateau", "Agence CNPS de Bouaké"),
    "CNPS-CM": ("Centre CNPS de Yaoundé-Centre", "Centre CNPS de Douala-Bonanjo"),
    "IPRES-SN": ("Agence IPRES de Dakar-Plateau", "Agence IPRES de Thiès"),
    "CSS-SN": ("Agence CSS de Dakar", "Agence CSS de Saint-Louis"),
    "CNSS-BF": ("Direction régionale CNSS de Ouagadougou", "Agence CNSS de Bobo-Dioulasso"),
    "CNSS-NE": ("Agence CNSS de Niamey", "Agence CNSS de Zinder"),
}
# Bank codes of the demo RIBs (UEMOA: country letters + 3 digits; CEMAC: 5 digits).
BANKS = {
    "ML": ("ML016", "ML102"), "CI": ("CI008", "CI131"), "CM": ("10005", "10033"),
    "SN": ("SN010", "SN100"), "BF": ("BF023", "BF084"), "NE": ("NE042", "NE090"),
}  # fmt: skip
SUSPENDED_WITHOUT_CERTIFICATE = 3
NAMES = (
    "MBARGA Jean-Pierre", "NGO BIYONG Marthe", "ATANGANA Paul", "FOTSO Clémentine",
    "EBOGO Martin", "NJOYA Ibrahim", "MANGA Thérèse", "TCHOUMI Samuel",
)  # fmt: skip


def _rib(country: str, n: int) -> str:
    """A RIB of `country` with its right key (payments-indicators.md §1.3)."""
    from .domain import bank_ids

    bank = BANKS[country][n % 2]
    branch = f"{10001 + (n * 37) % 900:05d}"
    width = 12 if bank_ids.zone_of_country(country) == "UEMOA" else 11
    account = f"{(n * 7_919_993 + 410_027) % 10**width:0{width}d}"
    return f"{bank}{branch}{account}{bank_ids.rib_key(bank, branch, account)}"


def _orange_ml(n: int) -> str:
    """An Orange Mali mobile number (prefixes 7x)."""
    return f"7{n % 5}{(n * 104_729 + 311_117) % 1_000_000:06d}"


def _channel(org, n: int, holder: str) -> dict:
    """The channel data of the n-th payee (checked by services.channel_details)."""
    code, country = org.code, org.country_id
    agencies = AGENCIES.get(code, ("Agence principale",))
    if code == "CMSS-ML":
        if n % 10 == 9:
            return {"channel": "cash", "paying_agency": agencies[n % len(agencies)]}
        if n % 10 == 8:
            return {"channel": "bank", "rib": _rib(country, n), "account_holder": holder}
        return {"channel": "mobile_money", "msisdn": _orange_ml(n), "operator": "orange_money_ml"}
    if n % 3 == 2 and agencies:
        return {"channel": "cash", "paying_agency": agencies[n % len(agencies)]}
    return {"channel": "bank", "rib": _rib(country, n), "account_holder": holder}


def _months_back(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _agent(org, role):
    from kafo.accounts.models import User

    return (
        User.objects.filter(organisation=org, roles__code=role, is_active=True)
        .order_by("username")
        .first()
    )


def _catch_up_claims(org, officer) -> int:
    from . import services

    def channels_for(claim) -> dict:
        person = claim.person
        holder = f"{person.family_name.upper()} {person.given_names}"
        return {"pensioner": _channel(org, claim.pk, holder)}

    return services.benefits_catch_up(organisation=org, user=officer, channels_for=channels_for)


def _taken_over(org, officer, count: int, today: dt.date) -> list:
    """Pensioners paid by the previous system, taken over (no claim): persons of the registry
    old enough, with their first amount version and channel. Bulk, audited in bulk."""
    from django.utils import timezone

    from kafo.audit import services as audit
    from kafo.registry.models import Person

    from . import services
    from .models import AmountVersion, BenefitInPayment, Reason, Status, StatusChange
    from .payment_calendar import payment_terms

    persons = list(
        Person.unscoped.filter(organisation=org, birth_date__lte=dt.date(today.year - 62, 1, 1))
        .exclude(benefits_in_payment__isnull=False)
        .order_by("pk")[:count]
    )
    # An organisation without registry records in the demo (CNPS-CM): payees by name only
    # (Cameroonian names: the one demo organisation in that case).
    payees = [(p, f"{p.family_name.upper()} {p.given_names}") for p in persons]
    if not payees:
        payees = [(None, NAMES[n % len(NAMES)]) for n in range(count)]
    now = timezone.now()
    benefits, amounts = [], []
    for n, (person, holder) in enumerate(payees):
        start = dt.date(2012 + n % 12, 1 + (n * 5) % 12, 1)
        frequency, timing = payment_terms(org.code, "pension", start)
        channel = services.channel_details(organisation=org, data=_channel(org, n, holder))
        benefits.append(
            BenefitInPayment(
                organisation=org,
                person=person,
                payee_name=holder,
                kind="pension",
                frequency=frequency,
                timing=timing,
                start_date=start,
                status=Status.IN_PAYMENT,
                status_since=start,
                status_reason=Reason.START,
                resides_abroad=n % 17 == 5,
                created_by=officer,
                created_at=now,
                **channel,
            )
        )
        amounts.append(Decimal(38_000 + (n * 7_919) % 190_000).quantize(Decimal(100)))
    BenefitInPayment.objects.bulk_create(benefits)
    if benefits and benefits[0].pk is None:  # a backend that does not return ids
        benefits = list(BenefitInPayment.objects.filter(organisation=org, claim__isnull=True,
                                                        created_at=now).order_by("pk"))  # fmt: skip
    versions = [
        AmountVersion(organisation=org, benefit=b, effective_from=b.start_date, monthly_amount=a,
                      reason=AmountVersion.Cause.INITIAL, created_by=officer, created_at=now)
        for b, a in zip(benefits, amounts, strict=True)
    ]  # fmt: skip
    changes = [
        StatusChange(organisation=org, benefit=b, on=b.start_date, status=Status.IN_PAYMENT,
                     reason=Reason.START, note="Reprise de l'ancien système de paiement",
                     by=officer, recorded_at=now)
        for b in benefits
    ]  # fmt: skip
    AmountVersion.objects.bulk_create(versions)
    StatusChange.objects.bulk_create(changes)
    audit.record_created_many(benefits, subject_type="benefitinpayment", subject_field="pk")
    audit.record_created_many(versions, subject_type="benefitinpayment", subject_field="benefit_id")
    audit.record_created_many(changes, subject_type="benefitinpayment", subject_field="benefit_id")
    return benefits


def _revaluation(org, officer, director, today: dt.date):
    """The board's revaluation of pensions from 1 January, prepared and applied (four eyes)."""
    from kafo.governance import services as governance
    from kafo.governance.models import Body

    from . import services

    body = Body.objects.filter(organisation=org, kind="board").first() or governance.body_create(
        organisation=org, name="Conseil d'administration", kind="board"
    )
    session_day = dt.date(today.year - 1, 12, 12)
    session = governance.session_create(body=body, date=session_day, place="Siège")
    decision = governance.decision_create(
        session=session,
        title=f"Revalorisation de 2,5 % des pensions au 1er janvier {today.year}",
        text="Les pensions en cours de paiement sont revalorisées de 2,5 % à compter du "
        f"1er janvier {today.year}.",
        owner_name="Direction des prestations",
        today=session_day,
    )
    rev = services.revaluation_create(
        decision=decision, percent=Decimal("2.5"), effective_from=dt.date(today.year, 1, 1),
        user=officer,
    )  # fmt: skip
    return services.revaluation_apply(revaluation=rev, user=director)


def _certificates(org, officer, today: dt.date) -> tuple[int, int]:
    """Certificates of the last campaign whose grace has ended, all but a few; suspend those
    (preview = who is suspended); the current campaign's first certificates."""
    from . import life_certificates as lc

    year = today.year - 1
    past = lc.campaign_get(organisation=org, year=year)
    if past.grace_end >= today:
        past = lc.campaign_get(organisation=org, year=year - 1)
    concerned = list(lc.concerned(past).order_by("pk"))
    missing = {b.pk for b in concerned[3 : 3 + 5 * SUSPENDED_WITHOUT_CERTIFICATE : 5]}
    for n, b in enumerate(concerned):
        if b.pk in missing:
            continue
        received = past.window_start + dt.timedelta(days=(n * 11) % 80)
        lc.certificate_record(
            benefit=b, campaign=past, issued_on=received - dt.timedelta(days=2),
            received_on=received, user=officer,
            source="embassy" if b.resides_abroad else "agent",
            issuer="Consulat du Mali à Paris" if b.resides_abroad else "Mairie du domicile",
        )  # fmt: skip
    suspended = lc.campaign_suspend_missing(campaign=past, user=officer, on=today)
    current = lc.campaign_current(organisation=org, on=today)
    recorded = 0
    if current.pk != past.pk and current.window_start <= today:
        for b in lc.without_certificate(current)[:4]:
            lc.certificate_record(benefit=b, campaign=current, issued_on=today, received_on=today,
                                  source="agent", issuer="Mairie du domicile",
                                  user=officer)  # fmt: skip
            recorded += 1
    return suspended, recorded


def _runs(org, officer, director, today: dt.date, say) -> None:
    """Monthly runs since the first month Kafo pays, frozen; a death with its overpayment
    recovered from the widow's pension; this month's run prepared, awaiting approval."""
    from . import runs, services
    from .models import BenefitInPayment, Overpayment

    first = dt.date.fromisoformat(str(runs.rules_for(org)["first_period"]))
    last_month = _months_back(today, 1)
    month = first
    frozen = 0
    while month <= last_month:
        run = runs.run_prepare(organisation=org, period_start=month, months=1, user=officer)
        runs.run_approve(run=run, user=director, on=today)
        runs.run_freeze(run=run, user=officer)
        frozen += 1
        month = _months_back(month, -1)
    say(f"{org.code} : {frozen} état(s) de paiement figé(s), le dernier de {last_month:%m/%Y}")
    # A pensioner paid last month died in the month before: stopped at its end, last month's
    # payment is an overpayment, recovered from his widow's survivor's pension (taken over).
    deceased = (
        BenefitInPayment.objects.filter(organisation=org, status="in_payment", kind="pension",
                                        person__isnull=False, channel="mobile_money")
        .order_by("pk")
        .first()
    )  # fmt: skip
    if deceased is None:
        return
    death_day = _months_back(today, 2) + dt.timedelta(days=13)
    services.death_record(organisation=org, person=deceased.person, death_date=death_day,
                          source="Acte de décès, mairie de la commune III de Bamako",
                          user=officer, open_survivors_claim=False)  # fmt: skip
    widow = _survivor(org, officer, deceased, _months_back(today, 1), death_day)
    for over in Overpayment.objects.filter(benefit=deceased):
        services.overpayment_recover_from(overpayment=over, benefit=widow, user=officer)
    say(f"{org.code} : décès de {deceased.payee_name}, trop-perçu à récupérer sur la pension "
        f"de sa veuve")  # fmt: skip
    run = runs.run_prepare(organisation=org, period_start=_months_back(today, 0), months=1,
                           user=officer)  # fmt: skip
    say(f"{org.code} : état de paiement de {run.period_start:%m/%Y} préparé, à approuver")


def _survivor(org, officer, deceased, start: dt.date, death_day: dt.date):
    """The widow's survivor's pension, half the deceased's, by Orange Money."""
    from django.utils import timezone

    from kafo.audit import services as audit

    from . import services
    from .models import AmountVersion, BenefitInPayment, Reason, Status, StatusChange

    now = timezone.now()
    channel = services.channel_details(
        organisation=org,
        data={"channel": "mobile_money", "msisdn": _orange_ml(997), "operator": "orange_money_ml"},
    )
    widow = BenefitInPayment.objects.create(
        organisation=org, payee_name=f"Veuve de {deceased.payee_name}", kind="survivor",
        frequency=deceased.frequency, timing=deceased.timing, start_date=start,
        status=Status.IN_PAYMENT, status_since=start, status_reason=Reason.START,
        created_by=officer, created_at=now, **channel,
    )  # fmt: skip
    amount = services.round_currency((deceased.amount_on(death_day) or Decimal(0)) / 2, "XOF")
    version = AmountVersion.objects.create(
        organisation=org, benefit=widow, effective_from=start, monthly_amount=amount,
        reason=AmountVersion.Cause.INITIAL, created_by=officer, created_at=now,
    )  # fmt: skip
    change = StatusChange.objects.create(
        organisation=org, benefit=widow, on=start, status=Status.IN_PAYMENT, reason=Reason.START,
        by=officer, recorded_at=now,
    )  # fmt: skip
    for row in (widow, version, change):
        audit.record_created(row, subject=widow)
    return widow


def payroll_demo_seed(*, say=lambda _msg: None, today: dt.date | None = None) -> dict[str, int]:
    """Build the payroll's demo data (see the module docstring); return the benefits in
    payment per organisation."""
    from django.db import transaction
    from django.utils import timezone

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import zone_scope

    from .models import BenefitInPayment

    today = today or timezone.localdate()
    started = time.monotonic()
    answer: dict[str, int] = {}
    with zone_scope():
        for code in DEMO_ORGANISATIONS:
            org = Organisation.objects.filter(code=code).select_related("country").first()
            if org is None or BenefitInPayment.unscoped.filter(organisation=org).exists():
                continue
            officer, director = _agent(org, "payment_officer"), _agent(org, "director")
            if officer is None or director is None:
                say(f"{code} : pas d'agent de paiement ou de directeur, ignoré")
                continue
            with transaction.atomic():
                claims = _catch_up_claims(org, officer)
                taken = _taken_over(org, officer, TAKEN_OVER.get(code, 12), today)
                revalued = _revaluation(org, officer, director, today)
                suspended, recorded = _certificates(org, officer, today)
            say(
                f"{code} : {claims} prestation(s) des demandes en paiement, {len(taken)} "
                f"reprise(s) de l'ancien système, {revalued} revalorisée(s), {suspended} "
                f"suspendue(s) sans certificat de vie, {recorded} certificat(s) de la campagne "
                f"en cours"
            )
            if code == RUNS_ORGANISATION:
                with transaction.atomic():
                    _runs(org, officer, director, today, say)
            answer[code] = BenefitInPayment.unscoped.filter(organisation=org).count()
    say(f"{sum(answer.values())} prestations en paiement en {time.monotonic() - started:.1f} s")
    return answer
