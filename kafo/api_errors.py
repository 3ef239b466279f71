"""One error shape for the whole API: {"errors": [{"field": ..., "reason": ...}]}."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


def errors_of(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "reason": str(message)}
            for field, errs in exc.message_dict.items()
            for message in errs
        ]
    return [{"field": None, "reason": str(m)} for m in exc.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def domain_invalid(request, exc):
        return api.create_response(request, {"errors": errors_of(exc)}, status=422)

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request, exc):
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None,
                # A schema's own check (kafo.api_inputs) says why; pydantic prefixes it.
                "reason": e.get("msg", "invalid").removeprefix("Value error, "),
            }
            for e in exc.errors
        ]
        return api.create_response(request, {"errors": errors}, status=422)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, {"errors": [{"field": None, "reason": "not found"}]}, status=404
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        reason = getattr(exc, "reason", "authentication required")  # TokenRefused says why
        return api.create_response(
            request, {"errors": [{"field": None, "reason": reason}]}, status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(
            request, {"errors": [{"field": None, "reason": str(exc)}]}, status=exc.status_code
        )


class ErrorItem(Schema):
    field: str | None
    reason: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


# Documented error answers of every operation (use as `response={200: X, **ERRORS}`).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
