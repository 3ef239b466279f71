"""Bank account identifiers of the CFA zones: the RIB and the IBAN derived from it.

Rules (payments-indicators.md §1.3, verified on every published example):

- **UEMOA RIB, 24 characters**: bank code 5 (country letters + 3 digits, e.g. ``ML016``),
  branch 5 digits, account 12 digits, key 2. Letters become digits with the French RIB table
  (A,J→1; B,K,S→2; …; I,R,Z→9); key = 97 − (bank+branch+account+"00" mod 97), so that the 24
  converted digits are ≡ 0 (mod 97).
- **CEMAC RIB, 23 digits**: bank 5, branch 5, account 11, key 2; the French formula
  key = 97 − ((89·bank + 15·branch + 3·account) mod 97), the same congruence.
- **IBAN** = country + 2 check digits (ISO 7064 mod 97-10, letters A=10…Z=35) + the RIB: 28
  characters in UEMOA, 27 in CEMAC. These countries are not in SWIFT's IBAN registry
  ("experimental" list): the RIB is the identifier kept, the IBAN is derived.

The key algorithm is empirically verified, not officially sourced (no BCEAO/BEAC text was
readable): ASSUMPTION-grade. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ZONES = ("UEMOA", "CEMAC")
UEMOA_COUNTRIES = frozenset({"BJ", "BF", "CI", "GW", "ML", "NE", "SN", "TG"})
CEMAC_COUNTRIES = frozenset({"CM", "CF", "CG", "GA", "GQ", "TD"})
RIB_LENGTH = {"UEMOA": 24, "CEMAC": 23}
IBAN_LENGTH = {**dict.fromkeys(UEMOA_COUNTRIES, 28), **dict.fromkeys(CEMAC_COUNTRIES, 27)}

# The French RIB letter table: A,J→1; B,K,S→2; C,L,T→3; D,M,U→4; E,N,V→5; F,O,W→6; G,P,X→7;
# H,Q,Y→8; I,R,Z→9 (S is 2, not 1: the table skips a place between R and S).
_RIB_LETTERS = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "12345678912345678923456789",
)
# ASCII digits only (re.ASCII): \d would also take other scripts' digits, which int() reads.
_UEMOA_RE = re.compile(r"([A-Z]{2}\d{3})(\d{5})(\d{12})(\d{2})", re.ASCII)
_CEMAC_RE = re.compile(r"(\d{5})(\d{5})(\d{11})(\d{2})", re.ASCII)
_IBAN_RE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{1,30}", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-.]+")


class BankIdError(ValueError):
    """A RIB or IBAN that cannot be accepted; the message (French) says which part and why."""


@dataclass(frozen=True)
class Rib:
    """A checked RIB. `str(rib)` is its compact form (24 or 23 characters)."""

    zone: str
    bank: str
    branch: str
    account: str
    key: str

    def __str__(self) -> str:
        return f"{self.bank}{self.branch}{self.account}{self.key}"

    @property
    def country(self) -> str | None:
        """The account's country: the bank code's letters in UEMOA; unknown in CEMAC."""
        return self.bank[:2] if self.zone == "UEMOA" else None


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text or "").upper()


def _rib_digits(text: str) -> int:
    return int(text.translate(_RIB_LETTERS))


def rib_key(bank: str, branch: str, account: str) -> str:
    """Return the two-digit key of a RIB's bank, branch and account codes (01–97)."""
    return f"{97 - _rib_digits(bank + branch + account + '00') % 97:02d}"


def rib_key_ok(rib: Rib | str) -> bool:
    """True when the RIB's key is right (its converted digits are ≡ 0 mod 97)."""
    text = _compact(str(rib))
    if not text or not text.isascii() or not text.isalnum():
        return False
    return _rib_digits(text) % 97 == 0


def parse_rib(text: str, zone: str) -> Rib:
    """Parse and check a RIB of `zone` ("UEMOA": 24 characters, "CEMAC": 23 digits); spaces,
    dashes and dots are ignored, letters upper-cased. Raise `BankIdError` naming what is wrong."""
    if zone not in RIB_LENGTH:
        raise BankIdError(f"zone monétaire inconnue « {zone} » (UEMOA ou CEMAC)")
    compact = _compact(text)
    expected = RIB_LENGTH[zone]
    if not compact:
        raise BankIdError("RIB vide")
    if len(compact) != expected:
        raise BankIdError(f"un RIB {zone} a {expected} caractères ; celui-ci en a {len(compact)}")
    if zone == "UEMOA":
        match = _UEMOA_RE.fullmatch(compact)
        if not match:
            raise BankIdError(_uemoa_format_error(compact))
        country = compact[:2]
        if country not in UEMOA_COUNTRIES:
            raise BankIdError(
                f"code banque « {compact[:5]} » : « {country} » n'est pas un pays de l'UEMOA"
            )
    else:
        match = _CEMAC_RE.fullmatch(compact)
        if not match:
            raise BankIdError(_cemac_format_error(compact))
    bank, branch, account, key = match.groups()
    expected_key = rib_key(bank, branch, account)
    if key != expected_key:
        raise BankIdError(f"clé RIB incorrecte : {key} au lieu de {expected_key}")
    return Rib(zone=zone, bank=bank, branch=branch, account=account, key=key)


def _uemoa_format_error(compact: str) -> str:
    if not re.match(r"^[A-Z]{2}\d{3}$", compact[:5]):
        return (
            f"code banque « {compact[:5]} » : 2 lettres du pays puis 3 chiffres attendus "
            "(ex. ML016)"
        )
    if not compact[5:10].isdigit():
        return f"code guichet « {compact[5:10]} » : 5 chiffres attendus"
    if not compact[10:22].isdigit():
        return f"numéro de compte « {compact[10:22]} » : 12 chiffres attendus"
    return f"clé RIB « {compact[22:]} » : 2 chiffres attendus"


def _cemac_format_error(compact: str) -> str:
    parts = (
        ("code banque", compact[:5], 5),
        ("code guichet", compact[5:10], 5),
        ("numéro de compte", compact[10:21], 11),
        ("clé RIB", compact[21:], 2),
    )
    for name, value, size in parts:
        if not value.isdigit():
            return f"{name} « {value} » : {size} chiffres attendus"
    return "RIB CEMAC : 23 chiffres attendus"  # pragma: no cover - the regex covers it


def _iban_number(text: str) -> int:
    rearranged = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged))


def iban_check_digits(country: str, bban: str) -> str:
    """Return the two ISO 7064 mod 97-10 check digits of `country` + `bban`."""
    return f"{98 - _iban_number(country + '00' + bban) % 97:02d}"


def iban_from_rib(rib: Rib, country: str | None = None) -> str:
    """Return the IBAN (compact, no spaces) of a checked RIB: country + check digits + RIB.

    In UEMOA the country is the bank code's; a different `country` is refused. In CEMAC the
    RIB does not carry it: `country` (CM, TD, GQ, CF, CG, GA) is required."""
    if rib.zone == "UEMOA":
        if country and country.upper() != rib.country:
            raise BankIdError(
                f"le RIB est d'une banque de « {rib.country} », pas de « {country.upper()} »"
            )
        country = rib.country
    else:
        if not country or country.upper() not in CEMAC_COUNTRIES:
            raise BankIdError(
                f"pays « {country or ''} » : un pays de la CEMAC est attendu pour l'IBAN "
                "(CM, CF, CG, GA, GQ, TD)"
            )
        country = country.upper()
    return f"{country}{iban_check_digits(country, str(rib))}{rib}"


def iban_ok(iban: str) -> bool:
    """True when `iban` (spaces allowed) is well formed, has its country's length where known
    (28 in UEMOA, 27 in CEMAC) and its check digits are right (mod 97 = 1)."""
    compact = _compact(iban)
    if not _IBAN_RE.fullmatch(compact):
        return False
    length = IBAN_LENGTH.get(compact[:2])
    if length is not None and len(compact) != length:
        return False
    return _iban_number(compact) % 97 == 1


def rib_from_iban(iban: str) -> Rib:
    """Return the checked RIB inside a UEMOA or CEMAC IBAN; raise `BankIdError` otherwise."""
    compact = _compact(iban)
    if not iban_ok(compact):
        raise BankIdError(f"IBAN « {compact} » invalide (longueur ou chiffres de contrôle)")
    country = compact[:2]
    if country in UEMOA_COUNTRIES:
        return parse_rib(compact[4:], "UEMOA")
    if country in CEMAC_COUNTRIES:
        return parse_rib(compact[4:], "CEMAC")
    raise BankIdError(f"IBAN « {compact} » : pays hors UEMOA et CEMAC")


def zone_of_country(country: str) -> str | None:
    """Return "UEMOA" or "CEMAC" for a country code of the zones, else None."""
    country = (country or "").upper()
    if country in UEMOA_COUNTRIES:
        return "UEMOA"
    if country in CEMAC_COUNTRIES:
        return "CEMAC"
    return None
