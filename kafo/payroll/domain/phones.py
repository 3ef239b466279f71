"""Mobile-money numbers in E.164, checked with Google's libphonenumber metadata (`phonenumbers`).

A mobile-money wallet is a mobile line of the operator's country: `normalise_msisdn` accepts a
number typed in national form ("65 01 23 45", "07 01 02 03 04") or international form
("+223 65 01 23 45", "00223…"), and refuses a number that is not a valid mobile number of that
country (a fixed line, a number of another country, a number of the wrong length). Plans
change (Côte d'Ivoire went to 10 digits in 2021, Benin in 2024): keep `phonenumbers` up to
date. Pure: no Django.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

# Numbering-plan changes that make an old, once valid number fail: said in the error.
_PLAN_CHANGES = {
    "CI": "depuis le 31/01/2021 les numéros ivoiriens ont 10 chiffres (ex. 07 01 02 03 04)",
    "BJ": "depuis le 30/11/2024 les numéros béninois ont 10 chiffres et commencent par 01",
}


class PhoneError(ValueError):
    """A number refused as a mobile-money number; the message (French) says why."""


def normalise_msisdn(text: str, country_iso2: str) -> str:
    """Return `text` as an E.164 mobile number of `country_iso2` ("+22365012345").

    Raise `PhoneError` when it is not a phone number, not of that country, not valid, or not
    a mobile line."""
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
            f"un numéro du pays {country} est attendu"
        )
    if not phonenumbers.is_valid_number_for_region(number, country):
        reason = f"« {text} » : numéro invalide pour le pays {country}"
        if country in _PLAN_CHANGES:
            reason += f" : {_PLAN_CHANGES[country]}"
        raise PhoneError(reason)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(f"« {text} » : numéro fixe ; le mobile money demande un numéro de mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def msisdn_ok(text: str, country_iso2: str) -> bool:
    """True when `text` is an E.164 (or national) mobile number of `country_iso2`."""
    try:
        normalise_msisdn(text, country_iso2)
    except PhoneError:
        return False
    return True
