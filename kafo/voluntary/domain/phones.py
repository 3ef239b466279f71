"""Phone numbers of voluntary members, kept in E.164 (Google's libphonenumber metadata through
`phonenumbers`). Pure: no Django.

A member living in the organisation's country gives a number of that country; a member of the
diaspora gives a number of the country they live in (any country of the world), typed in
national or international form. The app stores "+33612345678", never the typed text.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class PhoneError(ValueError):
    """A number refused; the message (French) says why."""


def normalise(text: str, country_iso2: str) -> str:
    """Return `text` as an E.164 number of `country_iso2`; raise PhoneError if it is not one."""
    country = (country_iso2 or "").upper()
    raw = (text or "").strip()
    if not raw:
        raise PhoneError("numéro de téléphone vide")
    calling_code = phonenumbers.country_code_for_region(country)
    if not calling_code:
        raise PhoneError(f"pays « {country_iso2} » inconnu")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, country)
    except NumberParseException:
        raise PhoneError(f"« {text} » n'est pas un numéro de téléphone") from None
    if number.country_code != calling_code:
        raise PhoneError(
            f"« {text} » : numéro de l'indicatif +{number.country_code}, "
            f"un numéro du pays {country} (+{calling_code}) est attendu"
        )
    if not phonenumbers.is_valid_number_for_region(number, country):
        raise PhoneError(f"« {text} » : numéro invalide pour le pays {country}")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_country(code: str) -> bool:
    """True when `code` is an ISO 3166 alpha-2 code libphonenumber knows."""
    return bool(code) and code.upper() in phonenumbers.SUPPORTED_REGIONS
