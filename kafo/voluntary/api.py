"""JSON API of voluntary insurance: none yet (the pages serve clerks and members)."""

from ninja import Router

router = Router(tags=["voluntary"])
