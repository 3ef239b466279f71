import pytest
from django.core.management import CommandError, call_command

from kafo.contributions import selectors
from kafo.contributions.models import Declaration, DeclarationLine
from kafo.organisations.tenancy import tenant_scope

from .conftest import csv_of


def test_import_command_stores_a_file_and_rejects_a_bad_one(ci, tmp_path, capsys):
    good = tmp_path / "dns.csv"
    good.write_bytes(csv_of(ci["employer"], ci["person"]))
    call_command("declarations_import", str(good), "--organisation", "CNPS-CI", verbosity=0)
    assert "1 declarations, 2 lines stored" in capsys.readouterr().out
    d = Declaration.unscoped.get()
    assert d.total == 493200 and d.channel == "bulk"

    e, p = ci["employer"], ci["person"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of(e, p, [[e.number, "2025-04", p.number, "", "K", "Y", "31", "x", ""]]))
    with pytest.raises(CommandError, match="nothing stored"):
        call_command("declarations_import", str(bad), "--organisation", "CNPS-CI", verbosity=0)
    assert DeclarationLine.unscoped.count() == 2

    call_command("declarations_import", str(good), "--organisation", "CNPS-CI", verbosity=0)
    assert "1 already received" in capsys.readouterr().out
    assert Declaration.unscoped.count() == 1


def _many_employers_file(ci, tmp_path, employers=3, per_employer=40):
    from kafo.registry.services import employer_register

    es = [ci["employer"]] + [
        employer_register(organisation=ci["org"], data={"legal_name": f"E{i}", "risk_class": 1})
        for i in range(employers - 1)
    ]
    p = ci["person"]
    lines = [
        [e.number, "2025-03", p.number if (k == 0 and i == 0) else f"X{i}-{k}", "", "N", "P"]
        + ["30", str(60_000 + 1_000 * k), ""]
        for i, e in enumerate(es)
        for k in range(per_employer)
    ]
    path = tmp_path / "many.csv"
    path.write_bytes(csv_of(ci["employer"], p, lines))
    return path, es


@pytest.mark.parametrize("chunk", [200_000, 30])  # 30: the staged path (SQLite) in small
def test_bulk_file_of_many_employers_stores_every_line_and_one_audit_event_per_declaration(
    ci, tmp_path, capsys, monkeypatch, chunk
):
    from kafo.audit.models import AuditEvent
    from kafo.contributions import storage
    from kafo.contributions.models import PendingRegistration

    monkeypatch.setattr(storage, "CHUNK", chunk)
    path, employers = _many_employers_file(ci, tmp_path)
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert "3 declarations, 120 lines stored" in capsys.readouterr().out

    decls = list(Declaration.unscoped.order_by("pk"))
    assert len(decls) == 3
    lines = DeclarationLine.unscoped.all()
    assert lines.count() == 120
    assert {ln.organisation_id for ln in lines} == {ci["org"].pk}
    for d in decls:
        mine = DeclarationLine.unscoped.filter(declaration=d)
        assert mine.count() == d.line_count == 40
        with tenant_scope(ci["org"]):
            recomputed = selectors.declaration_lines(declaration=d)
        assert sum(ln.employer_total + ln.employee_total for ln in recomputed) == d.total
    known = DeclarationLine.unscoped.get(person=ci["person"])
    assert known.declaration.employer_id == employers[0].pk and known.line_no == 2
    assert PendingRegistration.unscoped.filter(organisation=ci["org"]).count() == 119

    events = AuditEvent.unscoped.filter(object_type="declaration", action="create")
    assert sorted(int(e.object_id) for e in events) == [d.pk for d in decls]
    for e in events:
        d = next(d for d in decls if d.pk == int(e.object_id))
        assert e.organisation_id == ci["org"].pk
        assert (e.subject_type, e.subject_id) == ("employer", str(d.employer_id))
        assert [str(v) for v in e.changes["total"]] == ["None", str(d.total)]
        assert e.changes["line_count"] == [None, 40]
    assert not AuditEvent.unscoped.filter(object_type="declarationline").exists()


def test_bulk_audit_events_match_record_created(ci, tmp_path):
    """The bulk events are exactly what audit.record_created writes for one declaration."""
    from kafo.audit import services as audit
    from kafo.audit.models import AuditEvent

    path, _employers = _many_employers_file(ci, tmp_path, employers=2, per_employer=2)
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    d = Declaration.unscoped.order_by("pk").first()
    bulk = AuditEvent.unscoped.get(object_type="declaration", object_id=str(d.pk))
    one = audit.record_created(d, subject=d.employer)
    fields = ["organisation_id", "actor_id", "actor_label", "ip_address", "action"]
    fields += ["object_type", "object_id", "object_repr", "subject_type", "subject_id"]
    assert {f: getattr(bulk, f) for f in fields} == {f: getattr(one, f) for f in fields}
    # amounts were ints in memory at import time, Decimals once read back: same values
    assert {k: [str(x) for x in v] for k, v in bulk.changes.items()} == {
        k: [str(x) for x in v] for k, v in one.changes.items()
    }


def test_rejected_bulk_file_stores_nothing_and_lists_every_faulty_line(ci, tmp_path, capsys):
    from kafo.audit.models import AuditEvent

    path, _employers = _many_employers_file(ci, tmp_path, employers=2, per_employer=30)
    text = path.read_text().splitlines()
    text[5] = text[5].replace("30,", "45,", 1)  # line 6: 45 days in a month
    text[40] = text[40].replace(",N,", ",,", 1)  # line 41: no family name
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(CommandError, match="2 errors, nothing stored"):
        call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    err = capsys.readouterr().err
    assert "line 6: days_worked='45'" in err and "line 41: family_name=''" in err
    assert not Declaration.unscoped.exists() and not DeclarationLine.unscoped.exists()
    assert not AuditEvent.unscoped.filter(object_type="declaration").exists()


@pytest.mark.parametrize(("flags", "late_filing_entries"), [([], 2), (["--migration"], 0)])
def test_late_declaration_penalties_unless_migrated(ci, tmp_path, flags, late_filing_entries):
    """2025-03 was due on 15/04/2025 at CNPS-CI: filed today it is late, unless the file is a
    migration from an earlier system (its filing dates unknown)."""
    from kafo.contributions.models import EntryKind, LedgerEntry

    path, _employers = _many_employers_file(ci, tmp_path, employers=2, per_employer=3)
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", *flags, verbosity=0)
    assert LedgerEntry.unscoped.filter(kind=EntryKind.CONTRIBUTION).count() == 2
    late = LedgerEntry.unscoped.filter(kind=EntryKind.LATE_FILING)
    assert late.count() == late_filing_entries


@pytest.mark.parametrize("rows_per_insert", [1_000, 7])  # 7: full multi-row INSERTs + a tail
def test_large_file_path_looks_persons_up_and_stages_rows(
    ci, tmp_path, capsys, monkeypatch, rows_per_insert
):
    """The path of big files (persons read whole, lines staged in multi-row INSERTs on SQLite),
    forced on a small file: same stored lines as the small-file path."""
    from kafo.contributions import services, storage

    monkeypatch.setattr(services, "SMALL_FILE", 0)
    monkeypatch.setattr(storage, "CHUNK", 30)
    monkeypatch.setattr(storage, "ROWS_PER_INSERT", rows_per_insert)
    path, employers = _many_employers_file(ci, tmp_path)
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert "3 declarations, 120 lines stored" in capsys.readouterr().out
    assert DeclarationLine.unscoped.count() == 120
    known = DeclarationLine.unscoped.get(person=ci["person"])
    assert known.declaration.employer_id == employers[0].pk and known.line_no == 2
    assert DeclarationLine.unscoped.filter(person__isnull=True).count() == 119
    for d in Declaration.unscoped.all():
        mine = DeclarationLine.unscoped.filter(declaration=d).order_by("line_no")
        assert d.line_count == mine.count() == 40
        assert sum(ln.gross_salary for ln in mine) == d.total_salary
        with tenant_scope(ci["org"]):
            recomputed = selectors.declaration_lines(declaration=d)
        assert sum(ln.employer_total + ln.employee_total for ln in recomputed) == d.total


def test_person_ids_reads_every_key_of_the_organisation_only(ci):
    from kafo.contributions.storage import person_ids
    from kafo.registry.models import Person

    p = ci["person"]
    other = Person.unscoped.get(pk=p.pk)
    other.pk, other.number, other.national_id = None, "ZZ1", ""
    other.save()
    got = person_ids(ci["org"].pk, "number")
    assert dict(got.iter_rows()) == {p.number: p.pk, "ZZ1": other.pk}
    assert person_ids(ci["org"].pk + 1000, "number").height == 0
    assert person_ids(ci["org"].pk, "national_id").height == (1 if p.national_id else 0)
    # a key holding the separator of the one-statement read falls back to reading rows
    Person.unscoped.filter(pk=other.pk).update(national_id="CI\x1f9")
    got = person_ids(ci["org"].pk, "national_id")
    assert dict(got.iter_rows())["CI\x1f9"] == other.pk


def _spy_stage(monkeypatch, fail: BaseException | None = None):
    """Record the scratch files the SQLite stage path writes (optionally failing to write)."""
    from kafo.contributions import storage

    paths = []
    real = storage._fill_stage

    def spy(stage, frame, order):
        paths.append(stage.path)
        if fail is not None:
            stage.error = fail
            return
        real(stage, frame, order)

    monkeypatch.setattr(storage, "_fill_stage", spy)
    monkeypatch.setattr(storage, "CHUNK", 300)  # the stage from 31 lines: this file has 120
    return paths


@pytest.mark.django_db(transaction=True)
def test_large_import_outside_a_transaction_stages_lines_through_adbc_on_sqlite(
    ci, tmp_path, capsys, monkeypatch
):
    """Outside a caller's transaction a large file's lines are written by ADBC into a scratch
    SQLite file on another thread (storage.line_stage), then copied in: the same lines as the
    other paths, and the scratch file removed. PostgreSQL copies them without a stage."""
    from django.db import connection

    paths = _spy_stage(monkeypatch)
    path, employers = _many_employers_file(ci, tmp_path)
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert "3 declarations, 120 lines stored" in capsys.readouterr().out
    assert len(paths) == (1 if connection.vendor == "sqlite" else 0)
    assert all(not p.parent.exists() for p in paths)
    known = DeclarationLine.unscoped.get(person=ci["person"])
    assert known.declaration.employer_id == employers[0].pk and known.line_no == 2
    assert DeclarationLine.unscoped.filter(person__isnull=True).count() == 119
    for d in Declaration.unscoped.all():
        mine = DeclarationLine.unscoped.filter(declaration=d)
        assert d.line_count == mine.count() == 40
        assert {ln.organisation_id for ln in mine} == {ci["org"].pk}
        assert sum(ln.gross_salary for ln in mine) == d.total_salary
        with tenant_scope(ci["org"]):
            recomputed = selectors.declaration_lines(declaration=d)
        assert sum(ln.employer_total + ln.employee_total for ln in recomputed) == d.total


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["stage", "account"])
def test_a_large_import_failing_after_its_lines_were_started_stores_nothing(
    ci, tmp_path, monkeypatch, failure
):
    """The scratch write fails, or the account entries made meanwhile do: nothing is stored,
    the scratch file is gone, and the connection imports the next file normally."""
    from django.db import connection

    from kafo.contributions import ledger

    if failure == "stage" and connection.vendor != "sqlite":
        pytest.skip("PostgreSQL copies lines without a scratch file")
    paths = _spy_stage(monkeypatch, fail=OSError("disk full") if failure == "stage" else None)
    if failure == "account":
        monkeypatch.setattr(
            ledger, "post_declarations", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full"))
        )
    path, _employers = _many_employers_file(ci, tmp_path)
    with pytest.raises(OSError, match="disk full"):
        call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert not Declaration.unscoped.exists() and not DeclarationLine.unscoped.exists()
    assert len(paths) == (1 if connection.vendor == "sqlite" else 0)
    assert all(not p.parent.exists() for p in paths)

    monkeypatch.undo()
    call_command("declarations_import", str(path), "--organisation", "CNPS-CI", verbosity=0)
    assert DeclarationLine.unscoped.count() == 120
