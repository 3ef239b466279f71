import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kafo.contributions import selectors, services
from kafo.contributions.models import (
    Declaration,
    DeclarationLine,
    DeclarationStatus,
    LedgerEntry,
    PendingRegistration,
)
from kafo.contributions.services import DeclarationRejected
from kafo.registry.models import Employer

from .conftest import HEADER, csv_of

TODAY = dt.date(2025, 6, 10)


def counts():
    return (
        Declaration.unscoped.count(),
        DeclarationLine.unscoped.count(),
        PendingRegistration.unscoped.count(),
    )


def submit(ci, content, **kw):
    return services.declaration_submit(
        employer=ci["employer"], period="2025-03", content=content, today=TODAY, **kw
    )


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_accepted_and_computed(ci, sep, bom):
    result = submit(ci, bom + csv_of(ci["employer"], ci["person"], sep=sep))
    d = result.declaration
    # line 1 (50,000): 3,850 + 2,500 + 375 + 2,000 + 500 = 9,225 ER; 3,150 + 500 = 3,650 EE
    # line 2 (4,000,000): 259,875 + 3,500 + 525 + 2,800 + 500 = 267,200 ER; 212,625 + 500 EE
    assert (d.employer_total, d.employee_total, d.total) == (276425, 216775, 493200)
    assert d.total_salary == 4050000
    assert d.branch_totals["health"] == {"employer": 1000, "employee": 1000}
    lines = selectors.declaration_lines(declaration=d)
    assert [(x.line_no, x.person_id) for x in lines] == [(2, ci["person"].pk), (3, None)]
    # recomputed from the declaration's rules: the same amounts as the stored totals
    assert (lines[1].employer_total, lines[1].employee_total) == (267200, 213125)
    assert sum(x.employer_total + x.employee_total for x in lines) == d.total
    assert d.risk_class == ci["employer"].risk_class
    pending = PendingRegistration.objects.get()
    assert (pending.national_id, pending.family_name, pending.status) == (
        "12345678901",
        "Bamba",
        "open",
    )
    assert d.pending_count == 1


def test_same_file_twice_is_not_counted_twice(ci):
    content = csv_of(ci["employer"], ci["person"])
    first = submit(ci, content)
    before = counts()
    again = submit(ci, content.replace(b"\n", b"\r\n"))  # same content, other line endings
    assert again.duplicate and again.declaration.pk == first.declaration.pk
    assert counts() == before


def test_second_original_refused_corrective_amends(ci):
    submit(ci, csv_of(ci["employer"], ci["person"]))
    e, p = ci["employer"], ci["person"]
    changed = csv_of(
        e, p, [[e.number, "2025-03", p.number, "", "Kouassi", "Yao", "31", "60000", ""]]
    )
    before = counts()
    with pytest.raises(DeclarationRejected) as err:
        submit(ci, changed)
    assert "rectificative" in err.value.line_errors[0]["reason"]
    assert counts() == before
    corr = submit(ci, changed, kind="corrective").declaration
    old = Declaration.objects.get(kind="original")
    assert old.status == DeclarationStatus.SUPERSEDED
    assert corr.amends_id == old.pk and corr.status == DeclarationStatus.IN_FORCE
    # 60,000 under the 70,000 ceilings: 4,620 + 3,000 + 450 + 2,400 + 500 ER
    assert corr.employer_total == 10970
    assert DeclarationLine.objects.filter(declaration=old).count() == 2  # still visible


def test_corrective_without_original_refused(ci):
    with pytest.raises(DeclarationRejected):
        submit(ci, csv_of(ci["employer"], ci["person"]), kind="corrective")
    assert counts() == (0, 0, 0)


def test_xlsx_read_like_csv(ci):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([h.upper() for h in HEADER.split(",")])
    ws.append(
        [
            ci["employer"].number,
            "2025-03",
            ci["person"].number,
            None,
            "Kouassi",
            "Yao",
            31,
            50000,
            None,
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    d = submit(ci, buf.getvalue(), filename="dns.xlsx").declaration
    assert d.employer_total == 9225


def bad(ci, content, **kw):
    before = counts()
    with pytest.raises(DeclarationRejected) as err:
        submit(ci, content, **kw)
    assert counts() == before
    return err.value.line_errors


def test_wrong_separator(ci):
    content = csv_of(ci["employer"], ci["person"], sep="\t")
    assert bad(ci, content) == [
        {
            "line": 1,
            "column": None,
            "value": HEADER.replace(",", "\t")[:80],
            "reason": "séparateur non reconnu : « , » ou « ; » attendu",
        }
    ]


def test_missing_column(ci):
    content = csv_of(ci["employer"], ci["person"]).replace(b",gross_salary", b",salary")
    assert bad(ci, content) == [
        {
            "line": 1,
            "column": "gross_salary",
            "value": None,
            "reason": "colonne obligatoire absente",
        }
    ]


def test_text_in_amount(ci):
    e, p = ci["employer"], ci["person"]
    errors = bad(
        ci, csv_of(e, p, [[e.number, "2025-03", p.number, "", "K", "Y", "31", "cinquante", ""]])
    )
    assert errors == [
        {
            "line": 2,
            "column": "gross_salary",
            "value": "cinquante",
            "reason": "montant non numérique",
        }
    ]


def test_negative_salary(ci):
    e, p = ci["employer"], ci["person"]
    errors = bad(
        ci, csv_of(e, p, [[e.number, "2025-03", p.number, "", "K", "Y", "31", "-50000", ""]])
    )
    assert errors == [
        {"line": 2, "column": "gross_salary", "value": "-50000", "reason": "salaire négatif"}
    ]


def test_unknown_employer(ci):
    e, p = ci["employer"], ci["person"]
    errors = bad(
        ci, csv_of(e, p, [["9999999", "2025-03", p.number, "", "K", "Y", "31", "50000", ""]])
    )
    assert {
        "line": 2,
        "column": "employer_number",
        "value": "9999999",
        "reason": "employeur inconnu dans cet organisme",
    } in errors


def test_period_in_future(ci):
    e, p = ci["employer"], ci["person"]
    content = csv_of(e, p, [[e.number, "2025-09", p.number, "", "K", "Y", "30", "50000", ""]])
    before = counts()
    with pytest.raises(DeclarationRejected) as err:
        services.declaration_submit(employer=e, period="2025-09", content=content, today=TODAY)
    assert err.value.line_errors == [
        {"line": 2, "column": "period", "value": "2025-09", "reason": "période future"}
    ]
    assert counts() == before


def test_two_lines_one_bad(ci):
    e, p = ci["employer"], ci["person"]
    content = csv_of(
        e,
        p,
        [
            [e.number, "2025-03", p.number, "", "Kouassi", "Yao", "31", "50000", ""],
            [e.number, "2025-03", "", "", "Bamba", "Awa", "45", "60000", ""],
        ],
    )
    assert bad(ci, content) == [
        {
            "line": 3,
            "column": "days_worked",
            "value": "45",
            "reason": "jours travaillés : 0 à 31 pour un mois, 0 à 92 pour un trimestre",
        },
        {
            "line": 3,
            "column": "worker_number",
            "value": "",
            "reason": "worker_number ou national_id obligatoire",
        },
    ]


def test_ragged_line_reported(ci):
    e, p = ci["employer"], ci["person"]
    content = csv_of(e, p) + f"{e.number},2025-03,X\n".encode()
    errors = bad(ci, content)  # a short line: its missing fields are reported one by one
    assert {x["line"] for x in errors} == {4}
    assert {
        "line": 4,
        "column": "gross_salary",
        "value": "",
        "reason": "salaire brut obligatoire",
    } in errors


def test_rows_path_and_resolution(ci):
    result = services.declaration_submit(
        employer=ci["employer"],
        period="2025-03",
        rows=[
            {
                "national_id": "12345678901",
                "family_name": "Bamba",
                "given_names": "Awa",
                "days_worked": 31,
                "gross_salary": 100000,
            }
        ],
        today=TODAY,
    )
    assert result.declaration.pending_count == 1
    pending = PendingRegistration.objects.get()
    services.pending_registration_resolve(pending=pending, person=ci["person"])
    assert DeclarationLine.objects.get().person_id == ci["person"].pk


cell = st.one_of(
    st.sampled_from(["", "abc", "-1", "31", "50000", "2025-03", "2025-13", "1 000,5", "x;y"]),
    st.text(alphabet='0123456789-,; aé"', max_size=8),
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(st.lists(cell, min_size=9, max_size=9), min_size=1, max_size=5),
    sep=st.sampled_from([",", ";"]),
)
def test_random_files_never_leave_a_partial_import(ci, rows, sep):
    e, p = ci["employer"], ci["person"]
    good = [e.number, "2025-03", p.number, "", "K", "Y", "31", "50000", ""]
    before = counts()
    content = csv_of(e, p, [good, *rows], sep=sep)
    try:
        result = submit(ci, content)
    except DeclarationRejected as exc:
        assert exc.line_errors
        assert counts() == before
    else:
        d = result.declaration
        assert DeclarationLine.unscoped.filter(declaration=d).count() == d.line_count
        if not result.duplicate:
            Declaration.unscoped.filter(pk=d.pk)  # whole import stored
            # blank lines are skipped, not lines
            assert d.line_count == 1 + sum(1 for r in rows if any(c.strip() for c in r))
        LedgerEntry.unscoped.all().delete()
        DeclarationLine.unscoped.all().delete()
        PendingRegistration.unscoped.all().delete()
        Declaration.unscoped.all().delete()


def test_line_amounts_keep_the_risk_class_filed_under(ci):
    """Lines store no amounts: they are recomputed with the declaration's rules date and the
    risk class it was filed under, so a later change of the employer's class rewrites nothing."""
    d = submit(ci, csv_of(ci["employer"], ci["person"])).declaration
    amounts = _line_amounts(d)
    breakdown = selectors.declaration_breakdown(declaration=d)
    Employer.unscoped.filter(pk=ci["employer"].pk).update(risk_class=1)
    d = Declaration.objects.get(pk=d.pk)
    again = _line_amounts(d)
    assert again == amounts and selectors.declaration_breakdown(declaration=d) == breakdown
    assert sum(e + s for e, s in again) == d.total
    # the next period, same worker and salary, is filed under class 1: another work-injury rate
    e, p = ci["employer"], ci["person"]
    april = [[e.number, "2025-04", p.number, "", "Kouassi", "Yao", "30", "50000", ""]]
    later = services.declaration_submit(
        employer=Employer.objects.get(pk=e.pk),
        period="2025-04",
        content=csv_of(e, p, april),
        today=TODAY,
    ).declaration
    assert later.risk_class == 1
    (line,) = selectors.declaration_lines(declaration=later)
    assert line.gross_salary == 50000 and line.employer_total < amounts[0][0]


def _line_amounts(declaration):
    return [
        (x.employer_total, x.employee_total)
        for x in selectors.declaration_lines(declaration=declaration)
    ]
