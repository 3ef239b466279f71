"""Staff page putting an approved claim in payment: the channel of each payee
(kafo/payroll/views_in_payment.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kafo.organisations.tenancy import get_for_scope

from . import services
from .models import BenefitKind, Channel
from .views_base import _flash, _need

CHANNEL_INPUTS = ("channel", "rib", "account_holder", "bic", "msisdn", "operator",
                  "paying_agency", "guardian_name")  # fmt: skip


def _payees(claim) -> list[dict]:
    """Who the claim pays: the pensioner, or each qualifying survivor of the approved
    liquidation (key: the form prefix and the `channels` key of the service)."""
    from kafo.benefits.models import ClaimKind, Liquidation

    liquidation = (
        Liquidation.objects.filter(claim=claim, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if liquidation is None or liquidation.monthly_amount is None:
        return []
    if claim.kind != ClaimKind.SURVIVORS:
        person = claim.person
        return [
            {
                "key": "pensioner",
                "name": f"{person.family_name.upper()} {person.given_names}",
                "amount": liquidation.monthly_amount,
                "orphan": False,
            }
        ]
    return [
        {
            "key": str(b.pk),
            "name": b.name,
            "amount": b.monthly_amount,
            "orphan": b.relationship != "spouse",
            "relationship": str(
                BenefitKind.SURVIVOR.label
                if b.relationship == "spouse"
                else BenefitKind.ORPHAN.label
            ),
        }
        for b in liquidation.beneficiaries.filter(qualifies=True, monthly_amount__gt=0).order_by(
            "relationship", "id"
        )
    ]


@login_required
def claim_payment(request, pk):
    """The channel of each payee of an approved claim, checked (RIB keys → IBAN shown, E.164
    number, paying agency), then the claim and its benefits put in payment in one transaction."""
    from kafo.benefits.models import Claim, ClaimStatus
    from kafo.benefits.permissions import can_start_payment

    _need(can_start_payment(request.user))
    claim = get_for_scope(Claim, pk=pk, queryset=Claim.objects.select_related("person"))
    payees = _payees(claim)
    errors: dict[str, dict[str, list[str]]] = {}
    checked: dict[str, dict] = {}
    values: dict[str, dict] = {p["key"]: {"channel": ""} for p in payees}
    if request.method == "POST" and claim.status == ClaimStatus.APPROVED:
        for p in payees:
            data = {f: request.POST.get(f"{p['key']}-{f}", "").strip() for f in CHANNEL_INPUTS}
            values[p["key"]] = data
            try:
                checked[p["key"]] = services.channel_details(
                    organisation=claim.organisation, data=data
                )
            except ValidationError as exc:
                errors[p["key"]] = exc.message_dict
        if not errors and request.POST.get("action") == "confirm":
            try:
                created = services.claim_put_in_payment(claim=claim, user=request.user,
                                                        channels=values)  # fmt: skip
            except ValidationError as exc:
                _flash(request, exc)
            else:
                messages.success(
                    request,
                    _("Demande mise en paiement : %(n)d prestation(s) en paiement.")
                    % {"n": len(created)},
                )
                if len(created) == 1:
                    return redirect("payroll-benefit-detail", pk=created[0].pk)
                return redirect(f"{reverse('payroll-benefit-list')}")
    operators = services.operators_of_country(claim.organisation.country_id)
    for p in payees:
        p["values"] = values[p["key"]]
        p["errors"] = errors.get(p["key"], {})
        p["checked"] = checked.get(p["key"])
        if p["checked"]:
            p["checked_channel"] = Channel(p["checked"]["channel"]).label
            p["checked_operator"] = operators.get(p["checked"]["operator"], "")
    return render(
        request,
        "payroll/claim_payment.html",
        {
            "claim": claim,
            "payees": payees,
            "approved": claim.status == ClaimStatus.APPROVED,
            "channels": Channel.choices,
            "operators": operators,
            "all_checked": bool(payees) and len(checked) == len(payees),
        },
        status=400 if errors else 200,
    )
