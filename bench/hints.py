"""Registration hints ("may already be known at CNPS-CI") latency, against a scan baseline.

    .venv/bin/python bench/hints.py [--data-dir var/bench-search] [--persons 50000]

Uses (or builds once) the same demo database as bench/search.py. For each query a person of
one organisation is typed again, with the noise of a counter (name variant, typo, swapped
names, year-only birth date), by an agent of another organisation; the hint must name the
first organisation. Timed: the selector alone, and the whole htmx request through Django
(view, template, session), in process. Baseline, side by side: score every person of the zone
born within two years with the same scorer (what a plain implementation does).
Last line: `p50_ms=N p95_ms=N max_ms=N http_p95_ms=N baseline_p50_ms=N speedup=R found=F`.
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_zone import demo_zone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var/bench-search")
    parser.add_argument("--persons", type=int, default=50000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    total = demo_zone(args.data_dir, args.persons)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from kafo.accounts.models import Role, User
    from kafo.identity import selectors
    from kafo.identity.domain import quick_match
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Person

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(11)
    with zone_scope():
        # a seeded sample: the same queries run after run
        pks = list(
            Person.objects.exclude(birth_date=None).order_by("pk").values_list("pk", flat=True)
        )
        chosen = rng.sample(pks, min(args.queries, len(pks)))
        sample = list(
            Person.objects.filter(pk__in=chosen).select_related("organisation").order_by("pk")
        )
    orgs = list(Organisation.objects.order_by("code"))
    queries = []
    for p in sample:
        asking = rng.choice([o for o in orgs if o.pk != p.organisation_id])
        kind, record = _noisy(p, rng, quick_match)
        queries.append((record, p, asking, kind))

    timings, found, by_kind = [], 0, {}
    for record, target, asking, kind in queries:
        with tenant_scope(asking):
            t0 = time.perf_counter()
            hints = selectors.registration_hints(record, organisation_id=asking.pk)
            timings.append((time.perf_counter() - t0) * 1000)
        hit = any(h.organisation_code == target.organisation.code for h in hints)
        found += hit
        by_kind.setdefault(kind, []).append(hit)

    http = _http_timings(queries[:50], Client, reverse, User, Role)
    baseline = []
    for record, _target, _asking, _kind in queries[:20]:
        t0 = time.perf_counter()
        year = record.birth_date.year
        with zone_scope():
            pool = Person.objects.filter(
                birth_date__year__gte=year - 2, birth_date__year__lte=year + 2
            )
            scored = [quick_match.score(record, selectors._as_record(p)) for p in pool]
        baseline.append((time.perf_counter() - t0) * 1000)
        del scored
    timings.sort()
    http.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
    base = statistics.median(baseline)
    print(f"persons in zone: {total}; queries: {len(queries)}, each from another organisation")
    print(f"target's organisation among the hints: {found}/{len(queries)}")
    print("by kind of noise: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in by_kind.items()))
    print(
        f"p50_ms={p50:.1f} p95_ms={p95:.1f} max_ms={timings[-1]:.1f} "
        f"http_p95_ms={http[int(len(http) * 0.95) - 1]:.1f} baseline_p50_ms={base:.1f} "
        f"speedup={base / p50:.1f} found={found / len(queries):.3f}"
    )


def _noisy(person, rng, quick_match):
    """The person as typed again elsewhere: a variant, a typo, swapped names, a year only."""
    family, given = person.family_name, person.given_names.split(" ")[0]
    kind = rng.choice(["same", "swapped", "typo", "upper", "year_only"])
    birth, precision = person.birth_date, "day"
    if kind == "swapped":
        family, given = given, family
    elif kind == "typo" and len(family) > 4:
        i = rng.randrange(1, len(family) - 1)
        family = family[:i] + family[i + 1 :]
    elif kind == "upper":
        family = family.upper()
    elif kind == "year_only":
        birth, precision = dt.date(birth.year, 1, 1), "year"
    return kind, quick_match.Record(
        family_name=family,
        given_names=given,
        sex=person.sex,
        birth_date=birth,
        birth_precision=precision,
        birth_place=person.birth_place,
    )


def _http_timings(queries, Client, reverse, User, Role):
    """The hint request as the registration form sends it (htmx), through the whole stack."""
    timings = []
    clients = {}
    for record, _target, asking, _kind in queries:
        if asking.pk not in clients:
            user, _ = User.objects.get_or_create(
                username=f"bench-hints-{asking.code}", defaults={"organisation": asking}
            )
            user.roles.add(Role.objects.get(code="registration_agent"))
            client = Client()
            client.force_login(user)
            clients[asking.pk] = client
        birth = (
            f"{record.birth_date.year}"
            if record.birth_precision == "year"
            else f"{record.birth_date:%d/%m/%Y}"
        )
        params = {
            "family_name": record.family_name,
            "given_names": record.given_names,
            "sex": record.sex,
            "birth": birth,
            "birth_place": record.birth_place,
        }
        t0 = time.perf_counter()
        response = clients[asking.pk].get(reverse("identity-hints"), params)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


if __name__ == "__main__":
    main()
