"""`kafo benefits simulate`: the old-age benefit of a career, as JSON, with its trace.

    kafo benefits simulate --organisation CNSS-BJ --birth-date 1965-11-03 \
        --claim-date 2026-01-15 [--sex F|M --children N --category X] CAREER.csv

CAREER.csv: `organisation,period,gross_salary[,days_worked]` (period YYYY-MM), a header first.
"""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kafo.benefits.simulation import career_and_errors, career_from_csv, simulate
from kafo.organisations.tenancy import zone_scope


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date « {value} » invalide : AAAA-MM-JJ attendu.") from None


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


class Command(BaseCommand):
    help = "Simulate an old-age benefit from a career CSV; print JSON (amounts in whole francs)."

    def add_arguments(self, parser):
        parser.add_argument("career", help="CSV: organisation,period,gross_salary[,days_worked]")
        parser.add_argument("--organisation", required=True, help="e.g. INPS-ML")
        parser.add_argument("--birth-date", required=True, type=_date)
        parser.add_argument("--claim-date", required=True, type=_date)
        parser.add_argument("--sex", choices=["F", "M"], default=None)
        parser.add_argument("--children", type=int, default=0)
        parser.add_argument("--category", default=None)

    def handle(
        self,
        *args,
        career,
        organisation,
        birth_date,
        claim_date,
        sex,
        children,
        category,
        **options,
    ):
        path = Path(career)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(
                f"Fichier de carrière illisible : {path} ({exc.strerror})."
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} : le fichier doit être en UTF-8.") from None
        career_lines, career_errors = career_and_errors(career_from_csv, text)
        try:
            with zone_scope():
                answer = simulate(
                    organisation=organisation,
                    birth_date=birth_date,
                    claim_date=claim_date,
                    career=career_lines,
                    career_errors=career_errors,
                    sex=sex,
                    children=children,
                    category=category,
                )
        except ValidationError as exc:
            lines = [f"{field} : {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError("Simulation refusée :\n" + "\n".join(lines)) from None
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2, default=_json))
