from django.contrib import admin

from .models import Country, Organisation


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "currency", "minimum_wage", "national_id_name")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country")
    list_filter = ("country",)
