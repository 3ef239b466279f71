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


# Numbering-plan changes that make an old, once valid number fail: said in the error.
PLAN_CHANGES = {
    "CI": "depuis le 31/01/2021 les numéros ivoiriens ont 10 chiffres (ex. 07 01 02 03 04)",
    "BJ": "depuis le 30/11/2024 les numéros béninois ont 10 chiffres et commencent par 01",
}


def parse_of_country(text: str, country_iso2: str) -> phonenumbers.PhoneNumber:
    """Return `text` read as a valid number of `country_iso2` (national or international form,
    "00" read as "+"); raise InvalidPhoneNumber with a French reason otherwise: empty, unknown
    country, unreadable, another country's calling code, invalid (with the country's plan
    change when it has one). The one check behind mobile-money wallets and members' phones."""
    country = (country_iso2 or "").upper()
    raw = (text or "").strip()
    if not raw:
        raise InvalidPhoneNumber("numéro de téléphone vide")
    calling_code = phonenumbers.country_code_for_region(country)
    if not calling_code:
        raise InvalidPhoneNumber(f"pays « {country_iso2} » inconnu")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(f"« {text} » n'est pas un numéro de téléphone") from None
    if number.country_code != calling_code:
        raise InvalidPhoneNumber(
            f"« {text} » : numéro de l'indicatif +{number.country_code}, "
            f"un numéro du pays {country} est attendu"
        )
    if not phonenumbers.is_valid_number_for_region(number, country):
        reason = f"« {text} » : numéro invalide pour le pays {country}"
        if country in PLAN_CHANGES:
            reason += f" : {PLAN_CHANGES[country]}"
        raise InvalidPhoneNumber(reason)
    return number


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
