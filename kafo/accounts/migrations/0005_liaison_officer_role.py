

from django.db import migrations, models


def create_liaison_officer_role(apps, schema_editor):
    """The liaison officer's role (issue 15), seeded like the others (0002_roles)."""
    apps.get_model("accounts", "Role").objects.get_or_create(code="liaison_officer")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_person_insured_role'),
    ]

    operations = [
        migrations.AlterField(
            model_name='role',
            name='code',
            field=models.CharField(choices=[('registration_agent', "Agent d'immatriculation"), ('contributions_manager', 'Gestionnaire des cotisations'), ('benefits_officer', 'Liquidateur des prestations'), ('approver', 'Approbateur'), ('payment_officer', 'Agent de paiement'), ('director', 'Directeur'), ('liaison_officer', 'Chargé de liaison'), ('zone_admin', 'Administrateur de zone'), ('employer', 'Employeur (portail)'), ('insured', 'Assuré (espace personnel)')], max_length=40, primary_key=True, serialize=False),
        ),
        migrations.RunPython(create_liaison_officer_role, migrations.RunPython.noop),
    ]
