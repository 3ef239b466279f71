"""The yearly proof-of-life campaign: certificates recorded, the list of payees without one
once the grace period has ended, one action suspending them all, resumption on a late
certificate (the next run pays the suspended periods as arrears: the right ran on).

Window and grace per organisation: reference/payment_calendar.yaml (payment_calendar.py).
A benefit is asked for a certificate when it is a pension kind (not a family allowance: its
documents are the allowances' own) and was in payment before the window opened (a benefit put
in payment during the campaign has just proved its payee alive)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .models import (
    BenefitInPayment,
    CertificateSource,
    LifeCertificate,
    LifeCertificateCampaign,
    Reason,
    Status,
    StatusChange,
)
from .payment_calendar import campaign_dates
from .services import PENSION_KINDS, _now, _today, benefit_resume


def campaign_get(*, organisation, year: int) -> LifeCertificateCampaign:
    """The campaign of `year` (created from the reference data the first time it is asked)."""
    org_id = organisation.pk
    campaign = LifeCertificateCampaign.objects.filter(organisation_id=org_id, year=year).first()
    if campaign is not None:
        return campaign
    dates = campaign_dates(organisation.code, year)
    campaign, created = LifeCertificateCampaign.objects.get_or_create(
        organisation_id=org_id,
        year=year,
        defaults={
            "window_start": dates.window_start,
            "window_end": dates.window_end,
            "grace_end": dates.grace_end,
        },
    )
    if created:
        audit.record_created(campaign)
    return campaign


def campaign_current(*, organisation, on: dt.date | None = None) -> LifeCertificateCampaign:
    """The campaign a certificate received on `on` counts for: this year's once its window has
    opened, else last year's."""
    on = on or _today()
    dates = campaign_dates(organisation.code, on.year)
    year = on.year if on >= dates.window_start else on.year - 1
    return campaign_get(organisation=organisation, year=year)


def concerned(campaign: LifeCertificateCampaign):
    """Benefits asked for a certificate in this campaign (in payment or suspended, pension
    kinds, in payment before the window opened)."""
    return BenefitInPayment.objects.filter(
        organisation_id=campaign.organisation_id,
        kind__in=PENSION_KINDS,
        start_date__lt=campaign.window_start,
    ).exclude(status=Status.STOPPED)


def without_certificate(campaign: LifeCertificateCampaign):
    """Concerned benefits in payment with no certificate for the campaign: who the suspension
    action would suspend (the preview shows exactly this queryset)."""
    has = LifeCertificate.objects.filter(campaign=campaign, benefit=OuterRef("pk"))
    return (
        concerned(campaign)
        .filter(status=Status.IN_PAYMENT)
        .annotate(has_certificate=Exists(has))
        .filter(has_certificate=False)
        .order_by("payee_name", "pk")
    )


@transaction.atomic
def certificate_record(
    *,
    benefit: BenefitInPayment,
    issued_on: dt.date,
    received_on: dt.date,
    source: str,
    issuer: str,
    user,
    reference: str = "",
    campaign: LifeCertificateCampaign | None = None,
) -> LifeCertificate:
    """Record a proof of life; a benefit suspended for a missing certificate resumes from the
    day it was received (its suspended periods are paid as arrears by the next run)."""
    errors = {}
    issuer = (issuer or "").strip()
    if source not in CertificateSource.values:
        errors["source"] = _("Provenance inconnue : agent, ambassade ou autre organisme.")
    if not issuer:
        errors["issuer"] = _("Indiquer qui a établi le certificat (mairie, ambassade, organisme).")
    if issued_on and received_on and issued_on > received_on:
        errors["issued_on"] = _("Le certificat ne peut être établi après sa réception.")
    if received_on and received_on > _today():
        errors["received_on"] = _("La date de réception ne peut être dans le futur.")
    if benefit.status == Status.STOPPED:
        errors["benefit"] = _("Prestation arrêtée : pas de certificat de vie à enregistrer.")
    if errors:
        raise ValidationError(errors)
    campaign = campaign or campaign_current(organisation=benefit.organisation, on=received_on)
    if issued_on < campaign.window_start - dt.timedelta(days=92):
        raise ValidationError(
            {
                "issued_on": _("Certificat établi le %(d)s : trop ancien pour la campagne %(y)s.")
                % {"d": issued_on.strftime("%d/%m/%Y"), "y": campaign.year}
            }  # fmt: skip
        )
    if LifeCertificate.objects.filter(campaign=campaign, benefit=benefit).exists():
        raise ValidationError(
            {
                "benefit": _("Un certificat de vie est déjà enregistré pour la campagne %(y)s.")
                % {"y": campaign.year}
            }  # fmt: skip
        )
    cert = LifeCertificate.objects.create(
        organisation_id=benefit.organisation_id,
        campaign=campaign,
        benefit=benefit,
        issued_on=issued_on,
        received_on=received_on,
        source=source,
        issuer=issuer[:200],
        reference=(reference or "").strip()[:120],
        recorded_by=user,
        recorded_at=_now(),
    )
    audit.record_created(cert, subject=benefit)
    if benefit.status == Status.SUSPENDED and benefit.status_reason == Reason.NO_LIFE_CERTIFICATE:
        benefit_resume(
            benefit=benefit,
            user=user,
            on=max(received_on, benefit.status_since),
            reason=Reason.LIFE_CERTIFICATE_RECEIVED,
        )
    return cert


@transaction.atomic
def campaign_suspend_missing(
    *, campaign: LifeCertificateCampaign, user, on: dt.date | None = None
) -> int:
    """Suspend, set-based, every benefit listed by `without_certificate` once the grace period
    has ended; one StatusChange (and audit event) per benefit. Return how many were suspended;
    running it again suspends only those still without a certificate and in payment."""
    on = on or _today()
    campaign = LifeCertificateCampaign.objects.select_for_update().get(pk=campaign.pk)
    if on <= campaign.grace_end:
        raise ValidationError(
            {
                "campaign": _("Le délai de grâce court jusqu'au %(d)s : suspension possible après.")
                % {"d": campaign.grace_end.strftime("%d/%m/%Y")}
            }  # fmt: skip
        )
    ids = list(without_certificate(campaign).values_list("pk", flat=True))
    if ids:
        BenefitInPayment.objects.filter(pk__in=ids, status=Status.IN_PAYMENT).update(
            status=Status.SUSPENDED, status_reason=Reason.NO_LIFE_CERTIFICATE, status_since=on
        )
        now = _now()
        note = _("Campagne %(y)s : aucun certificat de vie au %(d)s") % {
            "y": campaign.year,
            "d": campaign.grace_end.strftime("%d/%m/%Y"),
        }
        changes = [
            StatusChange(
                organisation_id=campaign.organisation_id,
                benefit_id=pk,
                on=on,
                status=Status.SUSPENDED,
                reason=Reason.NO_LIFE_CERTIFICATE,
                note=note,
                by=user,
                recorded_at=now,
            )
            for pk in ids
        ]
        StatusChange.objects.bulk_create(changes, batch_size=2000)
        audit.record_created_many(
            changes, subject_type="benefitinpayment", subject_field="benefit_id"
        )
    before = audit.snapshot(campaign)
    campaign.suspended_by = user
    campaign.suspended_at = _now()
    campaign.suspended_count += len(ids)
    campaign.save()
    audit.record_updated(campaign, before)
    return len(ids)
