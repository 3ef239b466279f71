"""Upload limits, checked before parsing: zip bombs, size, columns, rows; nothing is stored."""

import io
import struct
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kafo.accounts.models import ApiToken
from kafo.contributions.domain import dns
from kafo.contributions.domain.file_limits import FileLimits, check
from kafo.contributions.models import BankStatement, Declaration, Payment
from kafo.contributions.tests.conftest import HEADER, csv_of

NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
MB = 1024 * 1024


def _entry(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _zip(entries) -> bytes:
    """A zip written by hand from raw deflate streams (so a 200 MB entry costs no compression)."""
    out, central = io.BytesIO(), []
    for name, raw, crc, size in entries:
        offset = out.tell()
        n = name.encode()
        local = (0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(n), 0)
        out.write(struct.pack("<IHHHHHIIIHH", *local))
        out.write(n + raw)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                        len(n), 0, 0, 0, 0, 0, offset) + n
        )  # fmt: skip
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))  # fmt: skip
    return out.getvalue()


def xlsx_with_sheet(sheet: tuple[str, bytes, int, int] | bytes) -> bytes:
    """A real workbook (made by openpyxl) whose first sheet is replaced."""
    buf = io.BytesIO()
    Workbook().save(buf)
    parts = zipfile.ZipFile(buf)
    entries = []
    for info in parts.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            entries.append(sheet if isinstance(sheet, tuple) else _entry(info.filename, sheet))
        else:
            entries.append(_entry(info.filename, parts.read(info)))
    return _zip(entries)


def claiming_whole_sheet() -> bytes:
    """1.7 KB-class bomb: a sheet claiming A1:XFD1048576 with a cell at its far corner."""
    return xlsx_with_sheet(
        NS + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>employer_number</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )


def compressed_200mb() -> bytes:
    """A sheet of 200 MB of repeated rows, deflated to well under 1 MB.

    After a full flush the compressor starts afresh, so the same 1 MB block compresses to the
    same bytes: the stream is built by repeating them, not by compressing 200 MB."""
    block = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * (MB // 50)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(NS + b"<sheetData>") + c.flush(zlib.Z_FULL_FLUSH)
    c.compress(block)
    c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(b"</sheetData></worksheet>") + c.flush()
    crc = zlib.crc32(NS + b"<sheetData>")
    for _ in range(210):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(b"</sheetData></worksheet>", crc)
    size = len(NS) + 11 + 210 * len(block) + 24
    raw = head + again * 210 + tail
    return xlsx_with_sheet(("xl/worksheets/sheet1.xml", raw, crc, size))


def test_bombs_are_refused_fast_without_decompressing():
    for bomb, reason in [
        (claiming_whole_sheet(), "trop de colonnes : la feuille annonce 16384 colonnes"),
        (compressed_200mb(), "classeur Excel trop volumineux une fois décompressé"),
    ]:
        started = time.perf_counter()
        parsed = dns.read_bytes(bomb, "dns.xlsx")
        assert time.perf_counter() - started < 0.5
        assert parsed.frame is None
        assert [e["reason"].split(" :")[0] for e in parsed.errors] == [reason.split(" :")[0]]
        assert reason in parsed.errors[0]["reason"]


def test_the_200mb_payload_is_genuine():
    """The crafted sheet really holds 200 MB (zip's CRC checked on a streamed read)."""
    bomb = zipfile.ZipFile(io.BytesIO(compressed_200mb()))
    info = bomb.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 200 * MB and info.compress_size < MB
    assert check(compressed_200mb(), "x.xlsx", FileLimits(xlsx_max_uncompressed=300 * MB)) == [
        {
            "line": None,
            "column": None,
            "value": None,
            "reason": f"classeur Excel anormal : xl/worksheets/sheet1.xml est compressé "
            f"{info.file_size // info.compress_size} fois, 200 fois au plus",
        }
    ]


def test_a_sheet_without_dimension_is_read_no_wider_than_its_cells():
    """No declared dimension, a cell at XFD: refused at that row, without padding 16,384."""
    content = xlsx_with_sheet(
        NS + b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2"><c r="XFD2"><v>1</v></c></row></sheetData></worksheet>'
    )
    parsed = dns.read_bytes(content, "dns.xlsx")
    assert parsed.errors == [
        {"line": 2, "column": None, "value": None, "reason": "trop de colonnes : 16384, 50 au plus"}
    ]


def test_too_many_columns_in_a_csv():
    header = HEADER + "".join(f",extra_{i}" for i in range(42))
    parsed = dns.read_bytes((header + "\n").encode(), "dns.csv")
    assert parsed.errors[0]["reason"] == "trop de colonnes : 51, 50 au plus"


@pytest.fixture
def small_limits(settings):
    settings.KAFO_UPLOAD_LIMITS = {
        kind: limits | {"max_rows": 2, "max_bytes": 20_000}
        for kind, limits in settings.KAFO_UPLOAD_LIMITS.items()
    }


@pytest.fixture
def portal(ci, make_user, client):
    client.force_login(make_user(ci["org"], "employer", username="sotra", employer=ci["employer"]))
    return ci


def _post(client, ci, content: bytes, name: str):
    return client.post(
        reverse("contributions-declaration-new"),
        {"period": "2025-03", "kind": "original", "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (
            b"employer_number," + b"x" * 25_000 + b"\n",
            "dns.csv",
            "Fichier trop volumineux : 24 Ko, 19 Ko au plus sur cette page.",
        ),
        (None, "dns.csv", "Fichier refusé : trop de lignes : 3, 2 au plus."),
        (
            "claiming",
            "dns.xlsx",
            "Fichier refusé : trop de colonnes : la feuille annonce 16384 colonnes "
            "(A1:XFD1048576), 50 au plus.",
        ),
        (
            "rows",
            "dns.xlsx",
            "Fichier refusé : trop de lignes : plus de 2, 2 au plus.",
        ),
    ],
)
def test_declaration_page_refuses_past_a_limit_and_stores_nothing(
    small_limits, portal, client, content, name, reason
):
    if content is None:
        lines = [[portal["employer"].number, "2025-03", portal["person"].number, "", "K", "Y",
                  "31", "50000", ""]] * 3  # fmt: skip
        content = csv_of(portal["employer"], portal["person"], lines)
    elif content == "claiming":
        content = claiming_whole_sheet()
    elif content == "rows":  # no dimension: the <row> tags are counted
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 5))
        content = xlsx_with_sheet(NS + b"<sheetData>" + rows + b"</sheetData></worksheet>")
    response = _post(client, portal, content, name)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0] == reason
    assert "kafo declarations import" in errors[1]
    assert Declaration.objects.count() == 0


def test_declaration_page_still_accepts_a_file_within_the_limits(small_limits, portal, client):
    response = _post(client, portal, csv_of(portal["employer"], portal["person"]), "dns.csv")
    assert response.status_code == 302
    assert Declaration.objects.count() == 1


def test_the_size_message_names_the_default_limit(portal, client):
    response = _post(client, portal, b"employer_number\n" + b"1\n" * (3 * MB), "dns.csv")
    assert response.context["form"].errors["file"][0] == (
        "Fichier trop volumineux : 6 Mo, 5 Mo au plus sur cette page."
    )
    assert Declaration.objects.count() == 0


def test_bank_statement_page_refuses_too_many_lines(small_limits, ci, make_user, client):
    client.force_login(make_user(ci["org"], "contributions_manager"))
    content = (
        "date,amount,employer_number,reference\n"
        + "".join(f"01/02/2025,100,{ci['employer'].number},R{i}\n" for i in range(3))
    ).encode()
    response = client.post(
        reverse("contributions-statement-import"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert response.context["form"].errors["file"] == [
        "Fichier refusé : trop de lignes : 3, 2 au plus.",
        "Découpez le relevé en plusieurs fichiers (par exemple par semaine).",
    ]
    assert BankStatement.objects.count() == 0 and Payment.objects.count() == 0


def test_api_refuses_too_many_lines(small_limits, ci, make_user, client):
    _t, raw = ApiToken.issue(user=make_user(ci["org"], "contributions_manager"), name="t")
    line = {"worker_number": ci["person"].number, "family_name": "K", "given_names": "Y",
            "days_worked": 31, "gross_salary": "50000"}  # fmt: skip
    body = {"employer_number": ci["employer"].number, "period": "2025-03", "lines": [line] * 3}
    response = client.post(
        "/api/declarations", body, "application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines"
    assert response.json()["errors"][0]["reason"].startswith("Trop de lignes : 3, 2 au plus")
    assert Declaration.objects.count() == 0


def test_request_bodies_past_the_cap_are_refused_before_reading(settings, ci, make_user, client):
    settings.KAFO_API_MAX_BODY_BYTES = 1000
    settings.KAFO_MAX_REQUEST_BYTES = 2000
    client.force_login(make_user(ci["org"], "employer", username="sotra", employer=ci["employer"]))
    api = client.post("/api/declarations", {"lines": ["x" * 1000]}, content_type="application/json")
    assert api.status_code == 413
    reason = api.json()["errors"][0]["reason"]
    assert reason.startswith("Requête trop volumineuse : 1000 octets au plus")
    page = _post(client, ci, b"x" * 3000, "dns.csv")
    assert page.status_code == 413
    assert "kafo declarations import" in page.content.decode()
    assert Declaration.objects.count() == 0
