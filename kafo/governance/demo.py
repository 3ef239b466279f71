"""Demo governance history (`kafo demo`): for every organisation, its board of directors with
two years of quarterly sessions and the decisions taken there, followed up since.

Through the real services (numbered, audited, each status change in the decision's history):
per organisation, a board of five members (the director's login as the director general), a
session each quarter over the last 24 months, three decisions a session with an owner and a
deadline. Decisions of sessions more than six months old are done (with the execution report
attached) or, one in six, dropped with a reason; those of the last two quarters are in progress,
so the follow-up shows decisions on time and some late (past their deadline). Deterministic (no
randomness). Idempotent: skipped for an organisation whose board already has its sessions (a
board opened by another demo step is reused).
"""

from __future__ import annotations

import datetime as dt

SESSIONS = 8  # one a quarter over 24 months

MEMBERS = (
    ("Président du conseil", "Ministère du Travail"),
    ("Représentant des employeurs", "Conseil national du patronat"),
    ("Représentant des travailleurs", "Union nationale des travailleurs"),
    ("Représentant de l'État", "Ministère des Finances"),
    ("Directeur général", "Direction générale"),
)
NAMES = (
    "Moussa Traoré",
    "Aïssata Diallo",
    "Jean-Baptiste Kouassi",
    "Fatou Ndiaye",
    "Ibrahim Sawadogo",
)

# (title, kind, owner unit, days from the session to the deadline)
DECISIONS = (
    (
        "Réduire les arriérés de cotisations des grands employeurs",
        "general",
        "Direction du recouvrement",
        120,
    ),
    ("Adopter le budget de l'exercice", "budget", "Direction financière", 45),
    (
        "Mettre à jour le manuel de procédures de liquidation",
        "manual",
        "Direction des prestations",
        150,
    ),
    ("Campagne de certificats de vie des pensionnés", "general", "Direction des prestations", 90),
    (
        "Déléguer la signature des pensions au directeur des prestations",
        "delegation",
        "Direction générale",
        30,
    ),
    (
        "Immatriculer les travailleurs indépendants des marchés",
        "general",
        "Direction de l'immatriculation",
        180,
    ),
    ("Adopter le plan stratégique triennal", "plan", "Direction de la planification", 60),
    ("Relancer les employeurs non déclarants par SMS", "general", "Direction du recouvrement", 75),
)


def _quarters_back(today: dt.date, n: int) -> dt.date:
    """The board's session day `n` quarters before `today`: the 20th of that quarter's 2nd month."""
    index = today.year * 12 + today.month - 1 - 3 * n
    year, month = index // 12, index % 12 + 1
    month = month - (month - 1) % 3 + 1  # the quarter's second month
    return dt.date(year, month, 20)


def governance_demo_seed(*, say=lambda _msg: None, today: dt.date | None = None) -> dict:
    """Seed every organisation's board history (see the module's notes); return counts."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kafo.accounts.models import User
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope

    from .bodies import body_create, body_member_add, session_create
    from .decisions import decision_create, decision_set_status
    from .models import Body, BodyKind, Status

    today = today or timezone.localdate()
    made: dict = {}
    with zone_scope():
        organisations = list(Organisation.objects.order_by("code"))
    for org in organisations:
        with tenant_scope(org):
            # The board another demo step may have opened (benefits: the delegation of
            # signature) is reused; a board with its two years of sessions is left alone.
            body = Body.objects.filter(kind=BodyKind.BOARD).order_by("pk").first()
            if body is not None and body.sessions.count() >= SESSIONS:
                continue
            director = User.objects.filter(
                organisation=org, roles__code="director", employer__isnull=True
            ).first()
            if body is None:
                body = body_create(
                    organisation=org,
                    name=f"Conseil d'administration de la {org.code}",
                    kind=BodyKind.BOARD,
                    description="Instance de décision de l'organisme (statuts).",
                )
            members = [
                body_member_add(
                    body=body,
                    name=name,
                    role=role,
                    unit=unit,
                    user=director if role == "Directeur général" else None,
                )
                for name, (role, unit) in zip(NAMES, MEMBERS, strict=True)
            ]
            decisions = 0
            for back in range(SESSIONS, 0, -1):
                day = _quarters_back(today, back - 1)
                if day >= today:
                    day = today - dt.timedelta(days=7)
                session = session_create(
                    body=body,
                    date=day,
                    place=f"Siège de la {org.code}",
                    agenda="Suivi des décisions ; situation du recouvrement ; prestations.",
                    attendees=members[: 4 + back % 2],
                )
                for n in range(3):
                    title, kind, unit, days = DECISIONS[(back * 3 + n) % len(DECISIONS)]
                    decision = decision_create(
                        session=session,
                        title=title,
                        kind=kind,
                        owner_name=members[4].name if n == 0 else members[n].name,
                        owner_unit=unit,
                        owner_user=director if n == 0 else None,
                        deadline=day + dt.timedelta(days=days),
                        by=director,
                        today=day,
                    )
                    decisions += 1
                    started = day + dt.timedelta(days=10)
                    if started < today:
                        decision_set_status(
                            decision=decision,
                            status=Status.IN_PROGRESS,
                            by=director,
                            note="Mise en œuvre engagée.",
                            today=started,
                        )
                    closed = day + dt.timedelta(days=days - 5)
                    if back > 2 and closed < today:
                        if (back + n) % 6 == 0:
                            decision_set_status(
                                decision=decision,
                                status=Status.DROPPED,
                                by=director,
                                note="Remplacée par une décision de la session suivante.",
                                today=closed,
                            )
                        else:
                            decision_set_status(
                                decision=decision,
                                status=Status.DONE,
                                by=director,
                                note="Réalisée : rapport d'exécution joint.",
                                evidence=ContentFile(
                                    f"Rapport d'exécution : {title}.\n".encode(),
                                    name="rapport-execution.txt",
                                ),
                                today=closed,
                            )
                    elif decision.deadline < today:
                        decision_set_status(  # still open past its deadline: late
                            decision=decision, status=Status.IN_PROGRESS, by=director, today=today
                        )
            made[org.code] = decisions
    if made:
        say(
            f"{len(made)} conseil(s) d'administration, {SESSIONS} sessions chacun, "
            f"{sum(made.values())} décisions suivies"
        )
    return made
