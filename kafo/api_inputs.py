"""What the API's JSON inputs accept, for every app's schemas.py: an object body, ISO dates.

Left to themselves, ninja and pydantic read a PATCH body of `[]`, `null` or `"x"` as "no field
given" (ninja's schemas read attributes of any object) and the number `0`, or the text `"0"`, as
a Unix time: 01/01/1970. Input schemas derive from `InputSchema` and type their dates
`IsoDate`, so both answer 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, model_validator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InputSchema(Schema):
    """A request body: a JSON object, nothing else."""

    @model_validator(mode="before")
    @classmethod
    def _body_is_an_object(cls, value: Any) -> Any:
        # ninja's own validator has already wrapped the input for attribute access.
        body = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(body, dict):
            raise ValueError(
                _("le corps de la requête doit être un objet JSON, pas %(kind)s")
                % {"kind": _json_kind(body)}
            )
        return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("un booléen")
    if isinstance(value, int | float):
        return _("un nombre")
    if isinstance(value, str):
        return _("un texte")
    if isinstance(value, list):
        return _("une liste")
    return type(value).__name__


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic turns it into a date, or says why it is not one
    raise ValueError(_("date attendue au format AAAA-MM-JJ (texte), par exemple 1975-03-12"))


# A date written "YYYY-MM-DD": no number (Unix time), no datetime, no other text.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
