"""Refuse NUL characters in any request, in one place.

PostgreSQL text cannot hold U+0000: such a value reaching a query raises a database error,
and the request would answer 500. A clear 400 at the door instead, wherever the character
hides: the path, the query string, a cookie, a form field (urlencoded or multipart: names and
values) or any other body (JSON, whatever its Content-Type says: the API parses a `text/plain`
body as JSON too). File names are checked too, though Django's multipart parser already drops
NUL from them. The contents of uploaded files are not checked: a binary file (.xlsx, .pdf)
legitimately holds NUL bytes, and the code that reads a file parses it.

The refusal is in the reader's language (kafo/i18n.py: the chosen language, Accept-Language on
the API): this runs before the locale middleware.
"""

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kafo.i18n import language_for

# How a NUL byte is written in a raw body: itself, percent-encoded, or escaped in JSON.
_BODY_MARKERS = (b"\x00", b"%00", b"\\u0000")
_MULTIPART = "multipart/form-data"


class NulCharacterFound(Exception):
    """`where` is a lazy translation, formatted with `field` once the language is known."""

    def __init__(self, where, field: str | None = None):
        super().__init__(str(where))
        self.where, self.field = where, field

    def reason(self) -> str:
        where = str(self.where) % {"field": self.field} if self.field else str(self.where)
        return gettext("Caractère NUL (U+0000) refusé dans %(where)s.") % {"where": where}


def _check_text(value: str, where, field: str | None = None) -> None:
    if "\x00" in value:
        raise NulCharacterFound(where, field)


def _check_multipart(request) -> None:
    """Check field names, values and file names; never the files' contents."""
    for name, values in request.POST.lists():
        _check_text(name, _("un nom de champ"))
        for value in values:
            _check_text(value, _("le champ « %(field)s »"), name)
    for name, files in request.FILES.lists():
        _check_text(name, _("un nom de champ"))
        for upload in files:
            _check_text(upload.name or "", _("le nom du fichier « %(field)s »"), name)


def check_request(request) -> None:
    """Raise NulCharacterFound if a NUL character hides anywhere but in an uploaded file."""
    _check_text(request.path, _("l’adresse"))
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or "%00" in query:
        raise NulCharacterFound(_("les paramètres de l’adresse"))
    for name, value in request.COOKIES.items():
        _check_text(name + value, _("un cookie"))
    if request.content_type == _MULTIPART:
        _check_multipart(request)
    elif int(request.META.get("CONTENT_LENGTH") or 0) > 0:
        if any(marker in request.body for marker in _BODY_MARKERS):
            raise NulCharacterFound(_("le contenu de la requête"))


class NulCharacterGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except NulCharacterFound as found:
            return _bad_request(request, found.field, found.reason)
        except MultiPartParserError:
            return _bad_request(request, None, lambda: gettext("Formulaire multipart illisible."))
        return self.get_response(request)


def _bad_request(request, field, reason):
    with translation.override(language_for(request)):
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"field": field, "reason": reason()}]}, status=400)
        return render(request, "400.html", {"reason": reason()}, status=400)
