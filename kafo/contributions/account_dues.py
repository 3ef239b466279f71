"""Amounts due on the employer account from its declarations: due dates, contributions
posted, late-filing penalties (kafo/contributions/ledger.py says how the account works)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.rules.models import DeclarationRule, PenaltyKind, PenaltyRule

from .domain import periods
from .domain.ledger import late_declaration_penalty
from .models import Declaration, DeclarationKind, EntryKind, LedgerEntry

DEFAULT_DUE_DAY = 15  # when an organisation has no declaration rule (none in the seed lacks one)
AUDIT_EACH_ENTRY_UP_TO = 50  # bulk imports: the declarations' own audit events cover their dues


def _today() -> dt.date:
    return timezone.localdate()


def period_due_date(*, organisation_id: int, period: str, cache: dict | None = None) -> dt.date:
    """Return the due date of `period`: the due day (rule in force on the period's first day) of
    the month after the period."""
    key = (organisation_id, period)
    if cache is not None and key in cache:
        return cache[key]
    start, _end = periods.parse(period)
    if cache is None:
        rule = (
            DeclarationRule.unscoped.filter(organisation_id=organisation_id)
            .in_force(on=start)
            .first()
        )
        due_day = rule.due_day if rule else DEFAULT_DUE_DAY
    else:  # the rule looked up once per version in force (a long career: 300 periods)
        changes = cache.get(("changes", organisation_id))
        if changes is None:
            changes = cache[("changes", organisation_id)] = sorted(
                set(
                    DeclarationRule.unscoped.filter(organisation_id=organisation_id).values_list(
                        "effective_from", flat=True
                    )
                )
            )
        at = bisect_right(changes, start)
        version = ("due_day", organisation_id, changes[at - 1] if at else None)
        if version not in cache:
            rule = (
                DeclarationRule.unscoped.filter(organisation_id=organisation_id)
                .in_force(on=start)
                .first()
            )
            cache[version] = rule.due_day if rule else DEFAULT_DUE_DAY
        due_day = cache[version]
    due = periods.due_date(period, due_day)
    if cache is not None:
        cache[key] = due
    return due


def post_declarations(
    new_decls: list[Declaration], superseded: list[Declaration], *, late_filing: bool = True
) -> None:
    """Post what new declarations make due; reverse what the declarations they replace did;
    with `late_filing`, the late-declaration penalties of those filed after their due date.

    Called inside the declaration's transaction (services._store). Set-based: one bulk insert,
    whatever the number of declarations of a bulk file.
    """
    if not new_decls:
        return
    cache: dict = {}
    entries: list[LedgerEntry] = []
    posted = {
        e.declaration_id: e
        for e in LedgerEntry.unscoped.filter(
            kind=EntryKind.CONTRIBUTION, declaration_id__in=[d.pk for d in superseded]
        )
    }
    for old in superseded:
        original = posted.get(old.pk)
        if original is None:  # declared before the account existed: nothing to reverse
            continue
        entries.append(
            LedgerEntry(
                organisation_id=old.organisation_id,
                employer_id=old.employer_id,
                kind=EntryKind.REVERSAL,
                period=old.period,
                due_date=original.due_date,
                amount=-original.amount,
                declaration=old,
                label=_("Annulation DNS %(p)s (remplacée par une rectificative)")
                % {"p": old.period},
            )
        )
    for d in new_decls:
        entries.append(
            LedgerEntry(
                organisation_id=d.organisation_id,
                employer_id=d.employer_id,
                kind=EntryKind.CONTRIBUTION,
                period=d.period,
                due_date=period_due_date(
                    organisation_id=d.organisation_id, period=d.period, cache=cache
                ),
                amount=d.total,
                declaration=d,
                label=_("Cotisations %(p)s (DNS %(k)s)")
                % {"p": d.period, "k": d.get_kind_display()},
            )
        )
    if late_filing:
        entries.extend(_late_filing_entries(new_decls, cache))
    if len(entries) <= AUDIT_EACH_ENTRY_UP_TO:
        LedgerEntry.unscoped.bulk_create(entries)
        for e in entries:
            audit.record_created(e, subject=e.employer)
    else:  # a bulk import: rows nothing refers to here, written without the ORM's compiling
        from kafo.bulk import insert_many

        insert_many(LedgerEntry, entries)
    # A provisional assessment (taxation d'office) of a period now declared is reversed.
    from kafo.collection.services import assessments_reverse  # collection builds on this app

    assessments_reverse(new_decls)


def _penalty_rule(organisation_id: int, kind: str, on: dt.date, cache: dict) -> PenaltyRule | None:
    """The penalty rule of `kind` in force on `on` (a due date), looked up once per run and
    version in force (an account of 24 months and more: one query per version, not per month)."""
    key = (organisation_id, kind, on)
    if key not in cache:
        changes = cache.get(("changes", organisation_id, kind))
        if changes is None:
            changes = cache[("changes", organisation_id, kind)] = sorted(
                set(
                    PenaltyRule.unscoped.filter(
                        organisation_id=organisation_id, kind=kind
                    ).values_list("effective_from", flat=True)
                )
            )
        at = bisect_right(changes, on)
        version = ("version", organisation_id, kind, changes[at - 1] if at else None)
        if version not in cache:
            cache[version] = (
                PenaltyRule.unscoped.filter(organisation_id=organisation_id, kind=kind)
                .in_force(on=on)
                .first()
            )
        cache[key] = cache[version]
    return cache[key]


def _late_filing_entries(new_decls: list[Declaration], due_cache: dict) -> list[LedgerEntry]:
    """The late-declaration penalties of original declarations filed after their due date.

    A corrective declaration owes none: the lateness was assessed on the declaration it amends.
    The rule is the one in force on the due date.
    """
    rules: dict = {}
    entries = []
    for d in new_decls:
        if d.kind != DeclarationKind.ORIGINAL:
            continue
        due = period_due_date(organisation_id=d.organisation_id, period=d.period, cache=due_cache)
        filed_on = timezone.localdate(d.submitted_at)
        if filed_on <= due:
            continue
        rule = _penalty_rule(d.organisation_id, PenaltyKind.LATE_DECLARATION, due, rules)
        if rule is None:
            continue
        trace = late_declaration_penalty(
            contributions=d.total,
            due_date=due,
            filed_on=filed_on,
            percent_flat=rule.percent_flat,
            percent_per_day=rule.percent_per_day,
            percent_per_month_started=rule.percent_per_month_started,
        )
        if trace.amount <= 0:
            continue
        entries.append(
            LedgerEntry(
                organisation_id=d.organisation_id,
                employer_id=d.employer_id,
                kind=EntryKind.LATE_FILING,
                period=d.period,
                due_date=filed_on,
                amount=trace.amount,
                declaration=d,
                label=_("Majoration pour déclaration tardive %(p)s (reçue le %(d)s)")
                % {"p": d.period, "d": f"{filed_on:%d/%m/%Y}"},
                detail={
                    "rule_id": rule.pk,
                    "percent_flat": str(rule.percent_flat),
                    "percent_per_day": str(rule.percent_per_day),
                    "percent_per_month_started": str(rule.percent_per_month_started),
                    "due_date": due.isoformat(),
                    "exact": str(trace.exact),
                    "steps": list(trace.steps),
                },
            )
        )
    return entries
