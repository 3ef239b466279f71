

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('benefits', '0002_claims'),
        ('identity', '0004_review_queue'),
        ('organisations', '0001_initial'),
        ('registry', '0002_personnamekey_registry_pe_key_4cfacb_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LiaisonMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('periods_request', "demande de périodes d'assurance"), ('claim_forward', 'transmission de la demande de pension'), ('decision', 'décision'), ('death_notice', 'avis de décès')], default='periods_request', max_length=20, verbose_name='type')),
                ('direction', models.CharField(choices=[('outgoing', 'envoyé'), ('incoming', 'reçu')], max_length=10)),
                ('reference', models.CharField(db_index=True, max_length=40, verbose_name='référence')),
                ('purpose', models.CharField(choices=[('old_age', 'pension de vieillesse'), ('survivors', 'pension de survivants'), ('invalidity', "pension d'invalidité"), ('work_injury', 'accident du travail'), ('other', 'autre')], max_length=20, verbose_name='objet')),
                ('note', models.TextField(blank=True, verbose_name='précisions')),
                ('with_salaries', models.BooleanField(default=False, verbose_name='salaires demandés')),
                ('status', models.CharField(choices=[('pending', 'en attente'), ('approved', 'approuvée'), ('refused', 'refusée'), ('done', 'traité')], default='pending', max_length=10)),
                ('deadline', models.DateField(blank=True, null=True, verbose_name='échéance')),
                ('created_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('refusal_reason', models.TextField(blank=True, verbose_name='motif du refus')),
                ('periods', models.JSONField(blank=True, default=dict)),
                ('payload', models.JSONField(blank=True, default=dict)),
                ('claim', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benefits.claim')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='liaison_messages', to='registry.person')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('sender', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation')),
                ('twin', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='exchange.liaisonmessage')),
                ('zone_person', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='identity.zoneperson')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['organisation', 'direction', 'status', 'deadline'], name='exchange_li_organis_9b9dc1_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'periods_request'), ('status', 'pending')), fields=('organisation', 'direction', 'person', 'sender', 'recipient'), name='uniq_pending_periods_request')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
    ]
