"""Demo data of the cross-border flow (CIPRES convention): migrant workers with careers declared
in two or three organisations, one zone person each, and their coordinated pension claims taken
through the exchange with the real services, so the pages show it on first start (`kafo demo`
calls `exchange_demo_seed` after the benefits demo).

- Moussa COULIBALY (Malian, lives in Mali): 96 months at INPS-ML (reference salary 150,000) and
  120 months at CNSS-BJ (200,000) — the issue's worked example. The whole flow: periods asked
  and received, claim forwarded, both decisions (28,000 and 40,000 a month), the summary.
- Seydou DIARRA: 180 months at INPS-ML (his own months open the right) and 60 at CNPS-CI:
  periods received, claim forwarded, CNPS-CI's decision awaited.
- Mariam SANGARÉ: 100 months at INPS-ML, 90 at CNSS-BF and 8 at CNSS-NE: the request to
  CNSS-BF unanswered past its deadline (overdue), the one to CNSS-NE refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kafo.benefits.demo import Job, declare_careers


@dataclass(frozen=True)
class Stint:
    """A career at one organisation: `start`–`end` (YYYY-MM, inclusive) at a flat salary, under
    the spelling of the name that organisation's clerk registered."""

    organisation: str
    employer: str
    start: str
    end: str
    salary: int
    family_name: str
    given_names: str


@dataclass(frozen=True)
class Case:
    key: str
    sex: str
    birth_date: dt.date
    birth_place: str
    stints: tuple[Stint, ...]
    # How far the flow goes: "decided" (both decisions), "forwarded" (the other's decision
    # awaited), "requested" (the requests only).
    state: str
    home: str = "INPS-ML"  # where the person lives and the claim is opened


CASES = (
    Case(
        key="coulibaly",
        sex="M",
        birth_date=dt.date(1965, 5, 12),
        birth_place="Kayes",
        stints=(
            Stint(
                "INPS-ML",
                "Société malienne de transport",
                "2014-01",
                "2021-12",
                150000,
                "Coulibaly",
                "Moussa",
            ),
            Stint(
                "CNSS-BJ",
                "Port autonome de Cotonou",
                "2004-01",
                "2013-12",
                200000,
                "Koulibaly",
                "Moussa",
            ),
        ),
        state="decided",
    ),
    Case(
        key="diarra",
        sex="M",
        birth_date=dt.date(1964, 9, 3),
        birth_place="Ségou",
        stints=(
            Stint(
                "INPS-ML",
                "Compagnie malienne du textile",
                "2006-01",
                "2020-12",
                120000,
                "Diarra",
                "Seydou",
            ),
            Stint(
                "CNPS-CI",
                "Société ivoirienne de cacao",
                "2001-01",
                "2005-12",
                180000,
                "Diarra",
                "Seïdou",
            ),
        ),
        state="forwarded",
    ),
    Case(
        key="sangare",
        sex="F",
        birth_date=dt.date(1964, 2, 20),
        birth_place="Sikasso",
        stints=(
            Stint(
                "INPS-ML",
                "Pharmacie populaire du Mali",
                "2015-01",
                "2023-04",
                110000,
                "Sangaré",
                "Mariam",
            ),
            Stint(
                "CNSS-BF",
                "Brasseries du Burkina",
                "2007-01",
                "2014-06",
                130000,
                "Sangare",
                "Mariame",
            ),
            Stint(
                "CNSS-NE",
                "Société des mines du Niger",
                "2006-01",
                "2006-08",
                90000,
                "Sangaré",
                "Mariama",
            ),
        ),
        state="requested",
    ),
)
# The refused request of the "requested" case, and the days its other request is overdue.
REFUSED = {"sangare": "CNSS-NE"}
OVERDUE_DAYS = 12


def _agent(organisation, *roles):
    from kafo.accounts.models import User

    return (
        User.objects.filter(organisation=organisation, roles__code__in=roles, is_active=True)
        .order_by("username")
        .first()
    )


def case_records(case: Case, *, today: dt.date) -> dict:
    """Register the case's records (one per organisation, each under its own spelling), declare
    their careers and link them into one zone person; return {organisation code: Person}."""
    from kafo.identity.services import zone_persons_merge
    from kafo.organisations.models import Organisation
    from kafo.registry.services import employer_register, person_register

    records = {}
    for stint in case.stints:
        org = Organisation.objects.get(code=stint.organisation)
        boss = employer_register(
            organisation=org, data={"legal_name": stint.employer, "risk_class": 1}
        )
        person = person_register(
            organisation=org,
            data={
                "family_name": stint.family_name,
                "given_names": stint.given_names,
                "sex": case.sex,
                "birth_date": case.birth_date,
                "birth_place": case.birth_place,
            },
        )
        declare_careers(
            organisation=org,
            jobs=[Job(boss, person, stint.start, stint.end, stint.salary, raise_percent=0)],
            today=today,
        )
        records[stint.organisation] = person
    home = records[case.home]
    for code, record in records.items():
        if code != case.home:
            zone_persons_merge(person=home, other=record)
    return records


def _documents_received(claims, claim, user) -> None:
    for doc in claim.documents.all():
        if doc.required:
            claims.claim_document_set(
                claim=claim, code=doc.code, received=True, user=user, reference=f"DEMO-{doc.code}"
            )


def _decide(claim, *, officer, director) -> None:
    """Compute, submit and approve a claim (the director decides: no delegation needed); a
    coordinated claim's decision goes back through `claim_decided` to the other organisation."""
    from kafo.benefits import claim_decisions, claims

    _documents_received(claims, claim, officer)
    claims.claim_compute(claim=claim, user=officer)
    claims.claim_submit(claim=claim, user=officer)
    claim_decisions.claim_approve(claim=claim, user=director)


def _users(code: str) -> dict:
    from kafo.organisations.models import Organisation

    org = Organisation.objects.get(code=code)
    return {
        "liaison": _agent(org, "liaison_officer", "director"),
        "officer": _agent(org, "benefits_officer"),
        "director": _agent(org, "director"),
    }


def case_flow(case: Case, records: dict, *, today: dt.date):
    """Take the case's claim through the exchange as far as `case.state`; return the claim."""
    from django.utils import timezone

    from kafo.benefits import claims
    from kafo.exchange import services
    from kafo.exchange.models import Direction, LiaisonMessage, MessageKind

    home = records[case.home]
    origin = _users(case.home)
    claim = claims.claim_open(
        person=home,
        kind="pension",
        claim_date=today - dt.timedelta(days=45),
        user=origin["officer"],
    )
    others = [code for code in records if code != case.home]
    requests = {
        code: services.periods_request(
            person=home, target=code, purpose="old_age", user=origin["liaison"], claim=claim
        )
        for code in others
    }
    for code in others:
        target = _users(code)
        if REFUSED.get(case.key) == code:
            services.periods_answer(
                message=requests[code].twin,
                approve=False,
                reason="Le dossier trouvé ne correspond pas : date de naissance différente.",
                user=target["liaison"],
            )
        elif case.state != "requested":
            services.periods_answer(
                message=requests[code].twin, approve=True, user=target["liaison"]
            )
    if case.state == "requested":
        # The demo dates the unanswered requests back (sent a month and OVERDUE_DAYS ago), so
        # the liaison officer's page shows them overdue on first start.
        deadline = today - dt.timedelta(days=OVERDUE_DAYS)
        sent = timezone.make_aware(
            dt.datetime.combine(deadline, dt.time(9)) - dt.timedelta(days=30)
        )
        for code, message in requests.items():
            if REFUSED.get(case.key) != code:
                LiaisonMessage.unscoped.filter(pk__in=[message.pk, message.twin_id]).update(
                    deadline=deadline, created_at=sent
                )
        return claim
    _documents_received(claims, claim, origin["officer"])
    claims.claim_compute(claim=claim, user=origin["officer"])
    for code in others:
        services.claim_forward(claim=claim, target=code, user=origin["liaison"])
    if case.state == "forwarded":
        return claim
    for code in others:
        target = _users(code)
        incoming = LiaisonMessage.unscoped.get(
            organisation__code=code,
            direction=Direction.INCOMING,
            kind=MessageKind.CLAIM_FORWARD,
            twin__claim=claim,
        )
        _decide(incoming.claim, officer=target["officer"], director=target["director"])
    from kafo.benefits import claim_decisions

    claims.claim_submit(claim=claim, user=origin["officer"])
    claim_decisions.claim_approve(claim=claim, user=origin["director"])
    return claim


def exchange_demo_seed(*, today: dt.date | None = None, say=lambda _msg: None) -> dict[str, str]:
    """Create the demo's migrant workers and take their coordinated claims through the
    exchange; return {case: claim reference}. Runs once: skipped when the first case's record
    already exists, or when an organisation lacks its demo agents."""
    from django.db import transaction

    from kafo.organisations.tenancy import zone_scope
    from kafo.registry.models import Person

    today = today or dt.date.today()
    answer: dict[str, str] = {}
    with zone_scope(), transaction.atomic():
        first = CASES[0]
        if Person.unscoped.filter(
            organisation__code=first.home,
            family_name=first.stints[0].family_name,
            birth_date=first.birth_date,
        ).exists():
            return answer
        for case in CASES:
            codes = [s.organisation for s in case.stints]
            if not all(all(_users(code).values()) for code in codes):
                say(f"{case.key} : agents de démonstration absents, ignoré")
                continue
            records = case_records(case, today=today)
            claim = case_flow(case, records, today=today)
            answer[case.key] = claim.reference
            say(f"{' + '.join(codes)} : demande {claim.reference} ({case.state})")
    return answer
