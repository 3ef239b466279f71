from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Role, User


@admin.register(User)
class KafoUserAdmin(UserAdmin):
    list_display = ("username", "organisation", "is_active", "is_staff")
    list_filter = ("organisation", "roles", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Kafo", {"fields": ("organisation", "employer", "roles")}))
    filter_horizontal = ("roles", "groups", "user_permissions")
    raw_id_fields = ("employer",)


admin.site.register(Role)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at")
    readonly_fields = ("digest",)
