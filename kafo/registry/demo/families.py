"""The families of the demo's insured persons: spouses (several where polygamy is legal) and
children, with plausible dates. A mixin of the generator's builder (`generate._ZoneBuilder`)."""

from __future__ import annotations

import datetime as dt

from . import names as data
from .drawing import _CHILDREN_WANTED, _add_years_exact, _age, _years
from .records import DependantRecord, PersonRecord

POLYGAMY_SHARE = {"ML": 0.28, "SN": 0.32, "CI": 0.10, "BF": 0.22, "NE": 0.36}
# Dependant children are listed while under this age at the reference date.
CHILD_LISTED_UNTIL = 25


class FamilyBuilder:
    """Spouses and children of a person (uses the builder's `rng`, `ref`, name draws)."""

    def family_of(self, person: PersonRecord, country: str) -> None:
        """Add the spouses and the children (born of a listed spouse, mostly)."""
        rng = self.rng
        ref = self.ref
        birth_latest = _latest_birth(person)
        age = _age(person.birth_date, ref)
        male = person.sex == "M"
        married_share = (
            (0.2 if age < 25 else 0.55 if age < 30 else 0.82)
            if male
            else (0.35 if age < 22 else 0.72)
        )
        if rng.random() >= married_share:
            if male and age > 22 and rng.random() < 0.06:
                self.natural_child(person, birth_latest)
            return
        wives = 1
        if male and age >= 30 and rng.random() < POLYGAMY_SHARE.get(country, 0.1):
            wives = rng.choices((2, 3, 4), (80, 17, 3))[0]
        previous_marriage: dt.date | None = None
        for n in range(wives if male else 1):
            spouse_people = person.people if rng.random() < 0.85 else rng.choice(data.PEOPLES)
            if male:
                gap = rng.uniform(2, 12) if n == 0 else rng.uniform(8, 25)
            else:
                gap = -rng.uniform(2, 15)
            spouse_birth = _years(person.birth_date, gap)
            if previous_marriage is None:
                marriage = max(
                    _years(person.birth_date, rng.uniform(20, 34) if male else rng.uniform(17, 28)),
                    _years(spouse_birth, 18),
                )
            else:
                marriage = max(
                    _years(previous_marriage, rng.uniform(3, 14)), _years(spouse_birth, 18)
                )
            marriage = max(marriage, _add_years_exact(birth_latest, 18))
            if marriage >= ref or spouse_birth >= _years(ref, -18):
                break
            previous_marriage = marriage
            precision = "year" if spouse_birth.year < 1975 and rng.random() < 0.5 else "day"
            if precision == "year":
                spouse_birth = spouse_birth.replace(month=1, day=1)
            spouse = DependantRecord(
                relationship="spouse",
                family_name=self.family[spouse_people].draw(rng),
                given_names=self.given_names(spouse_people, "F" if male else "M"),
                sex="F" if male else "M",
                birth_date=spouse_birth,
                birth_date_precision=precision,
                marriage_date=marriage,
            )
            if rng.random() < 0.04:
                spouse.marriage_end_date = min(
                    ref - dt.timedelta(days=1), _years(marriage, rng.uniform(1, 20))
                )
            spouse_index = len(person.dependants)
            person.dependants.append(spouse)
            mother_birth = spouse_birth if male else person.birth_date
            father_family = person.family_name if male else spouse.family_name
            father_people = person.people if male else spouse_people
            self.children(
                person,
                spouse_index,
                marriage,
                spouse.marriage_end_date,
                mother_birth,
                father_family,
                father_people,
                birth_latest,
            )

    def children(
        self,
        person: PersonRecord,
        spouse_index: int,
        marriage: dt.date,
        marriage_end: dt.date | None,
        mother_birth: dt.date,
        father_family: str,
        father_people: str,
        parent_latest: dt.date,
    ) -> None:
        rng = self.rng
        ref = self.ref
        last = min(ref - dt.timedelta(days=20), _years(mother_birth, 44), marriage_end or ref)
        listed_from = _add_years_exact(ref, -CHILD_LISTED_UNTIL)
        wanted = _CHILDREN_WANTED.draw(rng)
        born = _years(marriage, rng.uniform(0.8, 3))
        for _ in range(wanted):
            if born > last:
                break
            if born > parent_latest + dt.timedelta(days=16 * 365) and born >= listed_from:
                precision = "year" if born.year < 2000 and rng.random() < 0.1 else "day"
                sex = "M" if rng.random() < 0.51 else "F"
                person.dependants.append(
                    DependantRecord(
                        relationship="child",
                        family_name=father_family,
                        given_names=self.given_names(father_people, sex),
                        sex=sex,
                        birth_date=born.replace(month=1, day=1) if precision == "year" else born,
                        birth_date_precision=precision,
                        filiation="adopted" if rng.random() < 0.01 else "legitimate",
                        other_parent=spouse_index,
                    )
                )
            born = _years(born, rng.uniform(1.4, 4))

    def natural_child(self, person: PersonRecord, parent_latest: dt.date) -> None:
        rng = self.rng
        earliest = max(
            _add_years_exact(parent_latest, 19), _add_years_exact(self.ref, -CHILD_LISTED_UNTIL)
        )
        span = (self.ref - earliest).days
        if span <= 30:
            return
        sex = "M" if rng.random() < 0.5 else "F"
        person.dependants.append(
            DependantRecord(
                relationship="child",
                family_name=person.family_name,
                given_names=self.given_names(person.people, sex),
                sex=sex,
                birth_date=earliest + dt.timedelta(days=rng.randint(0, span - 1)),
                filiation="natural",
            )
        )


def _latest_birth(person: PersonRecord) -> dt.date:
    """The latest real date the recorded birth date may stand for."""
    if person.birth_date_precision == "year":
        return person.birth_date.replace(month=12, day=31)
    if person.birth_date_precision == "month":
        nxt = (person.birth_date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return nxt - dt.timedelta(days=1)
    return person.birth_date
