"""Write a demo zone into the database in bulk, and create the demo logins.

Bulk inserts inside one transaction: no per-row save and no per-row audit. One audit event per
organisation records what the seed created. Registration-number sequences are set so that later
registrations continue after the demo numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from kafo.accounts.models import Role, RoleCode, User
from kafo.audit.models import AuditAction, AuditEvent
from kafo.organisations.models import Country, Organisation
from kafo.organisations.services import zone_seed
from kafo.organisations.tenancy import zone_scope
from kafo.registry.domain import names as phonetics
from kafo.registry.models import (
    Dependant,
    Employer,
    Employment,
    Establishment,
    NumberSequence,
    Person,
    PersonNameKey,
)

from . import generate

DEFAULT_PASSWORD = "kafo-demo-2026"  # noqa: S105 - a published demo password, by design
FLUSH_ROWS = 20_000

# Login suffix and role of each demo agent, one per organisation.
AGENT_LOGINS = (
    ("agent", RoleCode.REGISTRATION_AGENT),
    ("cotisations", RoleCode.CONTRIBUTIONS_MANAGER),
    ("liquidateur", RoleCode.BENEFITS_OFFICER),
    ("approbateur", RoleCode.APPROVER),
    ("paiement", RoleCode.PAYMENT_OFFICER),
    ("directeur", RoleCode.DIRECTOR),
    ("liaison", RoleCode.LIAISON_OFFICER),
    ("employeur", RoleCode.EMPLOYER),
)
ZONE_ADMIN_LOGIN = "zone.admin"

# Registry tables emptied by a reset, children first.
REGISTRY_MODELS = (
    PersonNameKey,
    Dependant,
    Employment,
    Establishment,
    Person,
    Employer,
    NumberSequence,
)


class DemoDataExists(ValidationError):
    """The database already holds registry data and no reset was asked for."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    organisation: str
    role: str
    employer: str = ""


@dataclass
class SeedResult:
    counts: dict[str, dict[str, int]]
    # The truth the zone person index should find: ((org, number), (org, number), variants).
    cross_registrations: list[tuple[tuple[str, str], tuple[str, str], tuple[str, ...]]]
    logins: list[DemoLogin]
    timings: dict[str, float] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for per_org in self.counts.values():
            for kind, n in per_org.items():
                out[kind] = out.get(kind, 0) + n
        return out


def demo_username(organisation_code: str, suffix: str) -> str:
    return f"{organisation_code.lower()}.{suffix}"


# --- reset ----------------------------------------------------------------------------------


def _foreign_references() -> list[tuple[type[models.Model], models.Field]]:
    """Fields of other apps' models that point at a registry table (besides portal users)."""
    registry = set(REGISTRY_MODELS)
    refs = []
    for model in apps.get_models():
        if model._meta.app_label == "registry" or model is User:
            continue
        for f in model._meta.get_fields():
            if f.concrete and f.is_relation and f.related_model in registry:
                refs.append((model, f))
    return refs


def registry_reset() -> None:
    """Delete every registry record of the zone (detach portal users from employers, persons).

    Refuse, naming the table, when another application's records still point at the registry:
    those must go first (or the database be recreated).
    """
    tables = set(connection.introspection.table_names())
    for model, f in _foreign_references():
        if (
            model._meta.db_table in tables
            and model._base_manager.filter(**{f"{f.name}__isnull": False}).exists()
        ):
            raise ValidationError(
                {
                    "reset": f"{model._meta.label} references {f.related_model._meta.label}: "
                    "delete that data first, or recreate the database."
                }
            )
    User.objects.filter(employer__isnull=False).update(employer=None)
    User.objects.filter(person__isnull=False).update(person=None)  # insured persons' logins
    with connection.cursor() as cursor:
        for model in REGISTRY_MODELS:
            # One statement per table: the ORM would first load every row to cascade.
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


# --- bulk writes ----------------------------------------------------------------------------


class _BulkTable:
    """Rows of one table with their ids allocated here, inserted by `executemany` on SQLite and
    `COPY` on PostgreSQL.

    Model instances and `bulk_create` cost about 80 % of a 50,000-person seed in ORM value
    preparation; plain tuples keep it well under a minute. Ids continue after the table's
    largest; on PostgreSQL the table is locked for the transaction and its sequence moved on.
    """

    def __init__(self, model: type[models.Model], fields: tuple[str, ...]):
        opts = model._meta
        self.model = model
        qn = connection.ops.quote_name
        columns = [opts.pk.column, *(opts.get_field(f).column for f in fields)]
        self.copy = connection.vendor == "postgresql"
        target = f"{qn(opts.db_table)} ({', '.join(qn(c) for c in columns)})"
        if self.copy:
            self.sql = f"COPY {target} FROM STDIN"
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {qn(opts.db_table)} IN SHARE ROW EXCLUSIVE MODE")
        else:
            self.sql = f"INSERT INTO {target} VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        self.next_id = (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()
        return pk

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                if self.copy:  # psycopg 3
                    with cursor.cursor.copy(self.sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []

    def finish(self) -> int:
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)
        return self.count


def _write_employers(plan: generate.ZonePlan, org_ids: dict[str, int]) -> dict[int, int]:
    """Insert employers and establishments; return employer record id -> database id."""
    d = connection.ops.adapt_datefield_value
    employers = _BulkTable(
        Employer,
        (
            "organisation",
            "number",
            "legal_name",
            "trade_register_id",
            "tax_id",
            "sector",
            "risk_class",
            "address",
            "city",
            "phone",
            "status",
            "status_since",
            "registered_on",
            "search_name",
        ),
    )
    establishments = _BulkTable(
        Establishment,
        ("organisation", "employer", "name", "address", "city", "opened_on", "closed_on"),
    )
    ids: dict[int, int] = {}
    for e in plan.employers:
        org = org_ids[e.organisation]
        pk = employers.add(
            org,
            e.number,
            e.legal_name[:200],
            e.trade_register_id,
            e.tax_id,
            e.sector,
            e.risk_class,
            e.address[:200],
            e.city,
            e.phone,
            e.status,
            d(e.status_since),
            d(e.registered_on),
            phonetics.fold(e.legal_name)[:200],
        )
        ids[id(e)] = pk
        for s in e.establishments:
            establishments.add(
                org, pk, s.name, s.address[:200], s.city, d(s.opened_on), d(s.closed_on)
            )
    employers.finish()
    establishments.finish()
    return ids


def _write_persons(
    plan: generate.ZonePlan, org_ids: dict[str, int], employer_ids: dict[int, int]
) -> None:
    """Insert persons with their name keys (the search index), dependants and employments."""
    d = connection.ops.adapt_datefield_value
    persons = _BulkTable(
        Person,
        (
            "organisation",
            "number",
            "family_name",
            "given_names",
            "sex",
            "birth_date",
            "birth_date_precision",
            "birth_place",
            "mother_name",
            "national_id",
            "phone",
            "address",
            "registered_on",
        ),
    )
    keys = _BulkTable(PersonNameKey, ("organisation", "person", "key"))
    dependants = _BulkTable(
        Dependant,
        (
            "organisation",
            "person",
            "relationship",
            "family_name",
            "given_names",
            "sex",
            "birth_date",
            "birth_date_precision",
            "marriage_date",
            "marriage_end_date",
            "filiation",
            "other_parent",
        ),
    )
    employments = _BulkTable(
        Employment,
        ("organisation", "person", "employer", "start_date", "end_date", "job_title"),
    )
    for p in plan.persons:
        org = org_ids[p.organisation]
        pk = persons.add(
            org,
            p.number,
            p.family_name,
            p.given_names,
            p.sex,
            d(p.birth_date),
            p.birth_date_precision,
            p.birth_place,
            p.mother_name,
            p.national_id,
            p.phone,
            p.address,
            d(p.registered_on),
        )
        # Exactly as the registration service indexes a person's names.
        for k in phonetics.name_keys(f"{p.family_name} {p.given_names}"):
            keys.add(org, pk, k)
        dependant_ids: list[int] = []
        for dep in p.dependants:  # spouses come before their children
            dependant_ids.append(
                dependants.add(
                    org,
                    pk,
                    dep.relationship,
                    dep.family_name,
                    dep.given_names,
                    dep.sex,
                    d(dep.birth_date),
                    dep.birth_date_precision,
                    d(dep.marriage_date),
                    d(dep.marriage_end_date),
                    dep.filiation,
                    dependant_ids[dep.other_parent] if dep.other_parent is not None else None,
                )
            )
        for e in p.employments:
            employments.add(
                org, pk, employer_ids[id(e.employer)], d(e.start_date), d(e.end_date), e.job_title
            )
    # Buffers flush independently: Django's foreign keys are deferred, checked at commit.
    persons.finish()
    keys.finish()
    dependants.finish()
    employments.finish()


def _write_sequences(plan: generate.ZonePlan, org_ids: dict[str, int]) -> None:
    last: dict[tuple[str, str], int] = {}
    for kind, records in (("employer", plan.employers), ("person", plan.persons)):
        for r in records:
            key = (r.organisation, kind)
            last[key] = last.get(key, 0) + 1
    NumberSequence.unscoped.bulk_create(
        NumberSequence(organisation_id=org_ids[org], kind=kind, last_value=n)
        for (org, kind), n in sorted(last.items())
    )


# --- demo logins ----------------------------------------------------------------------------


def demo_logins_create(
    *,
    organisations: list[Organisation],
    portal_employers: dict[str, Employer],
    password: str,
) -> list[DemoLogin]:
    """Create (or reset) one login per organisation and role, and the zone administrator."""
    hashed = make_password(password)  # Argon2 once, shared by every demo login
    wanted: list[tuple[User, list[str], DemoLogin]] = []
    for org in organisations:
        for suffix, role in AGENT_LOGINS:
            employer = portal_employers.get(org.code) if role == RoleCode.EMPLOYER else None
            if role == RoleCode.EMPLOYER and employer is None:
                continue
            username = demo_username(org.code, suffix)
            user = User(
                username=username,
                password=hashed,
                organisation=org,
                employer=employer,
                first_name=str(RoleCode(role).label),
                last_name=org.code,
            )
            wanted.append(
                (
                    user,
                    [role],
                    DemoLogin(username, org.code, role, employer.number if employer else ""),
                )
            )
    admin = User(
        username=ZONE_ADMIN_LOGIN,
        password=hashed,
        is_staff=True,
        is_superuser=True,
        first_name="Administrateur",
        last_name="de zone",
    )
    wanted.append((admin, [RoleCode.ZONE_ADMIN], DemoLogin(ZONE_ADMIN_LOGIN, "", "zone_admin")))

    existing = {
        u.username: u for u in User.objects.filter(username__in=[w[0].username for w in wanted])
    }
    to_create = []
    for user, _roles, _login in wanted:
        old = existing.get(user.username)
        if old is None:
            to_create.append(user)
            continue
        for f in (
            "password",
            "organisation",
            "employer",
            "is_staff",
            "is_superuser",
            "first_name",
            "last_name",
        ):
            setattr(old, f, getattr(user, f))
        old.is_active = True
        user.pk = old.pk
    User.objects.bulk_create(to_create)
    if existing:
        User.objects.bulk_update(
            list(existing.values()),
            [
                "password",
                "organisation",
                "employer",
                "is_staff",
                "is_superuser",
                "is_active",
                "first_name",
                "last_name",
            ],
        )
    user_ids = [w[0].pk for w in wanted]
    Through = User.roles.through
    Through.objects.filter(user_id__in=user_ids).delete()
    known_roles = set(Role.objects.values_list("code", flat=True))
    missing = {r for _u, roles, _l in wanted for r in roles} - known_roles
    Role.objects.bulk_create([Role(code=r) for r in sorted(missing)])
    Through.objects.bulk_create(
        Through(user_id=user.pk, role_id=str(role)) for user, roles, _l in wanted for role in roles
    )
    return [w[2] for w in wanted]


# --- the whole seed -------------------------------------------------------------------------


def registry_has_data() -> bool:
    return Person.unscoped.exists() or Employer.unscoped.exists()


def demo_seed(
    *,
    seed: int = 2026,
    persons: int = 50_000,
    employers: int = 2_000,
    password: str = DEFAULT_PASSWORD,
    reset: bool = False,
    reference_date: dt.date = generate.REFERENCE_DATE,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Seed the zone, then a whole demo registry and the demo logins; return what was made.

    Refuse (DemoDataExists) when the registry already has data, unless `reset` is given.
    """
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        say(f"{name}: {timings[name]:.1f} s")

    with zone_scope(), transaction.atomic():
        if registry_has_data():
            if not reset:
                raise DemoDataExists(
                    {"reset": "Le registre contient déjà des données : relancez avec --reset."}
                )
            registry_reset()
            lap("reset")
        organisations = zone_seed()
        patterns = dict(Country.objects.values_list("code", "national_id_pattern"))
        infos = [  # in the order of the reference file: INPS-ML first
            generate.OrganisationInfo(
                code=o.code, country=o.country_id, national_id_pattern=patterns[o.country_id]
            )
            for o in organisations
        ]
        plan = generate.build_zone(
            organisations=infos,
            seed=seed,
            persons=persons,
            employers=employers,
            reference_date=reference_date,
        )
        lap("generation")
        org_ids = {o.code: o.pk for o in organisations}
        employer_ids = _write_employers(plan, org_ids)
        lap("employers")
        _write_persons(plan, org_ids, employer_ids)
        _write_sequences(plan, org_ids)
        lap("persons")
        counts = plan.counts()
        AuditEvent.unscoped.bulk_create(
            AuditEvent(
                organisation_id=org_ids[code],
                actor_label="kafo seed_demo",
                action=AuditAction.CREATE,
                object_type="demo_seed",
                object_id=str(seed),
                object_repr=f"Données de démonstration : {sum(c.values())} enregistrements créés",
                subject_type="demo_seed",
                subject_id=str(seed),
                changes={"seed": seed, **c},
            )
            for code, c in sorted(counts.items())
        )
        logins = demo_logins_create(
            organisations=list(organisations),
            portal_employers={
                code: Employer.unscoped.get(pk=employer_ids[id(e)])
                for code, e in plan.portal_employers.items()
            },
            password=password,
        )
        lap("logins")
    return SeedResult(
        counts=counts,
        cross_registrations=[
            (
                (c.first.organisation, c.first.number),
                (c.second.organisation, c.second.number),
                c.variants,
            )
            for c in plan.cross_registrations
        ],
        logins=logins,
        timings=timings,
    )


def registry_digest() -> str:
    """Return a digest of the registry's content that ignores database ids (for determinism)."""
    h = hashlib.sha256()
    with zone_scope():
        org_codes = dict(Organisation.objects.values_list("pk", "code"))
        for row in Person.unscoped.order_by("organisation__code", "number").values_list(
            "organisation_id",
            "number",
            "family_name",
            "given_names",
            "sex",
            "birth_date",
            "birth_date_precision",
            "birth_place",
            "mother_name",
            "national_id",
            "phone",
            "address",
            "registered_on",
        ):
            h.update(repr((org_codes[row[0]], *row[1:])).encode())
        for row in Employer.unscoped.order_by("organisation__code", "number").values_list(
            "number", "legal_name", "tax_id", "status", "registered_on"
        ):
            h.update(repr(row).encode())
        for row in Dependant.unscoped.order_by(
            "person__organisation__code",
            "person__number",
            "relationship",
            "birth_date",
            "given_names",
        ).values_list(
            "person__number",
            "relationship",
            "given_names",
            "birth_date",
            "other_parent__given_names",
        ):
            h.update(repr(row).encode())
        for row in Employment.unscoped.order_by(
            "person__organisation__code", "person__number", "start_date", "employer__number"
        ).values_list("person__number", "employer__number", "start_date", "end_date"):
            h.update(repr(row).encode())
    return h.hexdigest()
