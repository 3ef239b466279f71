"""The columns of a salary declaration file (DNS): names, French headers and their variants,
limits, and the shape of an error row (kafo/contributions/domain/dns.py says how it is read)."""

from __future__ import annotations

import polars as pl

from kafo.registry.domain.registration_numbers import EMPLOYER_DIGITS, PERSON_DIGITS

from .file_limits import FileLimits

REQUIRED = (
    "employer_number",
    "period",
    "family_name",
    "given_names",
    "days_worked",
    "gross_salary",
)
IDENTITY = ("worker_number", "national_id")
OPTIONAL = ("category",)
COLUMNS = (*REQUIRED[:2], *IDENTITY, *REQUIRED[2:], *OPTIONAL)
BRANCHES = ("old_age", "family", "work_injury", "health")
AMOUNT_COLUMNS = tuple(f"{b}_{s}" for b in BRANCHES for s in ("er", "ee"))
MAX_AMOUNT_DIGITS = 12
# A gross salary per line above this is refused as implausible: ten billion francs for a month
# or a quarter, thousands of times the highest salaries of the zone. It catches an amount typed
# with extra zeros or a column shifted into the salary, and bounds what one line adds to the
# declaration's totals.
MAX_GROSS_SALARY = 10_000_000_000
# The declaration's totals are stored as DECIMAL(16, 0) (models._money): a declaration whose
# salaries add up to more is refused ("total trop grand"). Its contributions, a fraction of the
# salaries (rates well under 100 %), then fit as well.
MAX_DECLARATION_TOTAL = 10**16 - 1
# What a line's text columns may hold (DeclarationLine's max_length).
MAX_LENGTHS = {"worker_number": 20, "national_id": 30, "family_name": 80, "given_names": 120}
ERROR_SCHEMA = {"line": pl.Int64, "column": pl.Utf8, "value": pl.Utf8, "reason": pl.Utf8}
PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
# French headers (the template's) and their usual variants, folded by `_header_key`, for the
# columns' names.
HEADER_ALIASES = {
    "numero_employeur": "employer_number",
    "n_employeur": "employer_number",
    "no_employeur": "employer_number",
    "numero_d_immatriculation_employeur": "employer_number",
    "periode": "period",
    "numero_salarie": "worker_number",
    "n_salarie": "worker_number",
    "no_salarie": "worker_number",
    "numero_assure": "worker_number",
    "numero_national": "national_id",
    "numero_d_identification_nationale": "national_id",
    "nina": "national_id",
    "nom": "family_name",
    "nom_de_famille": "family_name",
    "prenoms": "given_names",
    "prenom": "given_names",
    "jours_travailles": "days_worked",
    "jours": "days_worked",
    "salaire_brut": "gross_salary",
    "categorie": "category",
}
# The template's headers, in COLUMNS' order (views.declaration_template).
FRENCH_HEADERS = (
    "Numéro employeur",
    "Période",
    "Numéro salarié",
    "Numéro national",
    "Nom",
    "Prénoms",
    "Jours travaillés",
    "Salaire brut",
    "Catégorie",
)
# Registration numbers that a spreadsheet stored as numbers lose their leading zeros; their
# full length, for completing them (registry.domain.registration_numbers: digits + check digit).
NUMBER_LENGTHS = {"employer_number": EMPLOYER_DIGITS + 1, "worker_number": PERSON_DIGITS + 1}
ROW_COLUMN = "__row__"  # an Excel sheet's row numbers, carried to normalise_columns
ENCODING_HELP = (
    "fichier illisible : ni UTF-8 ni Windows-1252 ; dans Excel, choisissez "
    "Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) »"
)
# A file read without a caller's limits (the service's default): columns and an .xlsx's zip
# bounded, no size or row limit (the web form and the API check theirs first, from settings).
DEFAULT_LIMITS = FileLimits()


def _error(line, column, value, reason) -> dict:
    return {"line": line, "column": column, "value": value, "reason": reason}
