"""The broker score in plain English: what it means for a leader, part by part.

Pages, board papers and exports show these sentences, so they name no measure
(issue #14: no "betweenness", "constraint", "two-path", role names or
"percentile"); the technical figures have columns of their own. Each sentence
stays true to a part of the score (broker_score.py):

- the lead names the partnership the person matters most to, among the pairs
  of groups they are tied across: one where every tie involves them if there
  is one, else the one with the fewest people at the ends of its ties;
- groups reached: "relationships with people in N other organisations";
- boundary betweenness: "on the shortest chains of introductions between
  people in different organisations";
- cross-group brokerage roles: "the go-between on N routes between people in
  different organisations who are not in direct touch" (an open two-path a ->
  b -> c with a and c in different groups and no arc a -> c: a route from a to
  c through b);
- openness (1 - constraint): whether their contacts are many and out of touch
  with one another, or few or closely knit.

Group names come in as plain data (`names`, group key -> words that fit in a
sentence, such as "Fenwick County Council" or "the NHS"); without one a group
is called by its key.
"""

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .results import PairScores, PersonScores

_PLURAL = {"organisation": "organisations", "sector": "sectors", "tier": "tiers"}

# "One of only N people": up to a handful, few enough that a leader would worry about
# the partnership if one of them left; more than that is simply "connects".
FEW = 5
# A share of others is worth saying only when it stands out.
NOTABLE = 0.75


def _whole(score: float) -> str:
    """A score as pages print it (floatformat:0): rounded half up, so 62.5 is 63."""
    rounded = Decimal(repr(score)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(rounded if rounded else abs(rounded))


def person_bridges(pairs: Iterable[PairScores]) -> dict[int, list[PairScores]]:
    """For each person, the partnerships (pairs of groups) they are tied across."""
    out: dict[int, list[PairScores]] = {}
    for pair in pairs:
        for person in pair.carriers:
            out.setdefault(person, []).append(pair)
    return out


def than_others(pct: float) -> str:
    """'anyone else on this map' or '96% of others on this map' for a share of others below.

    Rounded down, so nobody is "more than 100% of others".
    """
    if pct >= 1.0:
        return "anyone else on this map"
    return f"{math.floor(pct * 100)}% of others on this map"


def _lead(
    person_scores: PersonScores, bridges: Sequence[PairScores], name: Callable[[Hashable], str]
) -> str | None:
    """The partnership the person matters most to, or None if they are tied across none."""
    own = person_scores.group
    if own is None or not bridges:
        return None
    person = person_scores.person

    def other(pair: PairScores) -> Hashable:
        return pair.group_b if pair.group_a == own else pair.group_a

    best = min(
        bridges,
        key=lambda p: (
            person not in p.failure_people,
            len(p.carriers),
            name(other(p)),
            str(other(p)),
        ),
    )
    a, b = name(own), name(other(best))
    if person in best.failure_people:
        return f"Every relationship recorded between {a} and {b} involves them"
    carriers = len(best.carriers)
    if carriers <= FEW:
        return f"They are one of only {carriers} people who directly connect {a} with {b}"
    return f"They directly connect {a} with {b}"


def explain(
    person_scores: PersonScores,
    *,
    bridges: Sequence[PairScores] = (),
    names: Mapping[Hashable, str] | None = None,
) -> str:
    """The broker score explained in a few plain sentences (module docstring).

    `bridges`: the partnerships the person is tied across (person_bridges);
    `names`: words for each group key.
    """
    names = names or {}

    def name(group: Hashable) -> str:
        return names.get(group) or names.get(str(group)) or str(group)

    b = person_scores.broker
    groups = _PLURAL.get(person_scores.boundary, "groups")
    group = groups[:-1]
    head = f"Broker score {_whole(b.score)} out of 100."
    if person_scores.degree_in + person_scores.degree_out == 0:
        return f"{head} No relationships are recorded for them, so they connect no {groups}."

    sentences = [head]
    reached = b.groups_reached
    compared = (
        f" (more than {than_others(b.groups_reached_percentile)})"
        if b.groups_reached_percentile >= NOTABLE
        else ""
    )
    lead = _lead(person_scores, bridges, name)
    noun = groups if reached != 1 else group
    if person_scores.group is None:
        # Without a group a person is a group of one (analysis/__init__.py), and so is
        # everyone else without one.
        sentences.append(f"They belong to no {group} on this map, so count on their own.")
        if reached:
            sentences.append(
                f"They have relationships with people in {reached} other {noun}, where "
                f"anyone without one also counts on their own{compared}."
            )
    elif reached == 0:
        sentences.append(
            f"All their relationships are within {name(person_scores.group)}, so they "
            f"do not connect it with other {groups}."
        )
    else:
        if lead is not None:
            sentences.append(f"{lead}.")
        if lead is None or reached > 1:
            sentences.append(
                f"They have relationships with people in {reached} other {noun}{compared}."
            )

    clauses = []
    bridging, pct = b.boundary_betweenness, b.boundary_betweenness_percentile
    chains = f"the shortest chains of introductions between people in different {groups}"
    if bridging is not None and bridging > 0:
        if pct >= 0.5:
            clauses.append(f"are on more of {chains} than {than_others(pct)}")
        else:
            clauses.append(f"are on some of {chains}")
    elif bridging is not None:
        clauses.append(f"are on none of {chains}")
    routes = b.cross_roles
    if routes:
        clauses.append(
            f"are the go-between on {routes} route{'s' if routes != 1 else ''} between people "
            f"in different {groups} who are not in direct touch"
        )
    else:
        clauses.append(f"are not the go-between for anyone in different {groups}")
    sentences.append(f"They {', and '.join(clauses)}.")

    openness = b.openness_percentile
    if openness >= NOTABLE:
        sentences.append(
            "Their contacts are many and mostly not in touch with one another, which gives "
            "them room to broker."
        )
    elif openness >= 1 - NOTABLE:
        sentences.append(
            "Some of their contacts are in touch with one another, which leaves them some "
            "room to broker."
        )
    else:
        sentences.append(
            "Their contacts are few or mostly know one another, which leaves little room to broker."
        )
    return " ".join(sentences)
