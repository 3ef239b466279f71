"""Every string marked for translation has its English, and no guess waits for review (issue 18).

`makemessages -l en` runs over a copy of the source tree (never over the real catalogue, which
other work edits), then the resulting catalogue must have no empty msgstr and no fuzzy entry:
a string added to a page without its English line in kafo/locale/en/LC_MESSAGES/django.po
fails here, naming the string and where it is used.
"""

import shutil
from pathlib import Path

from django.core.management import call_command
from django.core.management.commands import makemessages
from django.test import override_settings

from conftest import require_tool
from kafo.tests.i18n_words import forbidden_in

KAFO = Path(__file__).resolve().parents[1]


def untranslated(po_text: str) -> list[str]:
    """Return "msgid (where)" for each entry of a .po text whose msgstr is empty or fuzzy."""
    missing = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        msgid = "".join(_strings(lines, "msgid "))
        if msgid == "":
            continue  # the header
        where = " ".join(line[3:] for line in lines if line.startswith("#: "))
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgstrs = [line for line in lines if line.startswith("msgstr")]
        empty = any("".join(_strings(lines, head.split(" ", 1)[0] + " ")) == "" for head in msgstrs)
        if fuzzy or empty:
            missing.append(f"{msgid!r} ({where}){' fuzzy' if fuzzy else ''}")
    return missing


def _strings(lines: list[str], head: str) -> list[str]:
    """Return the quoted pieces of the field starting with `head` and its continuation lines."""
    pieces, inside = [], False
    for line in lines:
        if line.startswith(head):
            inside = True
            pieces.append(line[len(head) :].strip()[1:-1])
        elif inside and line.startswith('"'):
            pieces.append(line[1:-1])
        elif inside:
            break
    return pieces


def test_untranslated_reads_empty_and_fuzzy_entries():
    po = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\nmsgid "Comptes"\nmsgstr "Accounts"\n\n'
        '#: b.py:2\nmsgid "Défaillants"\nmsgstr ""\n\n'
        '#: c.py:3\n#, fuzzy\n#| msgid "Tentatives"\nmsgid "Tentatives de connexion"\n'
        'msgstr "Attempts"\n\n'
        '#: d.py:4\nmsgid "%(n)s paiement"\nmsgid_plural "%(n)s paiements"\n'
        'msgstr[0] "%(n)s payment"\nmsgstr[1] ""\n\n'
        '#: e.py:5\nmsgid ""\n"Long "\n"text"\nmsgstr ""\n"Long "\n"text"\n'
    )
    assert untranslated(po) == [
        "'Défaillants' (b.py:2)",
        "'Tentatives de connexion' (c.py:3) fuzzy",
        "'%(n)s paiement' (d.py:4)",
    ]


def test_makemessages_finds_no_untranslated_string(tmp_path, monkeypatch):
    require_tool(bool(shutil.which("xgettext")), "xgettext (makemessages)", "gettext")
    copy = tmp_path / "kafo"
    shutil.copytree(KAFO, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    monkeypatch.chdir(copy)
    # A new string must show as untranslated, not as msgmerge's guess from a similar one.
    options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    monkeypatch.setattr(makemessages.Command, "msgmerge_options", options)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["en"],
            no_obsolete=True,
            ignore_patterns=["tests/*", "*/tests/*", "static/*"],
            verbosity=0,
        )
    missing = untranslated((copy / "locale/en/LC_MESSAGES/django.po").read_text())
    assert missing == [], "sans traduction anglaise :\n" + "\n".join(missing)


def test_admin_sections_are_named_in_french(client, make_user):
    """Issue 18: "ACCOUNTS", "AXES", "Administration de Accounts" in the French admin."""
    from kafo.accounts.models import User

    admin = make_user(None, "zone_admin", username="zone.superuser")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    accounts = client.get("/admin/accounts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for name in ("Comptes", "Tentatives de connexion", "Indicateurs", "Organisations"):
        assert f">{name}</a>" in index
    assert "Administration de Comptes" in accounts
    assert forbidden_in(index) == []
    assert forbidden_in(accounts) == []
