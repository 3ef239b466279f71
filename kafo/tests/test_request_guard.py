"""NUL characters are refused at the door with a clear 400 (issue 12, finding 6): PostgreSQL
text cannot hold U+0000, and past the guard a `text/plain` JSON body or a multipart form gave a
500 (with DEBUG on, a page showing DATABASE_URL). Uploaded files' contents are not refused: a
binary file holds NUL bytes legitimately.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart

from kafo.accounts.models import ApiToken
from kafo.registry.models import Person

PERSON = {"family_name": "Keita", "given_names": "Awa", "sex": "F", "birth_date": "1970-01-01"}
REFUSED = "Caractère NUL (U+0000) refusé dans "


@pytest.fixture
def token(zone, make_user):
    user = make_user(zone["INPS-ML"], "registration_agent")
    raw = ApiToken.issue(user=user, name="nul")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _api_refusal(response, where, field=None):
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": field, "reason": f"{REFUSED}{where}."}]}


def _page_refusal(response, where):
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Requête refusée</h1>" in page
    assert f"{REFUSED}{where}." in page
    assert "DATABASE" not in page and "SECRET" not in page


def test_a_json_body_sent_as_text_plain_is_refused(client, token):
    body = '{"family_name": "Kei\\u0000ta", "given_names": "Awa", "sex": "F"}'
    response = client.post("/api/persons", body, content_type="text/plain", **token)
    _api_refusal(response, "le contenu de la requête")
    assert Person.objects.count() == 0


def test_a_raw_nul_byte_in_a_json_body_is_refused(client, token):
    body = b'{"family_name": "Kei\x00ta", "given_names": "Awa", "sex": "F"}'
    response = client.post("/api/persons", body, content_type="application/json", **token)
    _api_refusal(response, "le contenu de la requête")
    assert Person.objects.count() == 0


def test_a_multipart_field_to_the_api_is_refused_naming_the_field(client, token):
    data = {**PERSON, "family_name": "Kei\x00ta"}
    response = client.post("/api/persons", data, **token)  # multipart by default
    _api_refusal(response, "le champ « family_name »", field="family_name")
    assert Person.objects.count() == 0


def test_the_query_string_is_refused(client, token):
    _api_refusal(client.get("/api/search?q=ab%00cd", **token), "les paramètres de l’adresse")
    _page_refusal(client.get("/login/?next=%00"), "les paramètres de l’adresse")


def test_an_urlencoded_form_is_refused(client, db):
    response = client.post(
        "/login/", "username=a%00b&password=x", content_type="application/x-www-form-urlencoded"
    )
    _page_refusal(response, "le contenu de la requête")


def test_a_multipart_form_value_field_name_or_file_name_is_refused(client, db):
    _page_refusal(
        client.post("/login/", {"username": "a\x00b", "password": "x"}), "le champ « username »"
    )
    _page_refusal(client.post("/login/", {"user\x00name": "a", "password": "x"}), "un nom de champ")


def test_a_nul_in_a_file_name_never_reaches_a_view(rf):
    # Django's multipart parser drops it (the guard would refuse it otherwise).
    upload = SimpleUploadedFile("dns\x00.xlsx", b"PK\x03\x04")
    assert rf.post("/login/", {"file": upload}).FILES["file"].name == "dns.xlsx"


def test_a_file_whose_contents_hold_nul_bytes_passes_the_guard(client, db):
    upload = SimpleUploadedFile("dns.xlsx", b"PK\x03\x04\x00\x00\x08\x00binary\x00")
    body = encode_multipart("BoUnDaRy", {"username": "awa", "password": "x", "file": upload})
    response = client.post("/login/", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert response.status_code == 200  # the login form again (wrong password), not a 400
    assert MULTIPART_CONTENT.startswith("multipart/form-data")


def test_a_cookie_is_refused(client, db):
    client.cookies["sessionid"] = "abc\x00def0123"
    _page_refusal(client.get("/login/"), "un cookie")


def test_the_page_refusal_is_in_english_for_an_english_reader(client, db):
    client.cookies["django_language"] = "en"
    response = client.get("/login/?next=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Request refused</h1>" in page
    assert "NUL character (U+0000) refused in the address’s parameters." in page
    api = client.get("/api/search?q=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert api.json()["errors"][0]["reason"] == (
        "NUL character (U+0000) refused in the address’s parameters."
    )
