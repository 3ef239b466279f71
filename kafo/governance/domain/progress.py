"""Roll-up of progress: action → priority → plan. Plain values in, Decimal percentages out.

Rules (stated here because a board reads the figure):

- An action's progress comes from its status: done = 100, to do = 0 unless a percentage was
  recorded; in progress or late = the recorded percentage (0 when none). Dropped actions are
  left out of every roll-up: they no longer count toward what remains to be done.
- A priority's progress is weighted by budget when every counted action carries a positive
  budget: a 500-million action weighs fifty times a 10-million one, which is what a board means
  by "how much of the priority is done". When any counted action has no budget, the weights
  would be partial and misleading, so the plain mean of the actions is used instead; the
  function says which method it used.
- A plan's progress is the plain mean of its priorities (each priority counts equally: the
  roadmap's axes are political commitments, not budget lines). Priorities with no counted
  action are left out.

Results are rounded to one decimal, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DONE = "done"
DROPPED = "dropped"
TODO = "todo"
HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")

BY_BUDGET = "budget"
BY_MEAN = "mean"
NO_ACTION = "none"


@dataclass(frozen=True)
class Rollup:
    """A roll-up: the percentage (None when nothing counts), the method, how many items."""

    percent: Decimal | None
    method: str
    counted: int


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def action_progress(status: str, percent: int | None) -> Decimal | None:
    """Return an action's progress in percent, or None for a dropped action."""
    if status == DROPPED:
        return None
    if status == DONE:
        return HUNDRED
    if percent is None:
        return Decimal(0)
    if not 0 <= percent <= 100:
        raise ValueError(f"percent out of range: {percent}")
    return Decimal(percent)


def priority_progress(actions: list[tuple[str, int | None, Decimal | None]]) -> Rollup:
    """Roll up (status, percent, budget) of a priority's actions."""
    counted = [
        (progress, budget)
        for status, percent, budget in actions
        if (progress := action_progress(status, percent)) is not None
    ]
    if not counted:
        return Rollup(None, NO_ACTION, 0)
    if all(budget is not None and budget > 0 for _, budget in counted):
        total = sum((budget for _, budget in counted), Decimal(0))
        weighted = sum((progress * budget for progress, budget in counted), Decimal(0))
        return Rollup(_round(weighted / total), BY_BUDGET, len(counted))
    mean = sum((progress for progress, _ in counted), Decimal(0)) / len(counted)
    return Rollup(_round(mean), BY_MEAN, len(counted))


def plan_progress(priorities: list[Decimal | None]) -> Rollup:
    """Roll up the priorities' percentages (None = priority with nothing to count)."""
    counted = [p for p in priorities if p is not None]
    if not counted:
        return Rollup(None, NO_ACTION, 0)
    return Rollup(_round(sum(counted, Decimal(0)) / len(counted)), BY_MEAN, len(counted))
