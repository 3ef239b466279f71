"""Demo data of the benefits: pensioners whose careers are real declarations over the years,
and claims in every state, all made through the real services (`kafo demo` calls
`benefits_demo_seed` once the zone, the registry and the rules are seeded).

The careers are declared through `import_frame` (the bulk declaration path) as migrated
declarations (no late-filing penalty). The contribution rules of the reference file start on
01/01/2000 at the latest: a career cannot be declared before the rates it is computed with, so
the demo careers run from January 2000 (26 years).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from kafo.benefits.domain.career import period_index, period_of
from kafo.contributions.services import import_frame


@dataclass(frozen=True)
class Job:
    """One employment of a career: `employer` declares `person` monthly from `start` to `end`
    (YYYY-MM, inclusive), the salary rising by `raise_percent` each January."""

    employer: object
    person: object
    start: str
    end: str
    salary: int
    raise_percent: int = 3
    days: int = 26


def career_frame(jobs: list[Job]) -> pl.DataFrame:
    """The DNS lines of the jobs, one a month, as a declaration file would carry them."""
    rows: dict[str, list] = {
        k: []
        for k in (
            "employer_number",
            "period",
            "worker_number",
            "family_name",
            "given_names",
            "days_worked",
            "gross_salary",
        )
    }
    for job in jobs:
        first = period_index(job.start)
        salary = Decimal(job.salary)
        for i in range(first, period_index(job.end) + 1):
            period = period_of(i)
            if i != first and period.endswith("-01"):
                salary = (salary * (100 + job.raise_percent) / 100).quantize(Decimal(1))
            rows["employer_number"].append(job.employer.number)
            rows["period"].append(period)
            rows["worker_number"].append(job.person.number)
            rows["family_name"].append(job.person.family_name)
            rows["given_names"].append(job.person.given_names)
            rows["days_worked"].append(str(job.days))
            rows["gross_salary"].append(str(salary))
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows})


def declare_careers(*, organisation, jobs: list[Job], today: dt.date | None = None):
    """Declare the jobs' months through the bulk declaration service (taken-over history)."""
    return import_frame(
        frame=career_frame(jobs), organisation=organisation, migration=True, today=today
    )
