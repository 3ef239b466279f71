"""Phone numbers of voluntary members, kept in E.164 (the zone's one check:
kafo.messaging.domain.phone.parse_of_country, on `phonenumbers`). Pure: no Django.

A member living in the organisation's country gives a number of that country; a member of the
diaspora gives a number of the country they live in (any country of the world), typed in
national or international form. The app stores "+33612345678", never the typed text.
"""

from __future__ import annotations

import phonenumbers

from kafo.messaging.domain.phone import InvalidPhoneNumber, e164, parse_of_country


class PhoneError(InvalidPhoneNumber):
    """A number refused; the message (French) says why."""


def normalise(text: str, country_iso2: str) -> str:
    """Return `text` as an E.164 number of `country_iso2`; raise PhoneError if it is not one."""
    try:
        return e164(parse_of_country(text, country_iso2))
    except InvalidPhoneNumber as exc:
        raise PhoneError(str(exc)) from None


def is_country(code: str) -> bool:
    """True when `code` is an ISO 3166 alpha-2 code libphonenumber knows."""
    return bool(code) and code.upper() in phonenumbers.SUPPORTED_REGIONS
