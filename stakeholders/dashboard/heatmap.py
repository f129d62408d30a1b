"""The partnerships heat map: its headers' order and short names, its shading, and
the people carrying one partnership.

Groups are ordered by sector then name (organisations), or as the models list
sectors and tiers (national to neighbourhood, never alphabetical).
"""

import math
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from stakeholders.models import (
    Boundary,
    PairScore,
    PersonScore,
    Relationship,
    ScoreRun,
    Sector,
    Tier,
    Workspace,
)
from stakeholders.selectors import WithFormer, in_force_q, organisations_ever

HEAT_LEVELS = 5  # shades of the sequential scale, lightest (fewest ties) first
# Longer labels are shortened in the headers (the full name is in their title).
SHORT_LIMIT = 14
_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "at", "to", "&"}


@dataclass(frozen=True)
class GroupHead:
    """A row or column header: the group's key, full name, short name and sector."""

    key: str
    label: str
    short: str
    band: str = ""  # the organisation's sector: the matrix is sorted by it
    order: tuple = ()


@dataclass(frozen=True)
class Carrier:
    """Someone at an end of a tie between the two groups of a partnership."""

    person_id: int
    name: str
    job_title: str
    group: str
    ties: int
    partners: list[str]  # names of the people across the boundary they are tied to


@dataclass(frozen=True)
class PairPeople:
    a: GroupHead
    b: GroupHead
    relationships: int
    mean_trust: float | None
    carriers: list[Carrier]


def abbreviation(name: str) -> str:
    """A short name for a header: the name if short, an acronym in brackets, else initials.

    "Voluntary and community sector (VCSE)" -> "VCSE"; "Fenwick County Council" -> "FCC";
    words already in capitals (NHS, ICB) are kept whole.
    """
    name = name.strip()
    if len(name) <= SHORT_LIMIT:
        return name
    bracketed = re.search(r"\(([A-Z][A-Za-z0-9&]{1,9})\)\s*$", name)
    if bracketed:
        return bracketed.group(1)
    words = [w for w in re.findall(r"[^\W_]+", name) if w.casefold() not in _SMALL_WORDS]
    letters = "".join(w if w.isupper() and len(w) <= 4 else w[0].upper() for w in words)
    return letters[:10] or name[:SHORT_LIMIT]


def group_heads(*, workspace_id: int, boundary: str) -> WithFormer:
    """Every group on the boundary as a header, keyed as PersonScore.group stores it.

    One query for organisations (short name and sector), none for sectors and tiers.
    """
    if boundary == Boundary.ORGANISATION:
        sector_rank = {value: i for i, value in enumerate(Sector.values)}
        live, former = organisations_ever(workspace_id, "name", "short_name", "sector")

        def heads_of(rows: dict) -> dict[str, GroupHead]:
            return {
                str(pk): GroupHead(
                    str(pk),
                    name,
                    short.strip() or abbreviation(name),
                    Sector(sector).label if sector in sector_rank else sector,
                    (sector_rank.get(sector, len(sector_rank)), name.casefold(), pk),
                )
                for pk, (name, short, sector) in rows.items()
            }

        # Short names are numbered among today's organisations only.
        return WithFormer(_distinct_shorts(heads_of(live)), heads_of(former))
    choices = Sector if boundary == Boundary.SECTOR else Tier
    heads = {
        value: GroupHead(value, label, abbreviation(label), "", (i,))
        for i, (value, label) in enumerate(choices.choices)
    }
    return WithFormer(heads, {})


def _distinct_shorts(heads: dict[str, GroupHead]) -> dict[str, GroupHead]:
    """Number the short names two organisations share (FCC, FCC 2), in header order."""
    seen: dict[str, int] = {}
    out = {}
    for head in sorted(heads.values(), key=lambda h: h.order):
        n = seen[head.short] = seen.get(head.short, 0) + 1
        out[head.key] = head if n == 1 else _with_short(head, f"{head.short} {n}")
    return out


def _with_short(head: GroupHead, short: str) -> GroupHead:
    return GroupHead(head.key, head.label, short, head.band, head.order)


def shade(count: int, top: int) -> int:
    """The heat map's shade for a cell: 1 (fewest ties) to HEAT_LEVELS (the most).

    On a square-root scale: a few busy pairs would otherwise leave every other
    cell in the lightest shade.
    """
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * math.sqrt(count / top) - 1e-9)))


def heat_key(top: int) -> list[tuple[int, int, int]]:
    """The key: (shade, fewest, most ties) for each shade some count can have."""
    ranges: dict[int, list[int]] = {}
    for count in range(1, top + 1):
        level = shade(count, top)
        ranges.setdefault(level, [count, count])[1] = count
    return [(level, low, high) for level, (low, high) in sorted(ranges.items())]


def trust_level(mean_trust: float | None) -> int:
    """The trust bar's length: mean trust rounded to a whole 1 to 5; 0 when not recorded."""
    if mean_trust is None:
        return 0
    return max(1, min(5, math.floor(mean_trust + 0.5)))


def is_pair(heads: dict[str, GroupHead], a: str, b: str) -> bool:
    """Whether a and b are two different groups among `heads` (group_heads of a workspace)."""
    return a != b and a in heads and b in heads


def partnership_people(
    *,
    workspace: Workspace,
    run: ScoreRun,
    boundary: str,
    heads: dict[str, GroupHead],
    a: str,
    b: str,
) -> PairPeople:
    """Who carries the ties between groups a and b (is_pair), busiest first (three queries)."""
    members = {
        pk: (name, job_title, group)
        for pk, name, job_title, group in PersonScore.objects.filter(
            run=run, boundary=boundary, group__in=(a, b), person__workspace=workspace
        )
        .order_by()
        .values_list("person_id", "person__name", "person__job_title", "group")
    }
    in_a = [pk for pk, m in members.items() if m[2] == a]
    in_b = [pk for pk, m in members.items() if m[2] == b]
    # The ties in force on the scores' day (a snapshot's, a past date's, or today).
    ties = list(
        Relationship.objects.filter(
            Q(source_id__in=in_a, target_id__in=in_b) | Q(source_id__in=in_b, target_id__in=in_a)
        )
        .filter(in_force_q(run.as_of or timezone.localdate()))
        .order_by()
        .values_list("source_id", "target_id")
    )
    pair = (
        PairScore.objects.filter(run=run, boundary=boundary)
        .filter(Q(group_a=a, group_b=b) | Q(group_a=b, group_b=a))
        .values_list("relationships", "mean_trust")
        .first()
    )
    partners: dict[int, set[int]] = {}
    counts: dict[int, int] = {}
    for source, target in ties:
        for one, other in ((source, target), (target, source)):
            counts[one] = counts.get(one, 0) + 1
            partners.setdefault(one, set()).add(other)
    carriers = [
        Carrier(
            person_id=pk,
            name=members[pk][0],
            job_title=members[pk][1],
            group=heads[members[pk][2]].label,
            ties=counts[pk],
            partners=sorted((members[o][0] for o in partners[pk]), key=str.casefold),
        )
        for pk in counts
    ]
    carriers.sort(key=lambda c: (-c.ties, c.name.casefold(), c.person_id))
    relationships, mean_trust = pair if pair else (len(ties), None)
    return PairPeople(heads[a], heads[b], relationships, mean_trust, carriers)
