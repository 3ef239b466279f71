"""The zone administrator records each organisation's go-live in Kafo (the date its declarations
are followed from) here: added as a new version through `rule_versions.follow_up_set` (audited),
never edited or deleted (history of the setting kept)."""

from django.contrib import admin

from .models import CollectionFollowUp
from .rule_versions import follow_up_set


@admin.register(CollectionFollowUp)
class CollectionFollowUpAdmin(admin.ModelAdmin):
    list_display = ("organisation", "followed_since", "effective_from", "source", "assumption")
    list_filter = ("organisation", "assumption")
    fields = ("organisation", "followed_since", "effective_from", "source", "assumption", "note")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form has checked the fields and the one-version-a-day constraint already.
        row = follow_up_set(
            organisation=obj.organisation,
            followed_since=obj.followed_since,
            effective_from=obj.effective_from,
            source=obj.source,
            assumption=obj.assumption,
            note=obj.note,
        )
        obj.pk = row.pk
        obj._state.adding = False
