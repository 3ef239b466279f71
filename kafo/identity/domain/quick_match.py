"""Score a record being registered against candidates already in the index. No Django here.

The trained model (kafo.identity.linkage) links the whole zone in batch; at the counter an
agent needs an answer while typing, so this scorer compares one record with a few dozen
candidates in plain Python. Its weights (log2 odds) are set by hand to mirror the trained
model's order of magnitude and are an assumption: it only raises a hint ("may already be
known at CNPS-CI"), it never links anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from kafo.registry.domain import names

PRIOR = -6.0
HINT_WEIGHT = 0.0  # probability 0.5


@dataclass(frozen=True)
class Record:
    family_name: str
    given_names: str
    sex: str
    birth_date: dt.date | None
    birth_precision: str = "day"
    birth_place: str = ""
    mother_name: str = ""
    national_id: str = ""


@dataclass
class Score:
    weight: float
    agreements: list[str] = field(default_factory=list)

    @property
    def probability(self) -> float:
        return 1 / (1 + 2.0 ** (-self.weight))


def score(new: Record, known: Record) -> Score:
    """Return the match weight of two records and, field by field, how they agree."""
    parts = [
        _names(new, known),
        _birth(new, known),
        _sex(new, known),
        _national_id(new, known),
        _place(new, known),
        _mother(new, known),
    ]
    weight = PRIOR + sum(w for w, _ in parts)
    return Score(weight=round(weight, 2), agreements=[label for _, label in parts if label])


def _keys(text: str) -> list[str]:
    return names.name_keys(text)


def _names(a: Record, b: Record) -> tuple[float, str]:
    af, ag = _keys(a.family_name), _keys(a.given_names)
    bf, bg = _keys(b.family_name), _keys(b.given_names)
    swapped = False
    if not set(af) & set(bf) and set(af) & set(bg) and set(ag) & set(bf):
        bf, bg, swapped = bg, bf, True
    if set(af) & set(bf):
        weight = 4.0
    elif _close(a.family_name, b.given_names if swapped else b.family_name):
        weight = 2.0  # a typo the phonetic key did not absorb (Coulibaly / Coulbaly)
    else:
        weight = -4.0
    if ag and bg and ag[0] == bg[0]:
        weight += 3.0
    elif set(ag) & set(bg):
        weight += 2.0
    else:
        weight -= 3.0
    label = "names: " + ("agree" if weight >= 5 else "partly agree" if weight > 0 else "differ")
    return weight, label + (" (family and given names swapped)" if swapped else "")


def _close(a: str, b: str) -> bool:
    """Family names one or two edits apart (names of five letters or more)."""
    x, y = names.fold(a), names.fold(b)
    return min(len(x), len(y)) >= 5 and Levenshtein.distance(x, y) <= (2 if len(x) >= 8 else 1)


def _birth(a: Record, b: Record) -> tuple[float, str]:
    if a.birth_date is None or b.birth_date is None:
        return 0.0, "birth date: missing"
    years = abs(a.birth_date.year - b.birth_date.year)
    approximate = a.birth_precision != "day" or b.birth_precision != "day"
    if years == 0 and not approximate and a.birth_date == b.birth_date:
        return 5.0, "birth date: same day"
    if (
        years == 0
        and not approximate
        and (a.birth_date.day, a.birth_date.month)
        == (
            b.birth_date.month,
            b.birth_date.day,
        )
    ):
        return 4.0, "birth date: day and month swapped"
    if years == 0:
        return 2.0, "birth date: same year"
    if years == 1:
        return 0.0, "birth date: one year apart"
    return -4.0, "birth date: differ"


def _sex(a: Record, b: Record) -> tuple[float, str]:
    return (0.0, "sex: same") if a.sex == b.sex else (-5.0, "sex: differ")


def _national_id(a: Record, b: Record) -> tuple[float, str]:
    if not a.national_id or not b.national_id:
        return 0.0, ""
    if a.national_id == b.national_id:
        return 10.0, "national id: same"
    return -8.0, "national id: differ"


def _place(a: Record, b: Record) -> tuple[float, str]:
    if not a.birth_place or not b.birth_place:
        return 0.0, ""
    same = names.fold(a.birth_place)[:3] == names.fold(b.birth_place)[:3]
    return (1.0, "birth place: same") if same else (-0.5, "birth place: differ")


def _mother(a: Record, b: Record) -> tuple[float, str]:
    if not a.mother_name or not b.mother_name:
        return 0.0, ""
    if set(_keys(a.mother_name)) & set(_keys(b.mother_name)):
        return 2.0, "mother's name: agree"
    return -1.0, "mother's name: differ"
