"""Registration numbers with a check digit (Luhn, as payment cards: catches every single-digit
error and most swaps of two neighbouring digits). No Django here."""

from stdnum import luhn
from stdnum.exceptions import ValidationError

PERSON_DIGITS = 9
EMPLOYER_DIGITS = 7


def format_number(sequence: int, digits: int) -> str:
    """Return the number for a sequence value: zero-padded digits then the Luhn check digit."""
    if sequence < 1 or sequence >= 10**digits:
        raise ValueError(f"sequence {sequence} out of range for {digits} digits")
    body = f"{sequence:0{digits}d}"
    return body + luhn.calc_check_digit(body)


def is_valid(number: str, digits: int) -> bool:
    if not number or len(number) != digits + 1 or not number.isdigit():
        return False
    try:
        luhn.validate(number)
    except ValidationError:
        return False
    return True
