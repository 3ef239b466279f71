"""Who may open the list a dashboard figure counts: the same checks the list views make."""

from __future__ import annotations

from django.http import Http404
from django.urls import resolve


def _permission_checks():
    """{URL name: predicate(user)}: the same checks the list views make before answering."""
    from kafo.accounts.permissions import can
    from kafo.benefits import permissions as benefits
    from kafo.collection.permissions import can_follow_non_filers
    from kafo.contributions import permissions as contributions
    from kafo.payroll import permissions as payroll

    def staff(check):
        return lambda user: check(user) and not user.is_employer_user

    return {
        "contributions-declaration-list": staff(contributions.can_read),
        "contributions-pending-list": staff(contributions.can_read),
        "contributions-account-list": staff(contributions.can_read_account),
        "collection-non-filer-list": can_follow_non_filers,
        "benefits-claim-list": benefits.can_read_claims,
        "payroll-benefit-list": payroll.can_read_payments,
        "payroll-run-list": payroll.can_read_payments,
        "payroll-life-campaign": lambda u: payroll.can_read_payments(u) and u.organisation_id,
        "identity-review-list": lambda u: can(u, "registry.view"),
        "exchange-inbox": lambda u: can(u, "exchange.view"),
        "contributions-account-detail": staff(contributions.can_read_account),
    }


def may_open(user, url: str | None) -> bool:
    """True when `user` may open the page at `url` (a list a figure counts). Unknown pages: no."""
    if not url:
        return False
    try:
        match = resolve(url.split("?", 1)[0])
    except Http404:
        return False
    check = _permission_checks().get(match.url_name)
    return bool(check and check(user))


def link_for(user, url):
    """`url` when `user` may open it, else None (a figure is then shown without a link)."""
    return url if may_open(user, url) else None
