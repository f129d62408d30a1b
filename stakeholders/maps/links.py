"""The organisation-level map's links: ties counted per pair of organisations.

A map too big to draw person by person (maps.data.PEOPLE_LIMIT) shows one node
per organisation and a line per pair of organisations with ties between them.
At 20,000 people that is about 95,000 ties folded into some 18,000 pairs on every
request, so the ties arrive as bare (source, target, stale) rows and are counted
with numpy (imported here, only when a map is this big).
"""

import itertools
from dataclasses import dataclass

NO_ORGANISATION = -1  # organisation ids are positive: -1 stands for "no organisation"


@dataclass(frozen=True)
class Links:
    """What the organisation level draws from the ties."""

    # (a, b), a < b, two different organisations -> [ties, stale ties] between them.
    between: dict[tuple[int, int], list[int]]
    # Organisation -> (ties, stale ties) with other organisations: `between` summed.
    per_organisation: dict[int, tuple[int, int]]
    stale: int  # stale ties among all those counted, within organisations too
    person_ties: list[tuple[int, int]]  # the person in focus's ties: (source, target)


def tie_array(rows: list[tuple[int, int, int]]):
    """Bare tie rows (source, target, 1 if stale else 0) as an n x 3 integer array."""
    import numpy as np

    ties = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows)
    ).reshape(-1, 3)
    ties.flags.writeable = False  # kept between requests (stakeholders.memo)
    return ties


def organisation_links(
    ties,
    chosen: set[int],
    primary: dict[int, int],
    *,
    groups: dict[int, str] | None = None,
    person: int | None = None,
) -> Links:
    """The ties among `chosen` people, counted per pair of their primary organisations.

    `ties`: tie_array's rows (source, target, 1 if stale else 0). A tie counts when both ends are
    chosen and, if `groups` is given (only ties across groups), both ends have a
    group and the groups differ. People without a primary organisation count
    under NO_ORGANISATION. `person`: whose counted ties to return for the focus.
    """
    if not len(ties) or not chosen:
        return Links({}, {}, 0, [])
    import numpy as np

    people = np.array(sorted(chosen), dtype=np.int64)
    # Each end's place among the chosen, and whether it is one of them.
    at_source = np.minimum(np.searchsorted(people, ties[:, 0]), len(people) - 1)
    at_target = np.minimum(np.searchsorted(people, ties[:, 1]), len(people) - 1)
    keep = (people[at_source] == ties[:, 0]) & (people[at_target] == ties[:, 1])
    if groups is not None:
        codes: dict[str, int] = {}
        of = [groups.get(p) for p in people.tolist()]
        group = np.array([codes.setdefault(g, len(codes) + 1) if g else 0 for g in of])
        a, b = group[at_source], group[at_target]
        keep &= (a != 0) & (b != 0) & (a != b)
    ties, at_source, at_target = ties[keep], at_source[keep], at_target[keep]
    stale = int(ties[:, 2].sum())
    person_ties: list[tuple[int, int]] = []
    if person is not None:
        mine = (ties[:, 0] == person) | (ties[:, 1] == person)
        person_ties = list(zip(ties[mine, 0].tolist(), ties[mine, 1].tolist(), strict=True))

    # Organisations as dense codes, so a pair of them is one integer key.
    organisation = np.array(
        [primary.get(p, NO_ORGANISATION) for p in people.tolist()], dtype=np.int64
    )
    names, code = np.unique(organisation, return_inverse=True)
    a, b = code[at_source], code[at_target]
    across = a != b
    low, high, old = np.minimum(a, b)[across], np.maximum(a, b)[across], ties[across, 2]
    pairs, index = np.unique(low * len(names) + high, return_inverse=True)
    counts = np.bincount(index, minlength=len(pairs)).tolist()
    olds = np.bincount(index, weights=old, minlength=len(pairs)).astype(np.int64)

    def per_end(weights=None) -> list[int]:
        """Per organisation, over its ties with others: either end counts."""
        both = np.bincount(low, weights, len(names)) + np.bincount(high, weights, len(names))
        return both.astype(np.int64).tolist()

    total, total_old = per_end(), per_end(old)
    names = names.tolist()
    between = {
        (names[pair // len(names)], names[pair % len(names)]): [count, old]
        for pair, count, old in zip(pairs.tolist(), counts, olds.tolist(), strict=True)
    }
    per_organisation = {
        name: (count, old)
        for name, count, old in zip(names, total, total_old, strict=True)
        if count
    }
    return Links(between, per_organisation, stale, person_ties)
