"""The one place that knows every entry of the top menu and who may open it.

Each entry names its URL and the check of the page behind it: the same permission function
the view calls, so a link is shown only when the page opens for that user (issue 18). The
entries are declared per app, in menu order; `entries_for(user)` is what base.html renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kafo.accounts import permissions as accounts
from kafo.benefits import permissions as benefits
from kafo.collection import permissions as collection
from kafo.contributions import permissions as contributions
from kafo.governance import access as governance
from kafo.interop import permissions as interop
from kafo.payroll import permissions as payroll
from kafo.voluntary import permissions as voluntary


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: object  # a lazy translation
    allowed: Callable[[object], bool]


def _staff(user) -> bool:
    return user.is_authenticated and not (user.is_insured_user or user.is_employer_user)


def _insured_with_person(user) -> bool:
    return user.is_authenticated and user.is_insured_user and bool(user.person_id)


def _employer_with_company(user) -> bool:
    # the same check as kafo.collection.portal_views.employer_home
    return user.is_authenticated and user.is_employer_user and bool(user.employer_id)


def _can_read_messages(user) -> bool:
    from kafo.messaging.views import READERS

    return user.is_authenticated and (user.has_role(*READERS) or user.is_zone_admin)


def _can_see_pending_registrations(user) -> bool:
    # the same check as kafo.contributions.views.pending_list
    return contributions.can_read(user) and not user.is_employer_user


def _can_view_rules(user) -> bool:
    from kafo.rules.views import can_view_rules

    return can_view_rules(user)


def can_search(user) -> bool:
    """The header search box and the "Recherche" entry: the registry search page's check."""
    return accounts.can(user, "registry.view")


ENTRIES: tuple[NavEntry, ...] = (
    # the insured person's own space (kafo/insured)
    NavEntry("insured-retirement", _("Ma retraite"), _insured_with_person),
    NavEntry("insured-career", _("Ma carrière"), _insured_with_person),
    NavEntry("insured-claims", _("Mes demandes"), _insured_with_person),
    NavEntry("insured-payments", _("Mes paiements"), _insured_with_person),
    NavEntry("insured-voluntary", _("Mon assurance volontaire"), voluntary.shows_own_space),
    # an employer's own space (kafo/collection portal)
    NavEntry("collection-employer-home", _("Mon espace"), _employer_with_company),
    # portal
    NavEntry(
        "dashboard",
        _("Tableau de bord"),
        lambda u: _staff(u) or (u.is_authenticated and u.is_employer_user and not u.employer_id),
    ),
    # registry
    NavEntry("search", _("Recherche"), can_search),
    # contributions
    NavEntry("contributions-declaration-list", _("Déclarations"), contributions.can_read),
    NavEntry(
        "contributions-account-list",
        _("Comptes"),
        lambda u: contributions.can_read_account(u) and not u.is_employer_user,
    ),
    NavEntry(
        "contributions-account-list",
        _("Mon compte"),
        lambda u: contributions.can_read_account(u) and u.is_employer_user,
    ),
    NavEntry(
        "contributions-pending-list",
        _("Immatriculations en attente"),
        _can_see_pending_registrations,
    ),
    # collection
    NavEntry("collection-non-filer-list", _("Défaillants"), collection.can_follow_non_filers),
    # voluntary insurance
    NavEntry("voluntary-member-list", _("Assurance volontaire"), voluntary.can_read),
    # identity (zone index)
    NavEntry("identity-review-list", _("Index de zone"), can_search),
    # exchange (liaison with the other organisations)
    NavEntry("exchange-inbox", _("Échanges"), lambda u: accounts.can(u, "exchange.view")),
    # rules
    NavEntry("rules-version-list", _("Règles"), _can_view_rules),
    # benefits
    NavEntry("benefits-claim-list", _("Prestations"), benefits.can_read_claims),
    # payroll
    NavEntry("payroll-benefit-list", _("Paiement des prestations"), payroll.can_read_payments),
    # messaging
    NavEntry("messaging-message-list", _("Messages"), _can_read_messages),
    # governance
    NavEntry("governance-body-list", _("Gouvernance"), governance.can_read),
    # interop
    NavEntry("interop-partner-list", _("Partenaires"), interop.can_manage_partners),
    NavEntry("interop-death-review", _("Décès signalés"), lambda u: _can_review_deaths(u)),
    NavEntry("interop-notifications", _("Notifications"), lambda u: _can_read_notifications(u)),
)


def _can_review_deaths(user) -> bool:
    # the same check as kafo.interop.crvs.views.death_review_list
    from kafo.interop.crvs.views import can_review_deaths

    return can_review_deaths(user)


def _can_read_notifications(user) -> bool:
    from kafo.interop.crvs.views import can_read_notifications

    return can_read_notifications(user)


def entries_for(user) -> list[dict]:
    """The menu of this user: label and URL of every entry whose page opens for them."""
    if not user.is_authenticated:
        return []
    return [
        {"label": entry.label, "url": reverse(entry.url_name)}
        for entry in ENTRIES
        if entry.allowed(user)
    ]
