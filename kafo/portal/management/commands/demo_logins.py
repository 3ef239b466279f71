from django.core.management import BaseCommand

from kafo.accounts.models import User


class Command(BaseCommand):
    help = "List the demo logins (username, organisation, roles)."

    def handle(self, *args, **options):
        users = User.objects.select_related("organisation").prefetch_related("roles")
        self.stdout.write(f"{'identifiant':<28} {'organisme':<10} rôles")
        for user in users.order_by("organisation__code", "username"):
            roles = ", ".join(sorted(r.code for r in user.roles.all()))
            org = user.organisation.code if user.organisation else "zone"
            self.stdout.write(f"{user.username:<28} {org:<10} {roles}")
        self.stdout.write(
            "Mot de passe de démonstration : kafo-demo-2026 (sauf --password au seed)"
        )
