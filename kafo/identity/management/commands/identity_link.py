"""`kafo identity_link PERSONS.csv --out CLUSTERS.csv`: link person records, no database.

Reads the columns record_id, source, family_name, given_names, sex, birth_date, birth_place,
mother_name, national_id (any but record_id may be empty), and when present the extra evidence
columns phone, employer_numbers (`|`-separated), spouse_names, father_name. Writes
`record_id, person_id` for every input record: the clusters linked automatically (near
certain). `--review-out REVIEW.csv` writes the pairs to ask a person about, `record_a,
record_b, probability, reason`, most useful first, at most `--review-budget` per 1,000 records
(default 50). An organisation can run it on a data migration before loading it.
"""

from __future__ import annotations

import polars as pl
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kafo.exports import neutralise_frame
from kafo.identity.linkage.linker import DEFAULT_THRESHOLD, STEPS, explain, link
from kafo.identity.linkage.normalise import INPUT_COLUMNS
from kafo.identity.linkage.review import DEFAULT_REVIEW_BUDGET


class Command(BaseCommand):
    help = "Link person records into persons (record_id, person_id); uses no database."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("persons", help="CSV of person records")
        parser.add_argument("--out", required=True, help="CSV to write: record_id, person_id")
        parser.add_argument("--pairs", help="optional CSV of scored pairs with explanations")
        parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument(
            "--review-out", help="CSV to write: record_a, record_b, probability, reason"
        )
        parser.add_argument(
            "--review-budget",
            type=float,
            default=DEFAULT_REVIEW_BUDGET,
            help="review items per 1,000 records at most (default 50)",
        )

    def handle(self, *args, **options):
        if options["review_budget"] < 0:
            raise CommandError("--review-budget: must be 0 or more")
        records = _read(options["persons"])
        with tqdm(total=len(STEPS), desc="linkage", unit="step", disable=None) as bar:

            def advance(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            result = link(
                records,
                engine=options["engine"],
                threshold=options["threshold"],
                on_step=advance,
                review_budget=options["review_budget"],
            )
        neutralise_frame(result.clusters.select("record_id", "person_id")).write_csv(options["out"])
        if options["pairs"]:
            _write_pairs(result.pairs, options["pairs"])
        if options["review_out"]:
            review = result.review.select(
                "record_a", "record_b", "probability", pl.col("reason_text").alias("reason")
            )
            neutralise_frame(review).write_csv(options["review_out"])
        persons = result.clusters.get_column("person_id").n_unique()
        self.stdout.write(f"{records.height} records, {persons} persons -> {options['out']}")
        if options["review_out"]:
            self.stdout.write(f"{result.review.height} pairs to review -> {options['review_out']}")


def _read(path: str) -> pl.DataFrame:
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise CommandError(f"{path}: {error}") from error
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise CommandError(f"{path}: missing columns: {', '.join(missing)}")
    ids = frame.get_column("record_id")
    empty = frame.with_row_index("line", offset=2).filter(ids.is_null() | (ids == ""))
    if empty.height:
        raise CommandError(f"{path}: line {empty['line'][0]}: record_id is empty")
    if ids.n_unique() != frame.height:
        duplicate = ids.filter(ids.is_duplicated())[0]
        raise CommandError(f"{path}: record_id {duplicate} appears more than once")
    return frame


def _write_pairs(pairs: pl.DataFrame, path: str) -> None:
    explained = pairs.with_columns(
        pl.struct(pairs.columns)
        .map_elements(lambda row: "; ".join(explain(row)), return_dtype=pl.String)
        .alias("explanation")
    )
    neutralise_frame(explained).write_csv(path)
