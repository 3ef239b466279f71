"""GSM 03.38 7-bit alphabet: which texts fit one SMS (160 characters), and French made to fit.

Pure functions, no Django. The basic table holds é è à ù ì ò É Ç but not ê â î ô û ç ë ï œ;
the extension table's characters (€ [ ] { } \\ ^ ~ |) take two septets each. A text with any
other character is sent as UCS-2: 70 characters per SMS instead of 160.
"""

from __future__ import annotations

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"

SINGLE_SMS_SEPTETS = 160
PART_SEPTETS = 153  # each part of a concatenated message loses 7 septets to its header
SINGLE_SMS_UCS2 = 70
PART_UCS2 = 67

# French (and typographic) characters outside GSM-7, with the closest GSM-7 spelling.
_FRENCH_FALLBACK = {
    "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ü": "ü",
    "ç": "c", "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E",
    "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U", "Ÿ": "Y", "ÿ": "y",
    "’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "–": "-", "—": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
}  # fmt: skip


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM-7 basic or extension table."""
    return all(c in BASIC or c in EXTENSION for c in text)


def septets(text: str) -> int:
    """Length of `text` in GSM-7 septets (extension characters count two)."""
    return sum(2 if c in EXTENSION else 1 for c in text)


def to_gsm7(text: str) -> str:
    """Return `text` with French accents and typography outside GSM-7 replaced (ê → e, ’ → ')."""
    return "".join(_FRENCH_FALLBACK.get(c, c) for c in text)


def sms_parts(text: str) -> int:
    """Number of SMS the text takes (GSM-7 if it can, else UCS-2)."""
    if is_gsm7(text):
        length, single, part = septets(text), SINGLE_SMS_SEPTETS, PART_SEPTETS
    else:
        length, single, part = len(text), SINGLE_SMS_UCS2, PART_UCS2
    if length <= single:
        return 1
    return -(-length // part)


def fits_one_sms(text: str) -> bool:
    """Whether `text` is GSM-7 and at most 160 septets: one SMS, no Unicode."""
    return is_gsm7(text) and septets(text) <= SINGLE_SMS_SEPTETS


def shorten_to_fit(text: str, *, ellipsis: str = "...") -> str:
    """Return `text` made GSM-7 and cut to one SMS if it is longer (ending with `ellipsis`)."""
    text = to_gsm7(text)
    if septets(text) <= SINGLE_SMS_SEPTETS:
        return text
    out, used = [], septets(ellipsis)
    for c in text:
        cost = septets(c)
        if used + cost > SINGLE_SMS_SEPTETS:
            break
        out.append(c)
        used += cost
    return "".join(out).rstrip() + ellipsis
