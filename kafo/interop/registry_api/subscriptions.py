"""Whether an event about a person concerns a subscription (used by the outbox)."""

from __future__ import annotations

from kafo.interop.models import Subscription, SubscriptionStatus
from kafo.organisations.tenancy import zone_scope

from . import queries
from .records import allowed_attributes, partner_persons


def subscription_matches(subscription: Subscription, person) -> bool:
    """Whether `person` is within the subscription's filter and its partner's agreement.

    An inactive partner, a cancelled subscription or a filter that no longer holds under the
    agreement (attributes withdrawn since) matches nothing.
    """
    partner = subscription.partner
    if not partner.active or subscription.status != SubscriptionStatus.SUBSCRIBED:
        return False
    try:
        where = queries.build(
            subscription.filter_type or "expression",
            subscription.filter,
            allowed_attributes(partner),
        )
    except queries.QueryRefused:
        return False
    with zone_scope():
        return partner_persons(partner).filter(pk=person.pk).filter(where).exists()
