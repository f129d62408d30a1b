"""`make bench` pages: how fast each page answers on an already-seeded, scored workspace.

Run in a fresh process (`python -m bench --pages SLUG ...`) with Django set up
against the benchmark database: a test client logged in as a member asks for
every page and partial REQUESTS times; the median and 95th percentile time and
the number of database queries per request are reported as JSON, one object
per page, in a fixed order so that sizes print side by side. The map and Seats
and influence are timed twice: asked for again, and each request the first after
a change to the data (the workspace's data stamp moved on before it).
"""

import contextlib
import statistics
import time
import uuid

REQUESTS = 20
# Pages timed twice: as asked for again (what they read is kept, stakeholders.memo),
# and as the first request after a change to the data, which reads everything afresh.
AFRESH = ", read afresh after a change"
BENCH_USERNAME = "bench-reader"
TARGET_MS = 300


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _pages(workspace) -> list[tuple[str, str, dict]]:
    """(label, path, extra headers) for every page and partial, map pages if they exist."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from stakeholders.models import Organisation, Person, RunStatus, Snapshot

    slug = {"slug": workspace.slug}
    # The busiest person and organisation: the heaviest detail pages there are.
    person = (
        Person.objects.filter(workspace=workspace)
        .annotate(ties=Count("ties_out"))
        .order_by("-ties", "pk")
        .first()
    )
    organisation = (
        Organisation.objects.filter(workspace=workspace)
        .annotate(n=Count("affiliations"))
        .order_by("-n", "pk")
        .first()
    )
    one = {**slug, "pk": person.pk}
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "broker-table"}
    pages = [
        ("overview", reverse("stakeholders:overview", kwargs=slug), {}),
        ("brokers", reverse("stakeholders:brokers", kwargs=slug), {}),
        (
            "brokers partial, sorted by reach",
            reverse("stakeholders:brokers", kwargs=slug) + "?sort=reach&page=3",
            htmx,
        ),
        ("partnerships", reverse("stakeholders:partnerships", kwargs=slug), {}),
        ("people and organisations", reverse("stakeholders:workspace_detail", kwargs=slug), {}),
        (
            "people search 'director'",
            reverse("stakeholders:workspace_detail", kwargs=slug) + "?q=director",
            {},
        ),
        ("person page", reverse("stakeholders:person_detail", kwargs=one), {}),
        (
            "organisation page",
            reverse("stakeholders:organisation_detail", kwargs={**slug, "pk": organisation.pk}),
            {},
        ),
    ]
    for label, name, kwargs in (("map", "map", slug), ("map person panel", "map_person", one)):
        with contextlib.suppress(NoReverseMatch):
            pages.append((label, reverse(f"stakeholders:{name}", kwargs=kwargs), {}))
    with contextlib.suppress(NoReverseMatch):
        # The filters' swap (htmx partial) for the busiest organisation, and the SVG file.
        # The PNG download is not timed here: rasterising takes seconds by design.
        drilled = reverse("stakeholders:map", kwargs=slug) + f"?organisation={organisation.pk}"
        pages.append(
            (
                "map partial, one organisation",
                drilled,
                {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "map-region"},
            )
        )
        pages.append(("map SVG download", reverse("stakeholders:map_svg", kwargs=slug), {}))
        # Issue #13: the tier view (re-arranged in the request) and a person in focus.
        pages.append(
            ("map in tiers", reverse("stakeholders:map", kwargs=slug) + "?layout=tiers", {})
        )
        pages.append(
            (
                "map, one organisation, a person in focus",
                f"{drilled}&person={person.pk}",
                {},
            )
        )
    pages.append(("seats and influence", reverse("stakeholders:forums", kwargs=slug), {}))
    with contextlib.suppress(NoReverseMatch):
        pages.append((f"map{AFRESH}", reverse("stakeholders:map", kwargs=slug), {}))
    pages.append((f"seats and influence{AFRESH}", reverse("stakeholders:forums", kwargs=slug), {}))
    # Where make bench took a snapshot (at 5,000 people): what moved since, against now.
    then = (
        Snapshot.objects.filter(workspace=workspace, status=RunStatus.SUCCEEDED)
        .order_by("as_of", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if then is not None:
        compare = reverse("stakeholders:snapshot_compare", kwargs=slug)
        pages.append(("snapshot comparison with now", f"{compare}?from={then}&to=now", {}))
    return pages


def time_pages(slug: str) -> list[dict]:
    """Time every page of workspace `slug` as a member; Django must be set up."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stakeholders.models import Membership, Role, Workspace

    workspace = Workspace.objects.get(slug=slug)
    user, created = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
    if created:
        user.set_unusable_password()  # force_login only: nobody can log in as it
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.VIEWER})
    # The test client's host; DEBUG is off here as in production.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    results = []
    for label, path, headers in _pages(workspace):
        client.get(path, **headers)  # warm: templates, URL resolver, database caches
        times, queries = [], set()
        for _ in range(REQUESTS):
            if label.endswith(AFRESH):  # as services.workspace_data_changed does
                Workspace.objects.filter(pk=workspace.pk).update(data_stamp=uuid.uuid4())
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, **headers)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {path} answered {response.status_code}")
            queries.add(len(captured))
        results.append(
            {
                "page": label,
                "median_ms": statistics.median(times),
                "p95_ms": _percentile(times, 0.95),
                "queries": max(queries),
            }
        )
    return results


def print_table(by_size: dict[int, list[dict]]) -> None:
    """Pages down, sizes across: median / p95 ms and queries per request."""
    sizes = sorted(by_size)
    # Every page timed at any size, in order; some are timed at one size only.
    labels = list(dict.fromkeys(row["page"] for n in sizes for row in by_size[n]))
    width = max(len(label) for label in labels) + 2
    header = "".join(f"{f'{n:,} people':>30}" for n in sizes)
    print(f"\nPages ({REQUESTS} requests each): median / p95 ms, database queries\n")
    print(f"{'page':<{width}}{header}")
    slow = []
    for label in labels:
        cells = []
        for n in sizes:
            row = next((r for r in by_size[n] if r["page"] == label), None)
            if row is None:
                cells.append("-")
                continue
            cells.append(
                f"{row['median_ms']:>9.0f} / {row['p95_ms']:>4.0f} ms, {row['queries']:>3} q"
            )
            if row["median_ms"] > TARGET_MS:
                slow.append(f"{label} at {n:,} people ({row['median_ms']:.0f} ms)")
        print(f"{label:<{width}}" + "".join(f"{c:>30}" for c in cells))
    if slow:
        print(f"\nOver the {TARGET_MS} ms median target: " + "; ".join(slow))
    else:
        print(f"\nEvery page under the {TARGET_MS} ms median target.")
