from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoluntaryConfig(AppConfig):
    """Voluntary insurance: self-employed, informal workers and the diaspora join and pay."""

    name = "kafo.voluntary"
    label = "voluntary"
    verbose_name = _("Assurance volontaire")

    def ready(self):
        from kafo.collection.selectors import NOT_EXPECTED

        from .models import Membership

        def member_accounts(organisation_id: int):
            """A member's account declares a period when it is paid: never a non-filer."""
            return Membership.unscoped.filter(organisation_id=organisation_id).values("account_id")

        if member_accounts.__qualname__ not in {f.__qualname__ for f in NOT_EXPECTED}:
            NOT_EXPECTED.append(member_accounts)
