"""Upload limits: per kind of file (settings.KAFO_UPLOAD_LIMITS), checked before any parsing,
and a cap on every request's body (RequestSizeLimitMiddleware).

Django's DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE decide what is buffered in
memory, not what is accepted: a 200 MB multipart upload is spooled to disk and handed to the
view. The middleware refuses it from its Content-Length before Django reads the body; each form
and the API then check their own kind's limits (size, rows, columns, an .xlsx's decompressed
size, entries and ratio: kafo/contributions/domain/file_limits.py) before the reader runs.
Files too large for a request go through the command line (`kafo declarations import`).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from kafo.contributions.domain.file_limits import FileLimits, check, megabytes

DECLARATION = "declaration"
DECLARATION_BULK = "declaration_bulk"
BANK_STATEMENT = "bank_statement"


def limits(kind: str) -> FileLimits:
    """The limits of one kind of upload, from settings.KAFO_UPLOAD_LIMITS."""
    return FileLimits(**settings.KAFO_UPLOAD_LIMITS[kind])


def _advice(kind: str) -> str:
    if kind == DECLARATION:
        return _(
            "Envoyez la déclaration en plusieurs fichiers (par exemple par établissement), ou "
            "transmettez le fichier à votre organisme pour un import en masse "
            "(commande « kafo declarations import »)."
        )
    if kind == BANK_STATEMENT:
        return _("Découpez le relevé en plusieurs fichiers (par exemple par semaine).")
    return ""


def upload_errors(upload, kind: str) -> list[str]:
    """Check an uploaded file against its kind's limits; return the reasons it is refused.

    The size is read from the upload before its content; the content (then within the size
    limit) is measured, not parsed. The file is left at its start for the reader.
    """
    lim = limits(kind)
    if lim.max_bytes is not None and upload.size > lim.max_bytes:
        reasons = [
            _("Fichier trop volumineux : %(size)s, %(max)s au plus sur cette page.")
            % {"size": megabytes(upload.size), "max": megabytes(lim.max_bytes)}
        ]
    else:
        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        found = check(content, upload.name or "", lim)
        reasons = [_("Fichier refusé : %(reason)s.") % {"reason": e["reason"]} for e in found]
    if reasons and _advice(kind):
        reasons.append(_advice(kind))
    return reasons


def _refused(request, cap: int) -> HttpResponse:
    reason = _(
        "Requête trop volumineuse : %(max)s au plus. Les fichiers plus gros passent par "
        "l'import en masse de votre organisme (commande « kafo declarations import »)."
    ) % {"max": megabytes(cap)}
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "reason": reason}]}, status=413)
    return HttpResponse(reason, status=413, content_type="text/plain; charset=utf-8")


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds the cap (413), before anything reads it:
    KAFO_API_MAX_BODY_BYTES under /api/, KAFO_MAX_REQUEST_BYTES elsewhere. Under WSGI a body
    without Content-Length is read as empty, so the declared length is the whole body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        api = request.path.startswith("/api/")
        cap = settings.KAFO_API_MAX_BODY_BYTES if api else settings.KAFO_MAX_REQUEST_BYTES
        if length > cap:
            return _refused(request, cap)
        return self.get_response(request)
