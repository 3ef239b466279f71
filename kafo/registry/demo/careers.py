"""Careers of the demo's insured persons and their second registrations (the same human at a
second organisation, with the spelling variants clerks produce). A mixin of the generator's
builder (`generate._ZoneBuilder`)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from kafo.registry.domain import names as phonetics

from .drawing import _add_years_exact, _age, _years
from .families import _latest_birth
from .records import (
    CrossRegistration,
    DependantRecord,
    EmploymentRecord,
    OrganisationInfo,
    PersonRecord,
)


class CareerBuilder:
    """Employments and second registrations (uses the builder's `rng`, `ref`, employers)."""

    def career(self, person: PersonRecord, org: str) -> None:
        """Add employments: periods with employers of the person's organisation after age 15."""
        rng = self.rng
        ref = self.ref
        age = _age(person.birth_date, ref)
        earliest = _add_years_exact(_latest_birth(person), 16)
        start = max(earliest, _years(person.birth_date, rng.uniform(17, 30)))
        start = min(start, ref - dt.timedelta(days=rng.randint(30, 400)))
        start = max(start, earliest)
        retire = _years(person.birth_date, rng.uniform(55, 62)) if age >= 60 else None
        jobs = 1 + min(5, int(rng.expovariate(0.8)))
        for n in range(jobs):
            length = rng.uniform(0.5, 16)
            end: dt.date | None = _years(start, length)
            last = n == jobs - 1
            if retire and end > retire:
                end, last = retire, True
            if end >= ref or (last and not retire and rng.random() < 0.75):
                end = None
            if end is not None and end <= start:
                end = start + dt.timedelta(days=90)
            employer = self.pick_employer(org, start, ongoing=end is None)
            if employer.status == "closed" and (end is None or end > employer.status_since):
                if employer.status_since > start + dt.timedelta(days=30):
                    end = employer.status_since
            person.employments.append(
                EmploymentRecord(
                    employer=employer,
                    start_date=start,
                    end_date=end,
                    job_title=rng.choice(employer.jobs),
                )
            )
            if end is None or last:
                break
            start = end + dt.timedelta(days=rng.randint(1, 700))
            if start >= ref:
                break

    # second registrations

    def respell(self, name: str) -> str:
        """Return another known spelling of one word (Coulibaly -> Kulibali), or ''."""
        folded = phonetics.fold(name)
        canonical = phonetics.VARIANTS.get(folded)
        if not canonical or " " in folded:
            return ""
        options = [v for v in self.spellings[canonical] if v != folded and phonetics.fold(v) == v]
        return self.rng.choice(options).capitalize() if options else ""

    def second_registration(
        self, first: PersonRecord, target: OrganisationInfo
    ) -> CrossRegistration:
        rng = self.rng
        same_country = self.orgs[first.organisation].country == target.country
        family, given = first.family_name, first.given_names
        variants: list[str] = []
        if rng.random() < 0.5 and _drop_accents(family + given) != family + given:
            family, given = _drop_accents(family), _drop_accents(given)
            variants.append("accents")
        if rng.random() < 0.55:
            other = self.respell(first.family_name)
            if other:
                family = other
                variants.append("family_spelling")
        words = given.split(" ")
        if rng.random() < 0.45:
            other = self.respell(words[0])
            if other:
                words[0] = other
                variants.append("given_spelling")
        if len(words) > 1 and rng.random() < 0.5:
            words = words[:1]
            variants.append("second_given_dropped")
        given = " ".join(words)
        if rng.random() < 0.15 and family != family.upper():
            family = family.upper()
            variants.append("upper_case")
        if rng.random() < 0.15:
            family, given = given, family
            variants.append("swapped")
        first_keys = set(phonetics.name_keys(f"{first.family_name} {first.given_names}"))
        if not set(phonetics.name_keys(f"{family} {given}")) <= first_keys:
            family, given, variants = first.family_name, first.given_names, []
        birth, precision = first.birth_date, first.birth_date_precision
        if precision != "year" and rng.random() < 0.4:
            birth, precision = birth.replace(month=1, day=1), "year"
            variants.append("year_only")
        if not variants:  # every second registration differs somehow from the first
            if _drop_accents(family + given) != family + given:
                family, given = _drop_accents(family), _drop_accents(given)
                variants.append("accents")
            else:
                family = family.upper()
                variants.append("upper_case")
        place = self.place(target.country)
        nid = ""
        if same_country and first.national_id and rng.random() < 0.6:
            nid = first.national_id
        elif not same_country and rng.random() < 0.35:
            nid = self.unique_national_id(
                target.country, target.national_id_pattern, first.sex, birth
            )
        second = PersonRecord(
            organisation=target.code,
            people=first.people,
            family_name=family,
            given_names=given,
            sex=first.sex,
            birth_date=birth,
            birth_date_precision=precision,
            birth_place=_drop_accents(first.birth_place) if rng.random() < 0.7 else "",
            mother_name=first.mother_name if rng.random() < 0.5 else "",
            national_id=nid,
            phone=first.phone
            if same_country and rng.random() < 0.5
            else (self.phone(target.country) if rng.random() < 0.7 else ""),
            address=self.address(target.country, place) if rng.random() < 0.8 else "",
        )
        self.split_career(first, second, same_country and target.code in ("IPRES-SN", "CSS-SN"))
        if rng.random() < (0.8 if same_country else 0.3):
            second.dependants = [
                DependantRecord(
                    relationship=d.relationship,
                    family_name=d.family_name,
                    given_names=d.given_names,
                    sex=d.sex,
                    birth_date=d.birth_date,
                    birth_date_precision=d.birth_date_precision,
                    marriage_date=d.marriage_date,
                    marriage_end_date=d.marriage_end_date,
                    filiation=d.filiation,
                    other_parent=d.other_parent,
                )
                for d in first.dependants
            ]
        second.registered_on = max(
            dt.date(1961, 1, 1), min(e.start_date for e in second.employments)
        )
        first.registered_on = max(dt.date(1961, 1, 1), min(e.start_date for e in first.employments))
        return CrossRegistration(first=first, second=second, variants=tuple(variants))

    def split_career(self, first: PersonRecord, second: PersonRecord, parallel: bool) -> None:
        """Give the second organisation its share of the career.

        `parallel`: both organisations cover the same jobs (a Senegalese worker is at IPRES for
        the pension and at CSS for family benefits); otherwise the early periods move to the
        second organisation (a migrant's career, or private sector before the civil service).
        """
        org = second.organisation
        if parallel:
            for e in first.employments:
                second.employments.append(
                    EmploymentRecord(
                        employer=self.pick_employer(org, e.start_date, e.end_date is None),
                        start_date=e.start_date,
                        end_date=e.end_date,
                        job_title=e.job_title,
                    )
                )
            return
        jobs = first.employments
        if len(jobs) == 1:
            only = jobs[0]
            end = only.end_date or self.ref
            span = (end - only.start_date).days
            if span < 2 * 365:
                moved = EmploymentRecord(
                    employer=only.employer,
                    start_date=only.start_date,
                    end_date=only.end_date,
                    job_title=only.job_title,
                )
                second.employments.append(self.rehire(moved, org))
                return
            cut = only.start_date + dt.timedelta(days=self.rng.randint(365, span - 300))
            second.employments.append(
                self.rehire(
                    EmploymentRecord(only.employer, only.start_date, cut, only.job_title), org
                )
            )
            only.start_date = cut + dt.timedelta(days=self.rng.randint(15, 200))
            if only.end_date and only.end_date <= only.start_date:
                only.end_date = None
            return
        moved_count = (len(jobs) + 1) // 2
        for e in jobs[:moved_count]:
            second.employments.append(self.rehire(e, org))
        del jobs[:moved_count]

    def rehire(self, employment: EmploymentRecord, org: str) -> EmploymentRecord:
        employment.employer = self.pick_employer(
            org, employment.start_date, employment.end_date is None
        )
        employment.job_title = self.rng.choice(employment.employer.jobs)
        return employment


def _drop_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
