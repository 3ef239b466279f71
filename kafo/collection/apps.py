from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    """Collection follow-up: expected declarations, non-filers, notices, assessments."""

    name = "kafo.collection"
    label = "collection"
    verbose_name = _("Recouvrement")
