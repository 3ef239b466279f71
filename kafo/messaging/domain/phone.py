"""Phone numbers to E.164 with `phonenumbers`, read in the organisation's country.

Côte d'Ivoire (10 digits since 2021) and Benin (10 digits, "01" prefix, since November 2024)
changed their plans: an 8-digit legacy number of those countries is not guessed here; it is
refused as invalid so a person's record gets corrected (reference payments-indicators §2.3).
"""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    """The number cannot be read as a valid mobile or fixed number."""


def to_e164(raw: str, country_code: str) -> str:
    """Return `raw` as E.164 ("+22370123456"), reading national numbers in `country_code`.

    Raise InvalidPhoneNumber with a French reason if it is empty, unreadable or not a valid
    number of its country.
    """
    raw = (raw or "").strip()
    if not raw:
        raise InvalidPhoneNumber("numéro vide")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, country_code.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"numéro illisible : {raw}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"numéro invalide pour son pays : {raw}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
