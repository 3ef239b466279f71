"""National identifier checks by country format (formats are data: see the zone reference file)."""

import re


def normalise(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def check(value: str, pattern: str | None) -> str | None:
    """Return None if the identifier fits the country's pattern, else the reason it does not."""
    if not pattern:
        return None
    if re.fullmatch(pattern, normalise(value)):
        return None
    return "format"
