import pytest
from django.core.management import CommandError, call_command

from kafo.contributions.models import Declaration, DeclarationLine

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
