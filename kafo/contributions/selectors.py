"""Reads of contributions, always through the scoped managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Sum

from kafo.contributions.domain import ledger as ledger_math
from kafo.contributions.domain import periods
from kafo.contributions.domain.compute import (
    Line,
    Rate,
    line_shares,
    months_of,
    rates_for_employer,
)
from kafo.registry.models import Employer
from kafo.rules.selectors import rates_in_force

from .models import (
    PENALTY_KINDS,
    Certificate,
    Declaration,
    DeclarationLine,
    DeclarationStatus,
    EntryKind,
    LedgerEntry,
    Payment,
    PendingRegistration,
)

CURRENCY = "XOF"  # every organisation of the zone counts in CFA francs (whole units)


def declarations_for(*, employer=None):
    qs = Declaration.objects.select_related("employer", "amends")
    if employer is not None:
        qs = qs.filter(employer=employer)
    return qs.order_by("-period", "-submitted_at")


def declaration_lines(*, declaration: Declaration, limit: int = 500) -> list[DeclarationLine]:
    """The first `limit` lines, each with `employer_total` and `employee_total` recomputed."""
    lines = list(
        DeclarationLine.objects.filter(declaration=declaration).order_by("line_no")[:limit]
    )
    rates = declaration_rates(declaration)
    months = months_of(declaration.period)
    for line in lines:
        line.employer_total, line.employee_total = line_amounts(
            line.gross_salary, line.category, months, rates
        )
    return lines


def declaration_rates(declaration: Declaration) -> list[Rate]:
    """The rate components a declaration was computed with: the versions in force on its
    `rules_on` date for the risk class it was filed under (versions are never edited)."""
    return _rates(declaration.organisation_id, declaration.rules_on, declaration.risk_class)


def _rates(organisation_id: int, on: dt.date, risk_class: int) -> list[Rate]:
    return rates_for_employer(rates_in_force(organisation_id=organisation_id, on=on), risk_class)


def line_amounts(gross, category: str, months: int, rates: list[Rate]) -> tuple[Decimal, Decimal]:
    """(employer, employee) contributions of one line, as the import computed them."""
    shares = line_shares(Line(Decimal(gross), category, months), rates, CURRENCY)
    employer = sum((s.employer for s in shares), Decimal(0))
    return employer, sum((s.employee for s in shares), Decimal(0))


def declaration_breakdown(*, declaration: Declaration) -> list[dict]:
    """Return per component: branch, component, base total, employer, employee (recomputed).

    The stored per-branch totals are authoritative; this detail splits them into components with
    the same rule versions (never edited), so the two always agree.
    """
    rates = declaration_rates(declaration)
    months = months_of(declaration.period)
    agg: dict[tuple[str, str], dict] = {}
    for gross, category in (
        DeclarationLine.objects.filter(declaration=declaration)
        .values_list("gross_salary", "category")
        .iterator()
    ):
        for s in line_shares(Line(Decimal(gross), category, months), rates, CURRENCY):
            row = agg.setdefault(
                (s.branch, s.component),
                {
                    "branch": s.branch,
                    "component": s.component,
                    "base": Decimal(0),
                    "employer": Decimal(0),
                    "employee": Decimal(0),
                    "rule_id": s.rule_id,
                },
            )
            row["base"] += s.base
            row["employer"] += s.employer
            row["employee"] += s.employee
    rate_by_id = {r.rule_id: r for r in rates}
    for row in agg.values():
        r = rate_by_id[row["rule_id"]]
        row["employer_rate"] = r.employer_rate
        row["employee_rate"] = r.employee_rate
        row["ceiling"] = r.ceiling
    return sorted(agg.values(), key=lambda r: (r["branch"], r["component"]))


def pending_registrations(*, status: str = "open"):
    return PendingRegistration.objects.filter(status=status).select_related("employer")


# --- Employer account ---------------------------------------------------------------------


@dataclass
class AccountState:
    """An employer's account on a date: entries with running balance, debts with what was paid
    (allocation oldest debt first), balance, overdue amounts by age."""

    as_of: dt.date
    entries: list
    debts: list[dict]
    allocation: ledger_math.AllocationResult
    balance: Decimal
    arrears: dict[str, Decimal]
    arrears_total: Decimal
    unpaid_penalties: Decimal
    credit_left: Decimal
    employer: Employer | None = None

    @cached_property
    def missing_declarations(self) -> list:
        """The expected declarations past their due date that were not filed (collection's
        rule: `kafo.collection.selectors.missing_declarations`), oldest first."""
        if self.employer is None:
            return []
        from kafo.collection.selectors import missing_declarations

        return missing_declarations(self.employer, self.as_of)

    @property
    def in_good_standing(self) -> bool:
        """Nothing overdue, no unpaid penalty, and every expected declaration filed."""
        return (
            self.arrears_total == 0 and self.unpaid_penalties == 0 and not self.missing_declarations
        )


# Entries that make up the debt of a period: its contributions, their reversal by a corrective
# declaration, and a provisional assessment (taxation d'office) with its reversal.
PERIOD_DEBT_KINDS = (
    EntryKind.CONTRIBUTION,
    EntryKind.REVERSAL,
    EntryKind.ASSESSMENT,
    EntryKind.ASSESSMENT_REVERSAL,
)


def account_state(*, employer, as_of: dt.date) -> AccountState:
    """Return the account of `employer` on `as_of` (entries dated later are included: the
    account as it stands, aged on `as_of`)."""
    entries = list(
        LedgerEntry.unscoped.filter(
            organisation_id=employer.organisation_id, employer_id=employer.pk
        ).order_by("due_date", "pk")
    )
    running = Decimal(0)
    for e in entries:
        running += e.amount
        e.running_balance = running
    debts: dict = {}
    credits = []
    # A rejected payment and its reversal cancel out: neither settles anything.
    cancelled = {e.reverses_id for e in entries if e.kind == EntryKind.PAYMENT_REVERSAL}
    for e in entries:
        if e.kind == EntryKind.PAYMENT_REVERSAL or e.pk in cancelled:
            continue
        if e.kind in PERIOD_DEBT_KINDS:
            key = ("P", e.period)
            d = debts.setdefault(
                key,
                {
                    "key": key,
                    "kind": EntryKind.CONTRIBUTION,
                    "period": e.period,
                    "due_date": e.due_date,
                    "amount": Decimal(0),
                    "label": e.label,
                },
            )
            d["amount"] += e.amount
            d["due_date"] = min(d["due_date"], e.due_date)
            if e.kind == EntryKind.CONTRIBUTION:
                d["label"] = e.label
        elif e.kind in PENALTY_KINDS:
            key = ("X", e.pk)
            debts[key] = {
                "key": key,
                "kind": EntryKind.PENALTY,
                "period": e.period,
                "due_date": e.due_date,
                "amount": e.amount,
                "label": e.label,
            }
        else:
            credits.append(ledger_math.Credit(key=("Y", e.pk), date=e.due_date, amount=-e.amount))
    allocation = ledger_math.allocate(
        [
            ledger_math.Debt(
                key=d["key"],
                due_date=d["due_date"],
                amount=d["amount"],
                rank=0 if d["kind"] == EntryKind.CONTRIBUTION else 1,
            )
            for d in debts.values()
        ],
        credits,
    )
    debt_rows = sorted(debts.values(), key=lambda d: (d["due_date"], d["kind"] != "contribution"))
    for d in debt_rows:
        d["unpaid"] = allocation.unpaid.get(d["key"], Decimal(0))
        d["paid"] = max(d["amount"], Decimal(0)) - d["unpaid"]
        late = (as_of - d["due_date"]).days
        d["overdue"] = d["unpaid"] > 0 and late > 0
        d["age_days"] = late if d["overdue"] else None
        d["bucket"] = ledger_math.bucket_of(late) if d["overdue"] else ""
    arrears = ledger_math.ageing(
        [(d["due_date"], d["unpaid"]) for d in debt_rows if d["kind"] == EntryKind.CONTRIBUTION]
        + [(d["due_date"], d["unpaid"]) for d in debt_rows if d["kind"] == EntryKind.PENALTY],
        as_of=as_of,
    )
    return AccountState(
        as_of=as_of,
        entries=entries,
        debts=debt_rows,
        allocation=allocation,
        balance=running,
        arrears=arrears,
        arrears_total=sum(arrears.values(), Decimal(0)),
        unpaid_penalties=sum(
            (d["unpaid"] for d in debt_rows if d["kind"] == EntryKind.PENALTY), Decimal(0)
        ),
        credit_left=allocation.credit_left,
        employer=employer,
    )


def account_balances(*, limit: int = 200):
    """Return employers with an account, the largest balance first: (employer, balance)."""
    rows = (
        LedgerEntry.objects.values("employer_id")
        .annotate(balance=Sum("amount"))
        .order_by("-balance", "employer_id")[:limit]
    )
    rows = list(rows)
    employers = {e.pk: e for e in Employer.objects.filter(pk__in=[r["employer_id"] for r in rows])}
    return [
        (employers[r["employer_id"]], r["balance"]) for r in rows if r["employer_id"] in employers
    ]


def payments_for(*, employer, limit: int = 200):
    return (
        Payment.objects.filter(employer=employer)
        .select_related("probable_duplicate_of")
        .order_by("-paid_on", "-pk")[:limit]
    )


def certificates_for(*, employer):
    return Certificate.objects.filter(employer=employer).order_by("-issued_on", "-pk")


def certificate_by_code(*, code: str) -> Certificate | None:
    """Return the certificate with this verification code, zone-wide, for the public check page.

    The one unscoped read of this app served to a page: the visitor is anonymous (no scope) and
    holds the unguessable code printed on the paper; the page shows only what the paper shows.
    """
    if not code:
        return None
    return (
        Certificate.unscoped.select_related("employer", "organisation")
        .filter(code=code)
        .order_by("pk")
        .first()
    )


# --- Careers ------------------------------------------------------------------------------


class _RatesByDeclaration(dict):
    """Rate components per (organisation, rules date, risk class), read once per career."""

    def __missing__(self, key: tuple[int, dt.date, int]) -> list[Rate]:
        self[key] = _rates(*key)
        return self[key]


def _career_line_contributions(row: dict, rates: _RatesByDeclaration) -> Decimal:
    """Employer + employee contributions of one career line, with its declaration's rules."""
    key = (
        row["declaration__organisation_id"],
        row["declaration__rules_on"],
        row["declaration__risk_class"],
    )
    months = months_of(row["declaration__period"])
    return sum(line_amounts(row["gross_salary"], row["category"], months, rates[key]))


def person_career(*, person, persons=None) -> dict:
    """Return a person's insured periods and salaries per organisation, from declaration lines.

    Lines of declarations in force only (a corrected declaration counts once, as corrected);
    the lines of a pending registration count once it is resolved (the lines then carry the
    person). `persons` may add the person's records in other organisations (zone index links).
    A quarter counts three months; a month with two employers counts once in `months`.
    """
    records = [person, *(persons or [])]
    by_org: dict[int, dict] = {}
    rates = _RatesByDeclaration()
    for p in records:
        qs = (
            DeclarationLine.unscoped.filter(
                organisation_id=p.organisation_id,
                person_id=p.pk,
                declaration__status=DeclarationStatus.IN_FORCE,
            )
            .values(
                "declaration__period",
                "declaration__employer_id",
                "declaration__employer__number",
                "declaration__employer__legal_name",
                "declaration__organisation_id",
                "declaration__rules_on",
                "declaration__risk_class",
                "days_worked",
                "gross_salary",
                "category",
            )
            .order_by("declaration__period", "declaration__employer_id", "line_no")
        )
        org = by_org.setdefault(
            p.organisation_id,
            {
                "organisation_id": p.organisation_id,
                "organisation": p.organisation.code,
                "organisation_name": p.organisation.name,
                "person_id": p.pk,
                "person_number": p.number,
                "periods": [],
                "spans": [],
                "months": 0,
                "days": 0,
                "total_salary": Decimal(0),
                "total_contributions": Decimal(0),
            },
        )
        for row in qs:
            org["periods"].append(
                {
                    "period": row["declaration__period"],
                    "employer_id": row["declaration__employer_id"],
                    "employer_number": row["declaration__employer__number"],
                    "employer_name": row["declaration__employer__legal_name"],
                    "days_worked": row["days_worked"],
                    "gross_salary": Decimal(row["gross_salary"]),
                    "contributions": _career_line_contributions(row, rates),
                }
            )
    for org in by_org.values():
        months_all: set[str] = set()
        per_employer: dict[int, dict] = {}
        for r in org["periods"]:
            months = periods.months_in(r["period"])
            months_all.update(months)
            org["days"] += r["days_worked"]
            org["total_salary"] += r["gross_salary"]
            org["total_contributions"] += r["contributions"]
            emp = per_employer.setdefault(
                r["employer_id"],
                {"number": r["employer_number"], "name": r["employer_name"], "months": set()},
            )
            emp["months"].update(months)
        org["months"] = len(months_all)
        for emp in per_employer.values():
            for start, end, count in _spans(sorted(emp["months"])):
                org["spans"].append(
                    {
                        "employer_number": emp["number"],
                        "employer_name": emp["name"],
                        "start": start,
                        "end": end,
                        "months": count,
                    }
                )
        org["spans"].sort(key=lambda s: (s["start"], s["employer_number"]))
    return {
        "person_id": person.pk,
        "organisations": sorted(by_org.values(), key=lambda o: o["organisation"]),
        "months": sum(o["months"] for o in by_org.values()),
        "total_salary": sum((o["total_salary"] for o in by_org.values()), Decimal(0)),
    }


def _spans(months: list[str]):
    """Group sorted 'YYYY-MM' months into runs of consecutive months: (start, end, count)."""

    def index(m: str) -> int:
        return int(m[:4]) * 12 + int(m[5:7]) - 1

    run: list[str] = []
    for m in months:
        if run and index(m) != index(run[-1]) + 1:
            yield run[0], run[-1], len(run)
            run = []
        run.append(m)
    if run:
        yield run[0], run[-1], len(run)
