from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _

from . import services
from .models import ApiToken, Role, User


@admin.register(User)
class KafoUserAdmin(UserAdmin):
    list_display = ("username", "organisation", "is_active", "is_staff")
    list_filter = ("organisation", "roles", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Kafo", {"fields": ("organisation", "employer", "person", "roles")}),
    )
    filter_horizontal = ("roles", "groups", "user_permissions")
    raw_id_fields = ("employer", "person")


admin.site.register(Role)


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "expires_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].required = False
        self.fields["expires_at"].help_text = _("Vide : dans %(days)d jours.") % {
            "days": settings.KAFO_API_TOKEN_DAYS
        }


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue a token (its value shown once, in a message), revoke it; never edit its secret."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    raw_id_fields = ("user",)
    actions = ("revoke",)
    fields = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("user", "name", "expires_at") if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = services.token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = token.pk  # the admin's redirect and "added" message name the issued token
        obj.__dict__.update({f.attname: getattr(token, f.attname) for f in token._meta.fields})
        messages.warning(
            request,
            _("Jeton « %(name)s » : %(raw)s — copiez-le maintenant, il ne sera plus affiché.")
            % {"name": token.name, "raw": raw},
        )

    @admin.action(description=_("Révoquer les jetons sélectionnés"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.token_revoke(token=token)
        messages.success(request, _("%(n)d jeton(s) révoqué(s).") % {"n": queryset.count()})
