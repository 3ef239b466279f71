"""Demo data of the benefits: pensioners whose careers are real declarations over the years,
and claims in every state, all made through the real services (`kafo demo` calls
`benefits_demo_seed` once the zone, the registry and the rules are seeded).

The careers are declared through `import_frame` (the bulk declaration path) as migrated
declarations (no late-filing penalty). The contribution rules of the reference file start on
01/01/2000 at the latest: a career cannot be declared before the rates it is computed with, so
the demo careers run from January 2000 (26 years).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from kafo.benefits.domain.career import period_index, period_of
from kafo.contributions.services import import_frame


@dataclass(frozen=True)
class Job:
    """One employment of a career: `employer` declares `person` monthly from `start` to `end`
    (YYYY-MM, inclusive), the salary rising by `raise_percent` each January."""

    employer: object
    person: object
    start: str
    end: str
    salary: int
    raise_percent: int = 3
    days: int = 26


def career_frame(jobs: list[Job]) -> pl.DataFrame:
    """The DNS lines of the jobs, one a month, as a declaration file would carry them."""
    rows: dict[str, list] = {
        k: []
        for k in (
            "employer_number",
            "period",
            "worker_number",
            "family_name",
            "given_names",
            "days_worked",
            "gross_salary",
        )
    }
    for job in jobs:
        first = period_index(job.start)
        salary = Decimal(job.salary)
        for i in range(first, period_index(job.end) + 1):
            period = period_of(i)
            if i != first and period.endswith("-01"):
                salary = (salary * (100 + job.raise_percent) / 100).quantize(Decimal(1))
            rows["employer_number"].append(job.employer.number)
            rows["period"].append(period)
            rows["worker_number"].append(job.person.number)
            rows["family_name"].append(job.person.family_name)
            rows["given_names"].append(job.person.given_names)
            rows["days_worked"].append(str(job.days))
            rows["gross_salary"].append(str(salary))
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows})


def declare_careers(*, organisation, jobs: list[Job], today: dt.date | None = None):
    """Declare the jobs' months through the bulk declaration service (taken-over history)."""
    return import_frame(
        frame=career_frame(jobs), organisation=organisation, migration=True, today=today
    )


# --- the demo step ------------------------------------------------------------------------------

DEMO_ORGANISATIONS = ("INPS-ML", "CNPS-CI")
# Each demo pensioner's claim is taken this far through its life (one claim per person).
STATES = (
    "opened",
    "computed",
    "submitted",
    "submitted_above",  # above the approver's delegation: it waits for the director
    "approved",
    "rejected",
    "in_payment",
    "in_payment",
    "short_career",  # under the minimum period: old-age allowance or lump sum, approved
)
DELEGATION_CEILING = Decimal(250000)
EMPLOYERS = {
    "INPS-ML": (
        "Huileries cotonnières du Mali",
        "Société des télécommunications du Mali",
        "Banque de l'Habitat du Mali",
    ),
    "CNPS-CI": (
        "Société ivoirienne de raffinage",
        "Compagnie ivoirienne de distribution d'eau",
        "Palmeraies de Côte d'Ivoire",
    ),
}
NAMES = (
    ("Coulibaly", "Mamadou", "M"),
    ("Traoré", "Aminata", "F"),
    ("Diarra", "Seydou", "M"),
    ("Keïta", "Fatoumata", "F"),
    ("Konaté", "Boubacar", "M"),
    ("Sangaré", "Mariam", "F"),
    ("Touré", "Ibrahim", "M"),
    ("Koné", "Awa", "F"),
    ("Dembélé", "Oumar", "M"),
)


def _agent(organisation, *roles):
    from kafo.accounts.models import User

    return (
        User.objects.filter(organisation=organisation, roles__code__in=roles, is_active=True)
        .order_by("username")
        .first()
    )


def _delegation(organisation, approver, today: dt.date):
    from kafo.governance import services as governance

    body = governance.body_create(
        organisation=organisation, name="Conseil d'administration (délégations)", kind="board"
    )
    day = today - dt.timedelta(days=90)
    session = governance.session_create(body=body, date=day, place="Siège")
    decision = governance.decision_create(
        session=session,
        title="Délégation de signature pour l'approbation des prestations",
        owner_name="Directeur général",
        today=day,
    )
    return governance.delegation_grant(
        decision=decision,
        delegate=approver,
        kind="benefit_approval",
        amount_ceiling=DELEGATION_CEILING,
        start_date=day,
    )


def _jobs(employers, person, n: int, state: str) -> list[Job]:
    """Three jobs over 2000–2025 (26 years: the contribution rules start in 2000); the
    short career 2016–2025; salaries that make some pensions pass the delegation ceiling."""
    a, b, c = employers
    base = 70000 + 20000 * (n % 5)
    if state == "submitted_above":
        base = 600000
    if state == "short_career":
        return [Job(c, person, "2016-01", "2025-06", base)]
    jobs = [
        Job(a, person, "2000-01", "2008-12", base),
        Job(b, person, "2009-07" if n % 2 else "2009-01", "2016-06", int(base * 1.3)),  # a gap
        Job(c, person, "2016-07", "2025-12", int(base * 1.7)),
    ]
    return jobs


def benefits_demo_seed(
    *,
    organisation_codes=DEMO_ORGANISATIONS,
    states=STATES,
    today: dt.date | None = None,
    say=lambda _msg: None,
) -> dict[str, dict[str, int]]:
    """Create, per organisation, pensioners with declared careers and one claim each, taken
    through the states with the real services; return the claims per status, per organisation.

    An organisation without its demo agents (officer, approver, director) or that already has
    claims is skipped: the step runs once, after the demo logins exist.
    """
    from django.db import transaction

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import zone_scope
    from kafo.registry.services import employer_register, person_register

    from . import claims
    from .models import Claim, ClaimStatus

    today = today or dt.date.today()
    answer: dict[str, dict[str, int]] = {}
    with zone_scope(), transaction.atomic():
        for code in organisation_codes:
            org = Organisation.objects.filter(code=code).first()
            if org is None or Claim.unscoped.filter(organisation=org).exists():
                continue
            officer = _agent(org, "benefits_officer")
            approver = _agent(org, "approver")
            director = _agent(org, "director")
            payer = _agent(org, "payment_officer", "director")
            if not (officer and approver and director):
                say(f"{code} : pas de liquidateur, d'approbateur ou de directeur, ignoré")
                continue
            _delegation(org, approver, today)
            names = EMPLOYERS.get(code, ("Employeur A", "Employeur B", "Employeur C"))
            employers = [
                employer_register(organisation=org, data={"legal_name": n, "risk_class": 1})
                for n in names
            ]
            persons, jobs = [], []
            for n, state in enumerate(states):
                family, given, sex = NAMES[n % len(NAMES)]
                person = person_register(
                    organisation=org,
                    data={
                        "family_name": family,
                        "given_names": given,
                        "sex": sex,
                        "birth_date": dt.date(1957 + n % 6, 1 + n % 12, 1 + (7 * n) % 28),
                        "birth_place": "Bamako" if code == "INPS-ML" else "Abidjan",
                    },
                )
                persons.append(person)
                jobs += _jobs(employers, person, n, state)
            declare_careers(organisation=org, jobs=jobs, today=today)
            counts: dict[str, int] = {}
            for n, (person, state) in enumerate(zip(persons, states, strict=True)):
                claim_date = today - dt.timedelta(days=10 + 9 * n)
                kind = "old_age_allowance" if state == "short_career" else "pension"
                claim = _claim_through(
                    claims,
                    person=person,
                    kind=kind,
                    claim_date=claim_date,
                    state=state,
                    users=(officer, approver, director, payer or director),
                )
                counts[claim.status] = counts.get(claim.status, 0) + 1
            answer[code] = counts
            say(
                f"{code} : "
                + ", ".join(f"{ClaimStatus(k).label} {v}" for k, v in sorted(counts.items()))
            )
            for login in insured_logins_create(
                organisation=org, persons=dict(zip(states, persons, strict=False)), like=officer
            ):
                say(f"{code} : espace assuré {login.username} ({login.person.full_name})")
    return answer


# The insured person's own space (kafo/insured): a login per demo pensioner below, the state of
# whose claim it shows (a pension in payment; a claim just opened).
INSURED_LOGINS = (("assure", "in_payment"), ("assure2", "opened"))


def insured_logins_create(*, organisation, persons: dict, like) -> list:
    """Create the insured logins of `organisation` (`inps-ml.assure`…), linked to the demo
    pensioners of `persons` (state → person), with the demo agents' password (`like`'s)."""
    from kafo.accounts.models import Role, RoleCode, User

    role, _ = Role.objects.get_or_create(code=RoleCode.INSURED)
    made = []
    for suffix, state in INSURED_LOGINS:
        person = persons.get(state)
        if person is None:
            continue
        user, _ = User.objects.update_or_create(
            username=f"{organisation.code.lower()}.{suffix}",
            defaults={
                "password": like.password,
                "organisation": organisation,
                "person": person,
                "first_name": person.given_names,
                "last_name": person.family_name,
            },
        )
        user.full_clean()
        user.roles.set([role])
        made.append(user)
    return made


def _claim_through(claims, *, person, kind, claim_date, state, users):
    from . import claim_decisions

    officer, approver, director, payer = users
    claim = claims.claim_open(person=person, kind=kind, claim_date=claim_date, user=officer)
    if state == "opened":
        return claim
    for doc in claim.documents.all():
        if doc.required or state != "computed":
            claims.claim_document_set(
                claim=claim,
                code=doc.code,
                received=True,
                user=officer,
                reference=f"{doc.code[:3].upper()}-{person.number}",
            )
    liquidation = claims.claim_compute(claim=claim, user=officer)
    if kind != "pension" and not liquidation.eligible:
        return claim
    if state == "computed":
        return claim
    claims.claim_submit(claim=claim, user=officer)
    if state in ("submitted", "submitted_above"):
        return claim
    if state == "rejected":
        return claim_decisions.claim_reject(
            claim=claim,
            user=approver,
            reason="Certificat de cessation d'activité non signé par l'employeur : à refaire.",
        )
    decider = approver if (liquidation.amount or 0) <= DELEGATION_CEILING else director
    claim_decisions.claim_approve(claim=claim, user=decider)
    if state == "in_payment":
        claim_decisions.claim_start_payment(claim=claim, user=payer)
    return claim
