"""The zone administrator edits the coverage denominators here (dated, sourced, flagged when an
assumption); indicators and their snapshots are shown read-only (they come from the reference
file and from `kafo stats compute`)."""

from django.contrib import admin

from .models import Denominator, Indicator, IndicatorValue


@admin.register(Denominator)
class DenominatorAdmin(admin.ModelAdmin):
    list_display = ("country", "kind", "year", "value", "source", "assumption", "updated_at")
    list_filter = ("country", "kind", "assumption")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "unit", "formula_version")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "organisation", "period", "breakdown", "breakdown_value", "value")
    list_filter = ("indicator", "period")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
