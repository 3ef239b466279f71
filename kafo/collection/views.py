"""Pages of collection follow-up: the non-filers of a period (défaillants), with filters,
paging and CSV / Excel export; the partial declarations of the period."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kafo.contributions.domain import periods
from kafo.exports import csv_row, xlsx_append
from kafo.registry.models import Employer, Person

from . import selectors
from .domain.expected import month_of, period_label
from .permissions import can_follow_non_filers

PAGE_SIZE = 50
PERIOD_CHOICES = 12  # months offered in the period menu (and their quarters)
PARTIAL_SHOWN = 200


def _need(user) -> None:
    if not can_follow_non_filers(user):
        raise PermissionDenied


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    """The last months whose due date may have passed, newest first, each quarter after its
    last month: ('2026-10', '10/2026'), ('2026-Q3', 'T3 2026'), ('2026-09', '09/2026')..."""
    choices = []
    first = today.replace(day=1)
    for _i in range(PERIOD_CHOICES):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        month = month_of(first)
        if first.month % 3 == 0:
            quarter = f"{first.year}-Q{first.month // 3}"
            choices.append((quarter, period_label(quarter)))
        choices.append((month, period_label(month)))
    return choices


def _params(request) -> tuple[str, selectors.NonFilerFilters, list]:
    choices = _period_choices(timezone.localdate())
    period = (request.GET.get("period") or "").strip().upper()
    try:
        period = periods.normalise(period)
    except ValueError:
        period = next(p for p, _label in choices if not periods.is_quarterly(p))
    filters = selectors.NonFilerFilters(
        sector=request.GET.get("sector", "").strip(),
        size=request.GET.get("size", "").strip(),
        city=request.GET.get("city", "").strip(),
    )
    return period, filters, choices


def _rows(organisation, period, filters):
    return selectors.non_filers(organisation, period, filters)


@login_required
def non_filer_list(request):
    """Employers expected to declare the period that did not (one SQL statement, paged)."""
    _need(request.user)
    organisation = request.user.organisation
    period, filters, choices = _params(request)
    if period not in dict(choices):
        choices = [(period, period_label(period)), *choices]
    page = Paginator(_rows(organisation, period, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.describe_rows(page.object_list, period)
    query = urlencode(
        {
            k: v
            for k, v in (
                ("period", period),
                ("sector", filters.sector),
                ("size", filters.size),
                ("city", filters.city),
            )
            if v
        }
    )
    partial = list(selectors.partial_declarations(organisation, period)[: PARTIAL_SHOWN + 1])
    return render(
        request,
        "collection/non_filer_list.html",
        {
            "page": page,
            "period": period,
            "period_label": period_label(period),
            "periods": choices,
            "filters": filters,
            "choices": selectors.filter_choices(organisation),
            "query": query,
            "partial": _partial_rows(partial[:PARTIAL_SHOWN]),
            "partial_more": len(partial) > PARTIAL_SHOWN,
        },
    )


def _partial_rows(pairs) -> list[dict]:
    """(employer, person) pairs as rows naming both (two queries, whatever the count)."""
    employers = Employer.objects.in_bulk({e for e, _p in pairs})
    persons = Person.objects.in_bulk({p for _e, p in pairs})
    return [
        {"employer": employers[e], "person": persons[p]}
        for e, p in pairs
        if e in employers and p in persons
    ]


HEADERS = (
    "numéro",
    "raison sociale",
    "secteur",
    "ville",
    "téléphone",
    "effectif",
    "périodicité",
    "périodes non déclarées",
)


def _export_rows(organisation, period, filters):
    yield [_(h) for h in HEADERS]
    qs = _rows(organisation, period, filters)
    for e in selectors.describe_rows(qs.iterator(chunk_size=2000), period):
        yield [
            e.number,
            e.legal_name,
            e.sector,
            e.city,
            e.phone,
            e.workforce,
            _("mensuelle") if e.frequency == "monthly" else _("trimestrielle"),
            ", ".join(e.missing),
        ]


@login_required
def non_filer_export(request, fmt: str):
    """The whole filtered list as CSV (semicolons, UTF-8 with BOM for Excel) or .xlsx; every
    text cell neutralised against formula injection (kafo/exports.py)."""
    _need(request.user)
    period, filters, _choices = _params(request)
    name = f"defaillants-{period}"
    rows = _export_rows(request.user.organisation, period, filters)
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        for row in rows:
            writer.writerow(csv_row(row))
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return resp
    from openpyxl import Workbook

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = _("Défaillants")
    for row in rows:
        xlsx_append(ws, row)
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return resp
