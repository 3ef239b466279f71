"""Benefits in payment for tests and benches, built quickly (without the claim pipeline).

`make_benefit` builds one benefit with its first amount version and start status change;
`bulk_benefits` inserts many set-based (bulk_create), for the payroll run's tests and bench.
`approved_claim` builds an approved claim with a frozen liquidation (and its survivors) directly,
to test putting a claim in payment without computing it. Values are deterministic.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kafo.payroll.models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    Channel,
    Reason,
    Status,
    StatusChange,
)

# A UEMOA RIB and its IBAN (payments-indicators.md §1.3 examples: keys verified).
RIB_SN = "SN0100152000048500003035"
IBAN_SN = "SN08SN0100152000048500003035"
RIB_ML = "ML0160120102600100668497"
IBAN_ML = "ML13ML0160120102600100668497"

_NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def channel_fields(channel: str = Channel.BANK, n: int = 0) -> dict:
    if channel == Channel.BANK:
        return {
            "channel": Channel.BANK,
            "rib": RIB_SN,
            "iban": IBAN_SN,
            "account_holder": f"BENEFICIAIRE {n}",
        }
    if channel == Channel.MOBILE_MONEY:
        return {"channel": Channel.MOBILE_MONEY, "msisdn": f"+22177{n % 10_000_000:07d}",
                "operator": "Orange Money"}  # fmt: skip
    return {"channel": Channel.CASH, "paying_agency": "Agence de Dakar-Plateau"}


def make_benefit(
    organisation,
    *,
    amount: Decimal | int = 100_000,
    start: dt.date = dt.date(2025, 1, 1),
    kind: str = BenefitKind.PENSION,
    channel: str = Channel.BANK,
    status: str = Status.IN_PAYMENT,
    status_since: dt.date | None = None,
    status_reason: str | None = None,
    end_date: dt.date | None = None,
    person=None,
    payee_name: str = "DIOP Awa",
    frequency: str = "monthly",
    timing: str = "arrears",
    **fields,
) -> BenefitInPayment:
    """One benefit in payment (and its amount version from `start`, its start status change;
    a suspended/stopped `status` adds that change on `status_since`)."""
    benefit = BenefitInPayment.objects.create(
        organisation=organisation,
        person=person,
        payee_name=payee_name,
        kind=kind,
        frequency=frequency,
        timing=timing,
        start_date=start,
        end_date=end_date,
        status=status,
        status_since=status_since or start,
        status_reason=status_reason or Reason.START,
        created_at=_NOW,
        **{**channel_fields(channel), **fields},
    )
    AmountVersion.objects.create(
        organisation=organisation,
        benefit=benefit,
        effective_from=start,
        monthly_amount=Decimal(amount),
        reason=AmountVersion.Cause.INITIAL,
        created_at=_NOW,
    )
    StatusChange.objects.create(
        organisation=organisation,
        benefit=benefit,
        on=start,
        status=Status.IN_PAYMENT,
        reason=Reason.START,
        recorded_at=_NOW,
    )
    if status != Status.IN_PAYMENT:
        StatusChange.objects.create(
            organisation=organisation,
            benefit=benefit,
            on=status_since or start,
            status=status,
            reason=status_reason or Reason.OTHER_SUSPENSION,
            recorded_at=_NOW,
        )
    return benefit


def bulk_benefits(
    organisation,
    n: int,
    *,
    start: dt.date = dt.date(2025, 1, 1),
    amount_of=lambda i: Decimal(50_000 + (i % 200) * 1_000),
    kind_of=lambda i: BenefitKind.PENSION,
    channel_of=lambda i: (Channel.BANK, Channel.MOBILE_MONEY, Channel.CASH)[i % 3],
    batch: int = 5000,
) -> list[int]:
    """Insert `n` benefits in payment (with one amount version each) set-based; return their
    ids. Amount, kind and channel of the i-th are given by the functions."""
    ids: list[int] = []
    for lo in range(0, n, batch):
        rows = [
            BenefitInPayment(
                organisation=organisation,
                payee_name=f"BENEFICIAIRE {i:07d}",
                kind=kind_of(i),
                start_date=start,
                status=Status.IN_PAYMENT,
                status_since=start,
                status_reason=Reason.START,
                created_at=_NOW,
                **channel_fields(channel_of(i), i),
            )
            for i in range(lo, min(n, lo + batch))
        ]
        BenefitInPayment.objects.bulk_create(rows)
        if rows[0].pk is None:  # a backend that does not return ids
            rows = list(BenefitInPayment.objects.order_by("-pk")[: len(rows)])[::-1]
        AmountVersion.objects.bulk_create(
            AmountVersion(
                organisation=organisation,
                benefit_id=b.pk,
                effective_from=start,
                monthly_amount=amount_of(lo + k),
                reason=AmountVersion.Cause.INITIAL,
                created_at=_NOW,
            )
            for k, b in enumerate(rows)
        )
        ids.extend(b.pk for b in rows)
    return ids


def approved_claim(organisation, person, *, kind="pension", monthly_amount=120_000,
                   start=dt.date(2025, 3, 1), death_date=None, survivors=()):  # fmt: skip
    """An approved claim with its frozen liquidation; `survivors`: (dependant, relationship,
    monthly share) triples become the liquidation's qualifying Beneficiary rows."""
    from kafo.benefits.models import Beneficiary, BenefitRuleVersion, Claim, Liquidation
    from kafo.benefits.services import benefits_seed
    from kafo.rules.services import rules_seed

    if not BenefitRuleVersion.objects.filter(organisation=organisation).exists():
        rules_seed()
        benefits_seed()
    rule = BenefitRuleVersion.objects.filter(organisation=organisation).order_by("-effective_from")[
        0
    ]
    now = timezone.now()
    claim = Claim.objects.create(
        organisation=organisation,
        person=person,
        kind=kind,
        claim_date=start,
        death_date=death_date,
        status="approved",
        opened_at=now,
        decided_at=now,
    )
    liquidation = Liquidation.objects.create(
        organisation=organisation,
        claim=claim,
        number=1,
        computed_at=now,
        on=start,
        rule_version=rule,
        inputs={},
        trace={},
        eligible=True,
        benefit=kind if kind != "survivors" else "survivors",
        monthly_amount=Decimal(monthly_amount),
        insured_months=240,
        start_date=start,
        approved_at=now,
    )
    for dep, rel, share in survivors:
        Beneficiary.objects.create(
            organisation=organisation,
            liquidation=liquidation,
            dependant=dep,
            name=f"{dep.family_name.upper()} {dep.given_names}",
            relationship=rel,
            qualifies=True,
            monthly_amount=Decimal(share),
        )
    return claim
