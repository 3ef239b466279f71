"""What must never show on a French page: raw codes and untranslated English words (issue 18).

Shared by the test-client check (kafo/tests/test_french_pages.py) and the walking browser test
(kafo/tests/test_browser_first_hour.py). `forbidden_in(html)` reads the text a user sees (tags,
scripts and styles removed; `placeholder`, `title` and `aria-label` kept) and returns what it
found, sorted, so a failing assertion names each offending word.

Two sources:
- every choice code of every model whose label differs from it and that reads as a code
  (`old_age`, `late_declaration`: lowercase words joined by "_"), collected from the models, so
  a new choice is checked without editing this file;
- the words below, found on French pages before issue 18 or common in untranslated Django text.
"""

import html as html_lib
import re
from functools import cache

# Raw codes of one word (not caught by the snake_case rule) seen on French pages.
CODES = (
    "family",
    "risk",
    "closed",
    "suspended",
    "pending",
    "approved",
    "rejected",
    "draft",
    "submitted",
)

# Untranslated English, matched as whole words, case-sensitive (French uses none of them).
ENGLISH_WORDS = (
    "Forbidden",
    "Not Found",
    "Server Error",
    "Page not found",
    "Submit",
    "Save",
    "Cancel",
    "Delete",
    "Search",
    "Previous",
    "Next",
    "Log in",
    "Log out",
    "Password",
    "Username",
    "Dashboard",
    "Settings",
    "Welcome",
    "History",
    "Accounts",
    "Payments",
    "Employers",
    "Claims",
    "Benefits",
    "Status",
    "Amount",
    "Date of birth",
    "Administration de Accounts",
    "Site administration",
    "rule versions created",
)

# Shapes that betray a missing display name or formatting.
PATTERNS = (
    (re.compile(r"\b[A-Z][A-Za-z]+ object \(\d+\)"), "objet sans __str__"),
    (re.compile(r"\bactive\s*:\s*\d"), "statut « active » en code"),
    (re.compile(r"\b1 [a-zé]+s (?:enregistré|créé)e?s\b"), "pluriel après 1"),
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\b(True|False)\b"), "booléen Python"),
)

_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
_ATTRIBUTE = re.compile(r"""\b(?:placeholder|title|aria-label)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
_TAG = re.compile(r"<[^>]+>")
_SNAKE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")


def visible_text(html: str) -> str:
    """Return the text a user reads on the page, with the hints of form fields and links."""
    html = _INVISIBLE.sub(" ", html)
    hints = " ".join(m.group(2) or m.group(3) or "" for m in _ATTRIBUTE.finditer(html))
    text = _TAG.sub(" ", html) + " " + hints
    return html_lib.unescape(text)


@cache
def model_codes() -> frozenset[str]:
    """Return every snake_case choice code of the project's models whose label is not the code."""
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kafo."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and _SNAKE.match(value) and str(label) != value:
                    codes.add(value)
    return frozenset(codes)


def forbidden_in(html: str) -> list[str]:
    """Return the codes, English words and bad shapes found in the visible text of `html`."""
    text = visible_text(html)
    found = set()
    for word in (*CODES, *model_codes()):
        if re.search(rf"(?<![\w/.-]){re.escape(word)}(?![\w/.-])", text):
            found.add(word)
    for word in ENGLISH_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", text):
            found.add(word)
    for pattern, why in PATTERNS:
        match = pattern.search(text)
        if match:
            found.add(f"{match.group(0)} ({why})")
    return sorted(found)
