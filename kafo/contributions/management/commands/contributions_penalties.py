"""`kafo contributions_penalties [--date YYYY-MM-DD] [--organisation CODE]`: post late-payment
penalties due on a date. Idempotent: a second run for the same date adds nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from kafo.contributions.ledger import penalties_run
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope


class Command(BaseCommand):
    help = "Post the late-payment penalties due on a date (default today), idempotently."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--organisation", "-o", help="e.g. CNPS-CI (default: every one)")

    def handle(self, *args, date=None, organisation=None, **options):
        try:
            as_of = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"invalid date {date!r}: use YYYY-MM-DD") from None
        orgs = Organisation.objects.order_by("code")
        if organisation:
            orgs = orgs.filter(code=organisation)
            if not orgs.exists():
                raise CommandError(f"unknown organisation {organisation}")
        total = 0
        for org in orgs:
            with tenant_scope(org):
                bar = tqdm(desc=org.code, unit="employer", disable=options["verbosity"] == 0)
                count = penalties_run(as_of=as_of, organisation=org, progress=bar.update)
                bar.close()
            total += count
            if count:
                self.stdout.write(f"{org.code}: {count} penalty entries")
        self.stdout.write(f"{total} penalty entries posted on {as_of:%d/%m/%Y}")
