"""Small deterministic drawing helpers of the demo generator (weighted draws, dates, splits)
and plausible national identifiers. No Django."""

from __future__ import annotations

import datetime as dt
import random
import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate


class _Weighted:
    """Draw from a fixed list with fixed weights (cumulative weights computed once)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


# Birth dates of older people are often known by the year only ("born about 1961").
_PRECISION_BEFORE_1970 = _Weighted(("year", "month", "day"), (45, 8, 47))
_PRECISION_BEFORE_1986 = _Weighted(("year", "month", "day"), (15, 5, 80))
_PRECISION_RECENT = _Weighted(("year", "month", "day"), (3, 2, 95))
_CHILDREN_WANTED = _Weighted(range(9), (8, 10, 14, 16, 16, 13, 10, 8, 5))


def _zipf(items: Sequence[str], exponent: float = 0.8) -> _Weighted:
    """Common names first: the first of a list is drawn most often (homonyms are real)."""
    return _Weighted(items, [1 / (rank + 1) ** exponent for rank in range(len(items))])


def _years(date: dt.date, years: float) -> dt.date:
    return date + dt.timedelta(days=round(years * 365.25))


def _add_years_exact(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _split(total: int, weights: dict[str, float], at_least: int = 0) -> dict[str, int]:
    """Split a total over organisations by weight (largest remainder, deterministic)."""
    if at_least and total >= at_least * len(weights):
        rest = _split(total - at_least * len(weights), weights)
        return {k: n + at_least for k, n in rest.items()}
    norm = sum(weights.values())
    raw = {k: total * w / norm for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:rest]:
        out[k] += 1
    return out


# --- national identifiers -------------------------------------------------------------------

_TOKEN = re.compile(r"\\d|\[[^\]]+\]|\\.|[^\\\[\]{}^$]")


def id_from_pattern(pattern: str, rng: random.Random) -> str | None:
    """Return a random value matching a simple pattern (digits, classes, {n} / {n,m}), or None."""
    body = pattern.removeprefix("^").removesuffix("$")
    out = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m:
            return None
        piece = m.group(0)
        pos = m.end()
        count = 1
        q = re.match(r"\{(\d+)(?:,(\d+))?\}", body[pos:])
        if q:
            low, high = int(q.group(1)), int(q.group(2) or q.group(1))
            count = rng.randint(low, high)
            pos += q.end()
        for _ in range(count):
            if piece == r"\d":
                out.append(str(rng.randrange(10)))
            elif piece.startswith("["):
                chars = []
                inner = piece[1:-1]
                if inner.startswith("^"):
                    return None
                i = 0
                while i < len(inner):
                    if i + 2 < len(inner) and inner[i + 1] == "-":
                        chars.extend(chr(c) for c in range(ord(inner[i]), ord(inner[i + 2]) + 1))
                        i += 3
                    else:
                        chars.append(inner[i])
                        i += 1
                out.append(rng.choice(chars))
            elif piece.startswith("\\"):
                out.append(piece[1])
            elif piece in "()|*+?.":
                return None
            else:
                out.append(piece)
    value = "".join(out)
    return value if re.fullmatch(pattern, value) else None


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def national_id(country: str, pattern: str, sex: str, birth: dt.date, rng: random.Random) -> str:
    """Return a plausible national identifier for the country, matching its pattern if any."""
    if country == "ML":  # NINA: 14 digits and a letter
        value = f"{birth:%y}{_digits(rng, 12)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
    elif country == "SN":  # ECOWAS card: sex digit then 12 digits
        value = ("1" if sex == "M" else "2") + f"{birth:%y}" + _digits(rng, 10)
    elif country == "CI":
        value = _digits(rng, 11)
    elif country == "BF":  # no published format: CNIB-like letter and digits
        value = "B" + _digits(rng, 8)
    elif country == "NE":
        value = f"{birth:%Y}{_digits(rng, 6)}"
    else:
        value = _digits(rng, 10)
    if pattern and not re.fullmatch(pattern, value):
        value = id_from_pattern(pattern, rng) or ""
    return value
