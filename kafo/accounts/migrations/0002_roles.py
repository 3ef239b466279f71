from django.db import migrations

ROLES = [
    "registration_agent",
    "contributions_manager",
    "benefits_officer",
    "approver",
    "payment_officer",
    "director",
    "zone_admin",
    "employer",
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code in ROLES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
