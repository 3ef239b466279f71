"""The error of a rejected file (declaration or bank statement): every faulty line, nothing
stored."""

from django.core.exceptions import ValidationError


class FileRejected(ValidationError):
    """`line_errors`: [{line, column, value, reason}], every faulty line of the file."""

    def __init__(self, line_errors: list[dict]):
        self.line_errors = line_errors
        super().__init__(
            {
                (f"ligne {e['line']} · {e['column']}" if e["line"] else (e["column"] or "file")): [
                    f"{e['reason']} (valeur : {e['value']!r})" if e["value"] else e["reason"]
                ]
                for e in line_errors
            }
        )
