"""Signals the benefits app sends; other apps (higher in config/domains.py) receive them.

`claim_decided` (sender=Claim, claim=...): a claim coordinated with other organisations was
approved or rejected (kafo.exchange sends the decision back to the other organisations). Sent
inside the decision's transaction by `coordination.claim_decided_send`.
"""

from django.dispatch import Signal

claim_decided = Signal()
