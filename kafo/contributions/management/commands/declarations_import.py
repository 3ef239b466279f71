"""`kafo declarations_import FILE --organisation CODE`: the bulk path for large files.

Set-based end to end: Polars parses, validates and computes; the lines go in with one COPY
(PostgreSQL) or one staged INSERT … SELECT (SQLite) inside one transaction. A rejected file
stores nothing and prints every faulty line. The progress bar advances at each step of
services.IMPORT_STEPS.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kafo import uploads
from kafo.contributions.domain import dns
from kafo.contributions.services import IMPORT_STEPS, DeclarationRejected, import_frame
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope


def error_text(error: dict) -> str:
    """One error as a line of text: `line N: column='value': reason` for a line's error; the
    reason alone (with its line or column when known) for the file's, never 'None'."""
    line, column, value = error.get("line"), error.get("column"), error.get("value")
    if line is not None and column:
        return f"line {line}: {column}={value!r}: {error['reason']}"
    where = [f"ligne {line}" if line is not None else "", f"colonne {column}" if column else ""]
    where = [w for w in where if w]
    suffix = f" ({', '.join(where)})" if where else ""
    shown = f" : {value!r}" if value not in (None, "") and column else ""
    return f"{error['reason']}{shown}{suffix}"


class Command(BaseCommand):
    help = "Import a DNS file (CSV or .xlsx) of one or many employers, set-based."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", "-o", required=True, help="e.g. CNPS-CI")
        parser.add_argument("--kind", default="original", choices=["original", "corrective"])
        parser.add_argument("--max-errors", type=int, default=50)
        parser.add_argument(
            "--migration",
            action="store_true",
            help="declarations taken over from an earlier system: no late-declaration penalty",
        )

    def handle(self, *args, file, organisation, kind, max_errors, migration, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"unknown organisation {organisation}")
        path = Path(file)
        bar = tqdm(
            total=1 + len(IMPORT_STEPS), unit="step", desc="read", disable=options["verbosity"] == 0
        )
        parsed = dns.read_bytes(
            path.read_bytes(), path.name, uploads.limits(uploads.DECLARATION_BULK)
        )
        bar.update()

        def progress(step, n=0):
            bar.set_description(f"{step} done ({n:,} lines)")
            bar.update()

        try:
            if parsed.errors:
                raise DeclarationRejected(parsed.errors)
            with tenant_scope(org):
                result = import_frame(
                    frame=parsed.frame,
                    organisation=org,
                    kind=kind,
                    progress=progress,
                    migration=migration,
                )
        except DeclarationRejected as exc:
            bar.close()
            for e in exc.line_errors[:max_errors]:
                self.stderr.write(error_text(e))
            raise CommandError(
                f"file rejected: {len(exc.line_errors)} errors, nothing stored"
            ) from None
        bar.close()
        self.stdout.write(
            f"{len(result.declarations)} declarations, {result.line_count} lines stored, "
            f"{len(result.duplicates)} already received, "
            f"{result.pending_created} pending registrations"
        )
