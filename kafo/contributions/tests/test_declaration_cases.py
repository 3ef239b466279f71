"""The cases employers hit when they declare (issue 16, §5), each found by an independent check
of the import: every test here failed before its fix."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from kafo.contributions import selectors, services
from kafo.contributions.forms import DeclarationUploadForm
from kafo.contributions.models import (
    Declaration,
    DeclarationKind,
    DeclarationLine,
    DeclarationStatus,
    PendingRegistration,
)
from kafo.contributions.services import DeclarationConflict, DeclarationRejected
from kafo.registry.services import employer_update

from .conftest import HEADER

TODAY = dt.date(2025, 6, 10)


def counts():
    return (
        Declaration.unscoped.count(),
        DeclarationLine.unscoped.count(),
        PendingRegistration.unscoped.count(),
    )


def _line(ci, salary=50_000, days=31, **kw) -> dict:
    p = ci["person"]
    return {
        "worker_number": p.number,
        "family_name": "Kouassi",
        "given_names": "Yao",
        "days_worked": days,
        "gross_salary": salary,
    } | kw


def submit_rows(ci, period, rows, **kw):
    return services.declaration_submit(
        employer=ci["employer"], period=period, rows=rows, today=TODAY, **kw
    )


def submit_file(ci, content, period="2025-03", filename="dns.csv", **kw):
    return services.declaration_submit(
        employer=ci["employer"],
        period=period,
        content=content,
        filename=filename,
        today=TODAY,
        **kw,
    )


def refused(call, *args, **kw) -> list[dict]:
    before = counts()
    with pytest.raises(DeclarationRejected) as err:
        call(*args, **kw)
    assert counts() == before
    return err.value.line_errors


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- a month and its quarter ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (
            "2025-Q1",
            "2025-02",
            "la période 2025-02 chevauche la période 2025-Q1 déjà déclarée par l'employeur "
            "{e} : un mois se déclare une seule fois, seul ou dans son trimestre (rectifiez "
            "2025-Q1 au besoin)",
        ),
        (
            "2025-02",
            "2025-Q1",
            "la période 2025-Q1 chevauche la période 2025-02 déjà déclarée par l'employeur "
            "{e} : un mois se déclare une seule fois, seul ou dans son trimestre (rectifiez "
            "2025-02 au besoin)",
        ),
    ],
)
def test_a_month_and_its_quarter_are_refused_with_the_reason_and_counted_once(
    ci, first, second, reason
):
    submit_rows(ci, first, [_line(ci, days=28 if first == "2025-02" else 90)])
    before = counts()
    with pytest.raises(DeclarationConflict) as err:
        submit_rows(ci, second, [_line(ci, days=28 if second == "2025-02" else 90)])
    assert counts() == before
    assert err.value.line_errors[0]["reason"] == reason.format(e=ci["employer"].number)
    career = selectors.person_career(person=ci["person"])
    org = career["organisations"][0]
    assert (org["months"], org["days"]) == ((3, 90) if first == "2025-Q1" else (1, 28))


def test_a_month_and_its_quarter_in_one_file_say_so(ci):
    e = ci["employer"]
    rows = [{"employer_number": e.number, "period": p} | _line(ci, days=28) for p in ("2025-02",)]
    rows += [{"employer_number": e.number, "period": "2025-Q1"} | _line(ci, days=90)]
    before = counts()
    with pytest.raises(DeclarationRejected) as err:
        services.import_frame(
            frame=services.dns.frame_from_rows(rows), organisation=ci["org"], today=TODAY
        )
    assert counts() == before
    reasons = sorted(x["reason"] for x in err.value.line_errors)
    assert reasons == [
        f"la période 2025-02 chevauche la période 2025-Q1 du même envoi pour l'employeur "
        f"{e.number} : un mois se déclare une seule fois, seul ou dans son trimestre",
        f"la période 2025-Q1 chevauche la période 2025-02 du même envoi pour l'employeur "
        f"{e.number} : un mois se déclare une seule fois, seul ou dans son trimestre",
    ]


# --- corrections ----------------------------------------------------------------------------


def test_a_correction_back_to_an_earlier_content_is_accepted(ci):
    original = submit_rows(ci, "2025-03", [_line(ci, 50_000)]).declaration
    wrong = submit_rows(
        ci, "2025-03", [_line(ci, 500_000)], kind=DeclarationKind.CORRECTIVE
    ).declaration
    back = submit_rows(ci, "2025-03", [_line(ci, 50_000)], kind=DeclarationKind.CORRECTIVE)
    assert not back.duplicate
    d = back.declaration
    assert (d.kind, d.status, d.amends_id, d.total_salary) == (
        "corrective",
        "in_force",
        wrong.pk,
        50_000,
    )
    statuses = dict(Declaration.unscoped.values_list("pk", "status"))
    assert statuses == {
        original.pk: DeclarationStatus.SUPERSEDED,
        wrong.pk: DeclarationStatus.SUPERSEDED,
        d.pk: DeclarationStatus.IN_FORCE,
    }
    # the same correction sent again is recognised, not stored twice
    before = counts()
    again = submit_rows(ci, "2025-03", [_line(ci, 50_000)], kind=DeclarationKind.CORRECTIVE)
    assert again.duplicate and again.declaration.pk == d.pk
    assert counts() == before


# --- Excel ----------------------------------------------------------------------------------


def test_excel_errors_name_the_spreadsheet_rows_after_blank_rows(ci):
    e, p = ci["employer"], ci["person"]
    content = xlsx(
        [
            HEADER.split(","),
            [None] * 9,
            [e.number, "2025-03", p.number, None, "Kouassi", "Yao", 31, 50000, None],
            [],
            [e.number, "2025-03", None, "12345678901", "Bamba", "Awa", 31, "x", None],
        ]
    )
    errors = refused(submit_file, ci, content, filename="dns.xlsx")
    assert [(x["line"], x["column"], x["value"]) for x in errors] == [(5, "gross_salary", "x")]


def test_csv_blank_lines_are_skipped_and_lines_keep_their_numbers(ci):
    e = ci["employer"]
    text = f"{HEADER}\n;;\n{e.number},2025-03,,12345678901,Bamba,Awa,31,x,\n,,,,,,,,\n"
    errors = refused(submit_file, ci, text.replace(";;", ",,,,,,,,").encode())
    assert [(x["line"], x["column"]) for x in errors] == [(3, "gross_salary")]


@pytest.mark.parametrize(
    "cell", [dt.datetime(2025, 3, 1), dt.date(2025, 3, 1), dt.datetime(2025, 3, 15), "01/03/2025"]
)
def test_a_period_given_as_a_date_is_read_as_its_month(ci, cell):
    e, p = ci["employer"], ci["person"]
    content = xlsx(
        [
            HEADER.split(","),
            [e.number, cell, p.number, None, "Kouassi", "Yao", 31, 50000, None],
        ]
    )
    d = submit_file(ci, content, filename="dns.xlsx").declaration
    assert (d.period, d.line_count) == ("2025-03", 1)


def test_numbers_that_lost_their_leading_zeros_are_matched_back(ci):
    e, p = ci["employer"], ci["person"]
    assert e.number.startswith("0") and p.number.startswith("0")
    content = xlsx(
        [
            HEADER.split(","),
            [int(e.number), "2025-03", int(p.number), None, "Kouassi", "Yao", 31, 50000, None],
        ]
    )
    d = submit_file(ci, content, filename="dns.xlsx").declaration
    line = DeclarationLine.unscoped.get(declaration=d)
    assert (line.worker_number, line.person_id) == (p.number, p.pk)
    assert PendingRegistration.unscoped.count() == 0


def test_a_short_number_whose_check_digit_fails_is_refused_not_made_pending(ci):
    e, p = ci["employer"], ci["person"]
    short = str(int(p.number))
    wrong = short[:-1] + str((int(short[-1]) + 1) % 10)
    content = xlsx(
        [
            HEADER.split(","),
            [int(e.number), "2025-03", int(wrong), None, "Kouassi", "Yao", 31, 50000, None],
        ]
    )
    errors = refused(submit_file, ci, content, filename="dns.xlsx")
    assert errors == [
        {
            "line": 2,
            "column": "worker_number",
            "value": wrong,
            "reason": "numéro incomplet (10 chiffres attendus) dont la clé de contrôle ne "
            "correspond pas, même complété par des zéros en tête : la colonne a sans doute "
            "été enregistrée comme nombre ; mettez-la au format texte et saisissez le numéro "
            "entier",
        }
    ]


FRENCH_HEADER = [
    "Numéro employeur",
    "Période",
    "Numéro salarié",
    "Numéro national",
    "Nom",
    "Prénoms",
    "Jours travaillés",
    "Salaire brut",
    "Catégorie",
]


def test_the_template_has_french_headers_text_number_columns_and_no_example_row(
    ci, client, make_user
):
    e, p = ci["employer"], ci["person"]
    client.force_login(make_user(ci["org"], "employer", employer=e))
    resp = client.get("/contributions/declarations/template.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == FRENCH_HEADER
    assert ws.max_row == 1  # no example line to delete before sending
    for col in ("A", "B", "C", "D"):  # numbers and the period: text, leading zeros kept
        assert ws.column_dimensions[col].number_format == "@"
    # filled in as an employer would, then sent back
    ws.append([e.number, "2025-03", p.number, None, "Kouassi", "Yao", 31, 50000, None])
    buf = io.BytesIO()
    wb.save(buf)
    d = submit_file(ci, buf.getvalue(), filename="modele-dns.xlsx").declaration
    assert (d.line_count, d.total_salary) == (1, 50000)


def test_french_headers_are_read_and_english_ones_still_are(ci):
    e, p = ci["employer"], ci["person"]
    text = ";".join(FRENCH_HEADER) + f"\n{e.number};2025-03;{p.number};;Kouassi;Yao;31;50000;\n"
    d = submit_file(ci, text.encode()).declaration
    assert d.total_salary == 50000
    english = f"{HEADER}\n{e.number},2025-04,{p.number},,Kouassi,Yao,30,50000,\n"
    assert submit_file(ci, english.encode(), period="2025-04").declaration.period == "2025-04"


# --- CSV encoding and the quarter notation --------------------------------------------------


def test_a_windows_1252_csv_is_read(ci):
    e = ci["employer"]
    text = HEADER.replace(",", ";") + f"\n{e.number};2025-03;;12345678901;Koné;Aïcha;31;50000;\n"
    d = submit_file(ci, text.encode("cp1252")).declaration
    line = DeclarationLine.unscoped.get(declaration=d)
    assert (line.family_name, line.given_names) == ("Koné", "Aïcha")


def test_an_unreadable_encoding_says_how_to_save_as_utf8(ci):
    e = ci["employer"]
    content = (HEADER + f"\n{e.number},2025-03,,12345678901,Kon").encode() + b"\x81\x8d\n"
    errors = refused(submit_file, ci, content)
    assert errors == [
        {
            "line": None,
            "column": None,
            "value": None,
            "reason": "fichier illisible : ni UTF-8 ni Windows-1252 ; dans Excel, choisissez "
            "Fichier > Enregistrer sous > « CSV UTF-8 (délimité par des virgules) »",
        }
    ]


@pytest.mark.parametrize("notation", ["2025-T1", "2025-t1", "2025-Q1"])
def test_a_quarter_is_accepted_as_t_or_q(ci, notation):
    e = ci["employer"]
    content = f"{HEADER}\n{e.number},{notation},,12345678901,Bamba,Awa,90,150000,\n".encode()
    d = submit_file(ci, content, period=notation).declaration
    assert (d.period, d.line_count) == ("2025-Q1", 1)


def test_help_and_errors_agree_on_the_quarter_notation(ci):
    e = ci["employer"]
    content = f"{HEADER}\n{e.number},2025-X1,,12345678901,Bamba,Awa,31,50000,\n".encode()
    errors = refused(submit_file, ci, content, period="2025-03")
    help_text = str(DeclarationUploadForm().fields["period"].help_text)
    assert (
        help_text
        == "AAAA-MM pour un mois, AAAA-Tn ou AAAA-Qn pour un trimestre (ex. 2025-03, 2025-T1)"
    )
    assert [x["reason"] for x in errors if x["column"] == "period"][0] == (
        f"période invalide : {help_text}"
    )


@pytest.mark.parametrize("period", ["2025-13", "2025-00", "2025-Q5", "2025-T0"])
def test_a_month_or_quarter_out_of_range_is_refused_not_a_crash(ci, period):
    """Polars computed the period's first day on every line, even those the pattern refused:
    2025-13 raised 'Invalid date components' instead of answering the line's error."""
    e = ci["employer"]
    content = f"{HEADER}\n{e.number},{period},,12345678901,Bamba,Awa,31,50000,\n".encode()
    errors = refused(submit_file, ci, content, period="2025-03")
    help_text = str(DeclarationUploadForm().fields["period"].help_text)
    assert [(x["line"], x["reason"]) for x in errors if x["column"] == "period"][0] == (
        2,
        f"période invalide : {help_text}",
    )


# --- days, dates and closure ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "days", "reason"),
    [
        ("2025-02", 29, "jours travaillés : 28 au plus pour 2025-02"),
        ("2025-04", 31, "jours travaillés : 30 au plus pour 2025-04"),
        ("2025-Q1", 91, "jours travaillés : 90 au plus pour 2025-Q1"),
    ],
)
def test_days_beyond_the_period_are_refused(ci, period, days, reason):
    errors = refused(submit_rows, ci, period, [_line(ci, days=days)])
    assert [(x["column"], x["reason"]) for x in errors] == [("days_worked", reason)]


@pytest.mark.parametrize(("period", "days"), [("2025-02", 28), ("2024-02", 29), ("2025-Q2", 91)])
def test_days_up_to_the_period_length_are_accepted(ci, period, days):
    today = dt.date(2025, 7, 1)
    d = services.declaration_submit(
        employer=ci["employer"], period=period, rows=[_line(ci, days=days)], today=today
    ).declaration
    assert d.line_count == 1


@pytest.mark.parametrize(("period", "end"), [("2025-06", "30/06/2025"), ("2025-Q2", "30/06/2025")])
def test_a_period_not_yet_ended_is_refused(ci, period, end):
    errors = refused(submit_rows, ci, period, [_line(ci, days=10)])
    assert [(x["column"], x["reason"]) for x in errors] == [
        ("period", f"période non terminée : elle finit le {end}, déclarez-la ensuite")
    ]


def test_a_declaration_after_the_employer_closed_is_refused(ci):
    employer_update(
        employer=ci["employer"],
        data={"status": "closed", "status_since": dt.date(2025, 2, 15)},
    )
    errors = refused(submit_rows, ci, "2025-03", [_line(ci)])
    assert [(x["column"], x["reason"]) for x in errors] == [
        ("period", "employeur fermé le 15/02/2025 : pas de déclaration pour une période ultérieure")
    ]
    # the month of the closure is still declared
    assert submit_rows(ci, "2025-02", [_line(ci, days=14)]).declaration.period == "2025-02"


# --- the command line -----------------------------------------------------------------------


def test_the_command_prints_whole_file_errors_without_none(ci, tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="nothing stored"):
        call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    err = capsys.readouterr().err
    assert err == "fichier vide : ligne d'en-tête attendue (ligne 1)\n"
    assert "None" not in err


def test_the_command_prints_line_errors_with_their_line_and_column(ci, tmp_path, capsys):
    e = ci["employer"]
    path = tmp_path / "bad.csv"
    path.write_bytes(f"{HEADER}\n{e.number},2025-03,,12345678901,Bamba,Awa,31,x,\n".encode())
    with pytest.raises(CommandError, match="nothing stored"):
        call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert capsys.readouterr().err == "line 2: gross_salary='x': montant non numérique\n"


# --- formula injection ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-Traoré", "@SUM(A1)"])
def test_names_that_look_like_formulas_are_stored_as_sent(ci, name):
    e = ci["employer"]
    quoted = '"' + name.replace('"', '""') + '"'
    content = f"{HEADER}\n{e.number},2025-03,,12345678901,{quoted},Awa,31,50000,\n"
    d = submit_file(ci, content.encode()).declaration
    assert DeclarationLine.unscoped.get(declaration=d).family_name == name
    assert PendingRegistration.unscoped.get().family_name == name


WRITERS = ("csv.writer(", ".write_csv(", "Workbook(")
# Files that write CSV for the database, not for a person: COPY of declaration lines.
NOT_EXPORTS = {"kafo/contributions/storage.py", "kafo/exports.py"}


def test_every_csv_and_excel_export_goes_through_kafo_exports():
    """A name sent as `=HYPERLINK(…)` is stored as sent; every module that writes a CSV or an
    Excel file for people neutralises its cells with kafo/exports.py (csv_row, xlsx_append,
    neutralise_frame, spreadsheet_cell)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    writers = []
    for path in sorted((root / "kafo").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in rel or rel in NOT_EXPORTS or "/migrations/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        if any(w in text for w in WRITERS):
            writers.append(rel)
            assert "exports import" in text or "from kafo import exports" in text, rel
    assert "kafo/contributions/views.py" in writers and len(writers) >= 5
