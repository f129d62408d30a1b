"""`make bench` scenarios: a trusted route and a room answer, beside plain baselines.

Run on an already-seeded workspace (`python -m bench.scenarios SLUG`, with the
benchmark database in DATABASE_URL; `make bench` does this at 5,000 people).
For ROUNDS seeded random questions it times:

- route: the read the page calls (stakeholders.scenarios.routes.route_page: three
  queries, the graph, up to four Dijkstra runs), end to end; then, on the same
  ties already in memory, our route finder alone beside plain networkx doing the
  same job (a Graph of the best tie per pair weighted -log reliability, then
  nx.dijkstra_path for the route and for each alternative with the earlier
  routes' go-betweens removed). The two must find equally reliable routes.
- room: the read the page calls (room.room_page: four queries and two exact
  integer programmes for each of the smallest room and the best five) for 30
  random organisations, end to end; then the exact solvers alone beside a plain
  Python greedy (brute force over subsets is out of reach: choosing 5 of 5,000
  people is about 2.6 x 10^16 sets). The greedy is faster and can be larger; the
  sizes are printed so the difference shows.
- both pages as a member asks for them (HTML with the pickers), for reference.

Medians, and the ratio networkx or greedy time / ours.
"""

import itertools
import math
import os
import random
import statistics
import sys
import time

ROUNDS = 7
TARGETS = 30
SIZE = 5
BUDGET_S = 2.0


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def networkx_routes(links, source: int, target: int, alternatives: int = 3) -> list[list[int]]:
    """The same successive shortest paths with plain networkx (the baseline)."""
    import networkx as nx

    from stakeholders.analysis.routes import hop_reliability

    graph = nx.Graph()
    for _tie, a, b, strength, trust, stale in links:
        if a == b:
            continue
        length = -math.log(hop_reliability(strength, trust, stale))
        if not graph.has_edge(a, b) or length < graph[a][b]["length"]:
            graph.add_edge(a, b, length=length)
    found, removed, direct_used = [], set(), False
    while len(found) <= alternatives:
        view = nx.restricted_view(graph, removed, [(source, target)] if direct_used else [])
        try:
            path = nx.dijkstra_path(view, source, target, weight="length")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            break
        found.append(path)
        removed.update(path[1:-1])
        direct_used = direct_used or len(path) == 2
    return found


def greedy_room(reach: dict[int, set], targets: list, size: int | None) -> list[int]:
    """Greedy set cover (or greedy max coverage with `size`): the textbook baseline."""
    left = set().union(*reach.values()) & set(targets)
    chosen: list[int] = []
    while left and (size is None or len(chosen) < size):
        best = max(reach, key=lambda p: (len(reach[p] & left), -p))
        if not reach[best] & left:
            break
        chosen.append(best)
        left -= reach[best]
    return chosen


def time_scenarios(slug: str) -> dict:
    """Time route and room answers on workspace `slug`; Django must be set up."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Case, Value, When
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from stakeholders.analysis.coverage import best_cover, smallest_cover
    from stakeholders.analysis.routes import hop_reliability, route_graph
    from stakeholders.models import Membership, Organisation, Relationship, Role, Workspace
    from stakeholders.retention import stale_cutoff
    from stakeholders.scenarios import reach as reach_reads
    from stakeholders.scenarios import room, routes
    from stakeholders.scenarios.choices import people_choices
    from stakeholders.selectors import current_run

    workspace = Workspace.objects.get(slug=slug)
    today = timezone.localdate()
    people = sorted(people_choices(workspace=workspace, today=today))
    organisations = list(
        Organisation.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True)
    )
    rng = random.Random(1)
    pairs = [tuple(rng.sample(people, 2)) for _ in range(ROUNDS)]
    rooms = [tuple(rng.sample(organisations, min(TARGETS, len(organisations)))) for _ in pairs]
    run = current_run(workspace_id=workspace.pk)

    # Route, end to end (warm once: imports, query plans).
    routes.route_page(workspace=workspace, source=pairs[0][0], target=pairs[0][1], today=today)
    read_times, found, route_queries = [], [], 0
    for source, target in pairs:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            page = routes.route_page(workspace=workspace, source=source, target=target, today=today)
            read_times.append(time.perf_counter() - started)
        route_queries = max(route_queries, len(queries))
        found.append(page.answer.routes)
    # Route finder alone vs networkx, on the same ties in memory.
    cutoff = stale_cutoff(workspace, today)
    stale = (
        Case(When(observed_on__lt=cutoff, then=Value(1)), default=Value(0)) if cutoff else Value(0)
    )
    links = list(
        Relationship.objects.filter(
            source__workspace=workspace, source__active=True, target__active=True
        )
        .annotate(stale=stale)
        .values_list("pk", "source_id", "target_id", "strength", "trust", "stale")
    )
    best_hop: dict[frozenset, float] = {}
    for _tie, a, b, strength, trust, is_stale in links:
        r = float(hop_reliability(strength, trust, is_stale))
        best_hop[frozenset((a, b))] = max(best_hop.get(frozenset((a, b)), 0.0), r)
    ours, theirs = [], []
    for (source, target), answer in zip(pairs, found, strict=True):
        started = time.perf_counter()
        mine = route_graph(links, people).routes(source, target)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        paths = networkx_routes(links, source, target)
        theirs.append(time.perf_counter() - started)
        assert [r.people for r in mine] == [tuple(r.id for r in a.people) for a in answer]
        # Equally reliable first routes (networkx may break exact ties differently).
        assert bool(paths) == bool(mine)
        if paths:
            theirs_best = math.prod(
                best_hop[frozenset(hop)] for hop in itertools.pairwise(paths[0])
            )
            assert math.isclose(theirs_best, mine[0].reliability, rel_tol=1e-9)

    # Room, end to end.
    question = room.RoomQuestion(organisations=rooms[0], size=SIZE)
    room.room_page(workspace=workspace, run=run, question=question, today=today)  # warm
    room_times, sizes, room_queries = [], [], 0
    for chosen in rooms:
        question = room.RoomQuestion(organisations=chosen, size=SIZE)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            page = room.room_page(workspace=workspace, run=run, question=question, today=today)
            room_times.append(time.perf_counter() - started)
        room_queries = max(room_queries, len(queries))
        sizes.append((page.answer.smallest.size, len(page.answer.best.reached)))
    # The exact solvers alone vs greedy, on the reach of the last question.
    reaches = reach_reads.organisation_reach(
        workspace=workspace, today=today, min_strength=room.DEFAULT_MIN_STRENGTH,
        wanted=set(chosen),
    )  # fmt: skip
    reach: dict[int, set] = {}
    for person, orgs in reaches.works_at.items():
        reach.setdefault(person, set()).update(orgs)
    for person, org in reaches.contact:
        reach.setdefault(person, set()).add(org)
    reach = {p: orgs for p, orgs in reach.items() if orgs}
    exact_times, greedy_times = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        exact = smallest_cover(reach, list(chosen))
        exact_best = best_cover(reach, list(chosen), SIZE)
        exact_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        greedy = greedy_room(reach, list(chosen), None)
        greedy_best = greedy_room(reach, list(chosen), SIZE)
        greedy_times.append(time.perf_counter() - started)
    greedy_best_reached = len(set().union(*(reach[p] for p in greedy_best)) if greedy_best else 0)

    # The pages as a member sees them.
    user, created = get_user_model().objects.get_or_create(username="bench-reader")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.VIEWER})
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    slug_kw = {"slug": workspace.slug}
    route_url = reverse("stakeholders:scenario_route", kwargs=slug_kw)
    room_url = reverse("stakeholders:scenario_room", kwargs=slug_kw)
    page_times: dict[str, list[float]] = {"route page": [], "room page": []}
    sizes_kb: dict[str, float] = {}
    for (source, target), chosen in zip(pairs, rooms, strict=True):
        for label, path, query in (
            ("route page", route_url, {"from": source, "to": target}),
            ("room page", room_url, {"organisation": list(chosen), "size": SIZE}),
        ):
            started = time.perf_counter()
            response = client.get(path, query)
            page_times[label].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{label} answered {response.status_code}")
            sizes_kb[label] = len(response.content) / 1024
    return {
        "people": len(people),
        "relationships": len(links),
        "route_read_ms": _median_ms(read_times),
        "route_queries": route_queries,
        "room_queries": room_queries,
        "route_ours_ms": _median_ms(ours),
        "route_networkx_ms": _median_ms(theirs),
        "room_read_ms": _median_ms(room_times),
        "room_exact_ms": _median_ms(exact_times),
        "room_greedy_ms": _median_ms(greedy_times),
        "room_sizes": sizes,
        "exact_room": len(exact.people),
        "greedy_room": len(greedy),
        "exact_best_reached": len(exact_best.reached),
        "greedy_best_reached": greedy_best_reached,
        "pages_ms": {label: _median_ms(t) for label, t in page_times.items()},
        "pages_kb": sizes_kb,
    }


def print_scenarios(r: dict) -> None:
    """The timings side by side, with the ratios and the 2 s budget."""
    print(
        f"\nScenarios at {r['people']:,} people, {r['relationships']:,} relationships "
        f"(median of {ROUNDS} seeded random questions)\n"
    )
    print(
        f"  trusted route, the page's read ({r['route_queries']} queries, up to 4 routes): "
        f"{r['route_read_ms']:5.0f} ms"
    )
    ratio = r["route_networkx_ms"] / r["route_ours_ms"]
    print(
        f"    route finder alone {r['route_ours_ms']:6.0f} ms   plain networkx "
        f"{r['route_networkx_ms']:6.0f} ms   networkx / ours {ratio:.1f}x"
    )
    print(
        f"  who to put in the room, {TARGETS} organisations, smallest and best {SIZE} "
        f"({r['room_queries']} queries): {r['room_read_ms']:5.0f} ms"
    )
    ratio = r["room_greedy_ms"] / r["room_exact_ms"]
    print(
        f"    exact integer programmes {r['room_exact_ms']:6.1f} ms   plain greedy "
        f"{r['room_greedy_ms']:6.1f} ms   greedy / exact {ratio:.2f}x"
    )
    print(
        f"    rooms: exact {r['exact_room']} people, greedy {r['greedy_room']}; best {SIZE} seats "
        f"reach: exact {r['exact_best_reached']}, greedy {r['greedy_best_reached']} of {TARGETS}"
    )
    for label, ms in r["pages_ms"].items():
        print(f"  {label} (HTML with the pickers, {r['pages_kb'][label]:.0f} KB): {ms:6.0f} ms")
    slow = [
        name
        for name, ms in (("route", r["route_read_ms"]), ("room", r["room_read_ms"]))
        if ms > BUDGET_S * 1000
    ]
    if slow:
        print(f"\n  Over the {BUDGET_S:.0f} s median budget: {', '.join(slow)}")
    else:
        print(f"\n  Both answers under the {BUDGET_S:.0f} s median budget.")


def main(slug: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
    django.setup()
    print_scenarios(time_scenarios(slug))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.scenarios SLUG")
    main(sys.argv[1])
