"""`kafo crvs add|subscribe|search`: the civil registries Kafo listens to for deaths.

- `add CODE --name N --url URL --client-id ID --partner CLIENT_ID`: register a CRVS (its calls to
  Kafo use the token of the partner CLIENT_ID; Kafo's secret at the CRVS comes from the
  environment variable KAFO_CRVS_SECRET_<CODE>).
- `subscribe [CODE]`: enqueue the subscription to deaths (every registry by default).
- `search CODE NATIONAL_ID`: ask the CRVS what it knows of a national id (its dates of death).
"""

from django.core.management.base import BaseCommand, CommandError

from kafo.interop.crvs import client
from kafo.interop.models import Partner
from kafo.interop.models_events import CivilRegistry
from kafo.jobs import enqueue_on_commit
from kafo.organisations.tenancy import zone_scope


class Command(BaseCommand):
    help = "Register a civil registry, subscribe to its deaths, search it by national id."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("code")
        add.add_argument("--name", required=True)
        add.add_argument("--url", required=True)
        add.add_argument("--client-id", required=True)
        add.add_argument("--partner", required=True, help="client id of the CRVS's partner row")
        subscribe = sub.add_parser("subscribe")
        subscribe.add_argument("code", nargs="?")
        search = sub.add_parser("search")
        search.add_argument("code")
        search.add_argument("national_id")

    def handle(self, *args, action, **options):
        with zone_scope():
            getattr(self, "_" + action)(**options)

    def _registry(self, code):
        registry = CivilRegistry.objects.filter(code=code).first()
        if registry is None:
            raise CommandError(f"état civil inconnu : {code}")
        return registry

    def _add(self, *, code, name, url, client_id, partner, **_):
        found = Partner.objects.filter(client_id=partner).first()
        if found is None:
            raise CommandError(f"--partner : aucun partenaire d'identifiant client {partner}")
        if not url.startswith(("http://", "https://")):
            raise CommandError("--url : adresse http(s) attendue")
        CivilRegistry.objects.update_or_create(
            code=code,
            defaults={"name": name, "base_url": url, "client_id": client_id, "partner": found},
        )
        self.stdout.write(f"{code} : état civil enregistré")

    def _subscribe(self, *, code=None, **_):
        registries = [self._registry(code)] if code else list(CivilRegistry.objects.all())
        for registry in registries:
            enqueue_on_commit(client.crvs_subscribe, registry.pk)
            self.stdout.write(f"{registry.code} : abonnement aux décès demandé")

    def _search(self, *, code, national_id, **_):
        try:
            records = client.search_by_national_id(self._registry(code), national_id)
        except client.CrvsError as error:
            raise CommandError(str(error)) from error
        if not records:
            self.stdout.write(f"{national_id} : inconnu de l'état civil")
        for record in records:
            death = record.get("death_date") or "—"
            self.stdout.write(f"{national_id} : décès {death}")
