"""What every governance write checks before it writes: required fields, choices, uploaded
files, amounts, users of the same organisation; the row lock a status change starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Status

MAX_FILE_BYTES = 20 * 1024 * 1024
FILE_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".jpg", ".jpeg", ".png", ".txt",
}  # fmt: skip
MANUAL_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.DONE, Status.DROPPED)


def _today() -> dt.date:
    return timezone.localdate()


def _label(user) -> str:
    return user.get_username() if user is not None else "système"


def _required(errors: dict, values: Mapping[str, Any], *fields: str) -> None:
    for field in fields:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = _("Ce champ est obligatoire.")


def _choice(errors: dict, values: Mapping[str, Any], field: str, choices) -> None:
    if values.get(field) not in choices.values:
        errors[field] = _("Valeur invalide.")


def _check_file(errors: dict, field: str, upload) -> None:
    if upload is None:
        return
    if PurePath(upload.name).suffix.lower() not in FILE_EXTENSIONS:
        errors[field] = _("Type de fichier non accepté (PDF, Word, Excel, image ou texte).")
    elif upload.size > MAX_FILE_BYTES:
        errors[field] = _("Fichier trop volumineux (20 Mo au plus).")


def _check_same_org(errors: dict, field: str, user, organisation_id: int) -> None:
    if user is not None and user.organisation_id != organisation_id:
        errors[field] = _("Cet utilisateur n'appartient pas à l'organisme.")


def _amount(errors: dict, field: str, value, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Ce champ est obligatoire.")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[field] = _("Montant invalide.")
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = _("Le montant doit être positif ou nul.")
        return None
    return amount


def _lock(instance) -> None:
    """Lock the row and reload it: a status change starts from the stored state."""
    type(instance).unscoped.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_owner(errors: dict, values: Mapping[str, Any], organisation_id: int) -> None:
    _required(errors, values, "owner_name")
    _check_same_org(errors, "owner_user", values.get("owner_user"), organisation_id)
