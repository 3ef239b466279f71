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
from phonenumbers import PhoneNumberType

from kafo.messaging.domain.phone import InvalidPhoneNumber, e164, parse_of_country

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneError(InvalidPhoneNumber):
    """A number refused as a mobile-money number; the message (French) says why."""


def normalise_msisdn(text: str, country_iso2: str) -> str:
    """Return `text` as an E.164 mobile number of `country_iso2` ("+22365012345").

    Raise `PhoneError` when it is not a phone number, not of that country, not valid (the
    zone's one check, kafo.messaging.domain.phone.parse_of_country), or not a mobile line."""
    try:
        number = parse_of_country(text, country_iso2)
    except InvalidPhoneNumber as exc:
        raise PhoneError(str(exc)) from None
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(f"« {text} » : numéro fixe ; le mobile money demande un numéro de mobile")
    return e164(number)


def msisdn_ok(text: str, country_iso2: str) -> bool:
    """True when `text` is an E.164 (or national) mobile number of `country_iso2`."""
    try:
        normalise_msisdn(text, country_iso2)
    except PhoneError:
        return False
    return True
