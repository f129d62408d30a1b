"""Formal forums beside informal ties: the formal tie layer and where seats and influence diverge.

Pure: plain ids and tuples in, plain results out (issue #18). A forum seat is formal;
a relationship is informal. Two members of the same forum share a formal tie, weighted
by the number of forums they share.
"""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stakeholders.analysis.inputs import Tie

# A formal tie is mutual, so it enters the analysis as a collaboration; its strength is
# the number of forums shared, capped at the top of the 1-5 scale.
FORMAL_KIND = "collaborates"
MAX_STRENGTH = 5

# "High broker score" and "little informal reach", as the Seats and influence page uses them.
HIGH_BROKER_SCORE = 80.0
LITTLE_REACH = 1  # at most this many other organisations reached informally


def is_current(start: datetime.date | None, end: datetime.date | None, day: datetime.date) -> bool:
    """Whether a dated seat or affiliation holds on `day` (open ends hold)."""
    return (start is None or start <= day) and (end is None or end >= day)


def shared_forums(memberships: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """(forum, person) seats -> {(a, b): forums a and b share}, with a < b."""
    members: dict[int, set[int]] = defaultdict(set)
    for forum, person in memberships:
        members[forum].add(person)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for people in members.values():
        for a, b in itertools.combinations(sorted(people), 2):
            shared[(a, b)] += 1
    return dict(sorted(shared.items()))


def formal_ties(memberships: Iterable[tuple[int, int]]) -> tuple[Tie, ...]:
    """The formal layer as ties: one mutual tie per pair sharing a forum, sorted."""
    return tuple(
        Tie(source=a, target=b, kind=FORMAL_KIND, strength=min(n, MAX_STRENGTH))
        for (a, b), n in shared_forums(memberships).items()
    )


def neighbours(ties: Iterable[tuple[int, int]], among: set[int]) -> dict[int, set[int]]:
    """Undirected informal neighbours of each person in `among` (self-ties ignored).

    Only those whose reach the page shows: at 20,000 people, a few thousand of them.
    """
    out: dict[int, set[int]] = defaultdict(set)
    for a, b in ties:
        if a in among and a != b:
            out[a].add(b)
        if b in among and a != b:
            out[b].add(a)
    return out


@dataclass(frozen=True)
class PersonFinding:
    person: int
    broker_score: float | None
    forums: tuple[int, ...]  # current seats
    organisations_reached: int  # other organisations reached informally (direct ties)


@dataclass(frozen=True)
class ForumReach:
    forum: int
    members: tuple[int, ...]
    organisations: tuple[str, ...]  # groups reached: members' own and their contacts'
    sectors: tuple[str, ...]
    tiers: tuple[str, ...]
    organisations_not_reached: tuple[str, ...]
    # Pairs of the system's sectors (tiers) of which the forum reaches at most one side.
    sector_gaps: tuple[tuple[str, str], ...]
    tier_gaps: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class JointAppointment:
    person: int
    organisations: tuple[str, ...]
    reached: tuple[bool, ...]  # per organisation: an informal tie to someone there

    @property
    def works_inside_one(self) -> bool:
        return sum(self.reached) <= 1


@dataclass(frozen=True)
class SeatsAndInfluence:
    brokers_without_seat: tuple[PersonFinding, ...]
    seats_with_little_reach: tuple[PersonFinding, ...]
    forums: tuple[ForumReach, ...]
    joint_appointments: tuple[JointAppointment, ...]


def _reach(person: int, near: Mapping[int, set[int]], orgs: Mapping[int, frozenset[str]]) -> set:
    """Organisations the person's direct informal contacts work in."""
    return set().union(*(orgs.get(n, frozenset()) for n in near.get(person, ())))


def _gaps(system: Sequence[str], reached: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (a, b) for a, b in itertools.combinations(sorted(system), 2) if not {a, b} <= reached
    )


def seats_and_influence(
    *,
    people: Sequence[int],
    ties: Iterable[tuple[int, int]],
    affiliations: Mapping[int, Iterable[str]],
    seats: Iterable[tuple[int, int]],
    broker_scores: Mapping[int, float],
    sector_of: Mapping[str, str],
    tier_of: Mapping[str, str],
    forums: Iterable[int] = (),
    high_broker_score: float = HIGH_BROKER_SCORE,
    little_reach: int = LITTLE_REACH,
) -> SeatsAndInfluence:
    """Where formal seats and informal influence diverge.

    `ties`: informal (source, target) pairs, direction ignored. `affiliations`: each
    person's current organisations (group labels). `seats`: current (forum, person)
    seats. `broker_scores`: stored broker score per person (organisation boundary).
    `sector_of`/`tier_of`: organisation -> its sector / tier. `forums`: every forum,
    so that one without a seat today is reported too (reaching nothing).
    """
    people = sorted(set(people))
    orgs = {p: frozenset(affiliations.get(p, ())) for p in people}
    members: dict[int, set[int]] = defaultdict(set)
    seats_of: dict[int, set[int]] = defaultdict(set)
    for forum, person in seats:
        members[forum].add(person)
        seats_of[person].add(forum)
    unseated_brokers = [
        p for p in people if not seats_of.get(p) and broker_scores.get(p, 0.0) >= high_broker_score
    ]
    # Whose reach is shown: brokers without a seat, everyone seated, joint appointments.
    near = neighbours(
        ties, {*unseated_brokers, *seats_of, *(p for p in people if len(orgs[p]) >= 2)}
    )

    def finding(p: int) -> PersonFinding:
        return PersonFinding(
            person=p,
            broker_score=broker_scores.get(p),
            forums=tuple(sorted(seats_of.get(p, ()))),
            organisations_reached=len(_reach(p, near, orgs) - orgs[p]),
        )

    brokers = [finding(p) for p in unseated_brokers]
    brokers.sort(key=lambda f: (-(f.broker_score or 0.0), f.person))
    seated = [finding(p) for p in people if seats_of.get(p)]
    little = [f for f in seated if f.organisations_reached <= little_reach]
    little.sort(key=lambda f: (f.organisations_reached, f.broker_score or 0.0, f.person))

    system_orgs = sorted(set().union(*orgs.values()) if orgs else set())
    system_sectors = sorted({sector_of[o] for o in system_orgs if o in sector_of})
    system_tiers = sorted({tier_of[o] for o in system_orgs if o in tier_of})
    reaches = []
    for forum in sorted(set(forums) | set(members)):
        inside = sorted(p for p in members.get(forum, ()) if p in orgs)
        reached: set[str] = set()
        for p in inside:
            reached |= orgs[p] | _reach(p, near, orgs)
        sectors = {sector_of[o] for o in reached if o in sector_of}
        tiers = {tier_of[o] for o in reached if o in tier_of}
        reaches.append(
            ForumReach(
                forum=forum,
                members=tuple(inside),
                organisations=tuple(sorted(reached)),
                sectors=tuple(sorted(sectors)),
                tiers=tuple(sorted(tiers)),
                organisations_not_reached=tuple(o for o in system_orgs if o not in reached),
                sector_gaps=_gaps(system_sectors, sectors),
                tier_gaps=_gaps(system_tiers, tiers),
            )
        )

    joint = []
    for p in people:
        if len(orgs[p]) < 2:
            continue
        contacts = _reach(p, near, orgs)
        ordered = tuple(sorted(orgs[p]))
        joint.append(
            JointAppointment(
                person=p, organisations=ordered, reached=tuple(o in contacts for o in ordered)
            )
        )
    joint.sort(key=lambda j: (not j.works_inside_one, j.person))

    return SeatsAndInfluence(
        brokers_without_seat=tuple(brokers),
        seats_with_little_reach=tuple(little),
        forums=tuple(reaches),
        joint_appointments=tuple(joint),
    )
