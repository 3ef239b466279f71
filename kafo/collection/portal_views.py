"""The employer's own page (issue 16, §4): what is due and when, the periods not yet declared,
the account balance, how to pay, the notices received, and the way to declare.

Only an employer's portal user opens it, for its own employer (request.user.employer: no id in
the URL, nothing of another employer to ask for). Every link on it leads to a page that role
may open (contributions.permissions). Reads only: the account (contributions.selectors), the
expected periods (collection.selectors), the notices (collection.selectors_notices).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from kafo.contributions import selectors as contributions
from kafo.contributions.permissions import can_read_account, can_request_certificate, can_submit
from kafo.registry.models import Employer

from . import selectors
from .domain.expected import missing_periods
from .selectors_notices import notices_for

PAYMENT_DETAILS_FILE = Path(__file__).parent / "reference" / "payment_details.yaml"
UPCOMING_SHOWN = 6


def _today() -> dt.date:
    return timezone.localdate()


@cache
def _payment_reference() -> dict:
    return yaml.safe_load(PAYMENT_DETAILS_FILE.read_text(encoding="utf-8"))


def payment_details(organisation) -> dict:
    """How to pay `organisation` (bank account, mobile-money merchant codes), from
    reference/payment_details.yaml; `demo` is true while they are demonstration values."""
    data = _payment_reference()
    entry = data["organisations"].get(organisation.code) or data["default"]
    bank = dict(entry["bank"])
    bank["holder"] = bank["holder"].format(name=organisation.name)
    return {
        "demo": bool(entry.get("demo")),
        "bank": bank,
        "mobile_money": list(entry.get("mobile_money", [])),
    }


def employer_overview(employer: Employer, *, today: dt.date) -> dict:
    """What the employer's page shows, as of `today`."""
    state = contributions.account_state(employer=employer, as_of=today)
    overdue = state.missing_declarations  # collection.selectors.missing_declarations
    overdue_periods = {p.period for p in overdue}
    expected = selectors.expected_for(employer, as_of=today)
    to_declare = [
        p
        for p in missing_periods(expected, selectors.declared_periods(employer))
        if p.period not in overdue_periods
    ][:UPCOMING_SHOWN]
    unpaid = [d for d in state.debts if d["unpaid"] > 0]
    return {
        "state": state,
        "missing": overdue,
        "to_declare": to_declare,
        "unpaid": unpaid,
        "amount_due": sum((d["unpaid"] for d in unpaid), start=state.balance * 0),
        "next_due": min((d["due_date"] for d in unpaid if not d["overdue"]), default=None),
    }


@login_required
def employer_home(request):
    """The employer portal user's home: its own account, declarations and notices."""
    user = request.user
    if not (user.is_employer_user and user.employer_id):
        raise PermissionDenied
    employer = Employer.objects.select_related("organisation").get(pk=user.employer_id)
    today = _today()
    context = employer_overview(employer, today=today) | {
        "employer": employer,
        "today": today,
        "pay": payment_details(employer.organisation),
        "notices": notices_for(employer, limit=20),
        "can_declare": can_submit(user),
        "can_read_account": can_read_account(user),
        "can_certify": can_request_certificate(user),
    }
    return render(request, "collection/portal_home.html", context)
