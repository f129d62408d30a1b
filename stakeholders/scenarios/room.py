"""Who to put in the room: reads that turn the map into who reaches which partner.

A person reaches an organisation when they currently work there (an affiliation
with no end date, or one ending today or later), or through one tie of at least
the chosen strength, in either direction, to someone whose current primary
organisation it is. They reach a sector or tier when they reach any of its
organisations. People recorded as having left neither sit in the room nor count
as someone it reaches through. The exact answers come from
stakeholders.analysis.coverage, who reaches what from reach.py; this module
checks the question, reads the choices and scores, and words the answer: four
or five queries whatever the size of the map.
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from stakeholders.analysis.coverage import Cover, best_cover, only_reached_by, smallest_cover
from stakeholders.models import Boundary, PersonScore, ScoreRun, Sector, Tier, Workspace
from stakeholders.scenarios.choices import (
    BadChoice,
    OrganisationChoice,
    PersonChoice,
    chosen_person,
    organisation_choices,
    people_choices,
)
from stakeholders.scenarios.reach import OrganisationReach, organisation_reach

DEFAULT_MIN_STRENGTH = 3
MAX_TARGETS = 100
MAX_SIZE = 50
MAX_LISTED_PEOPLE = 50  # must-include and must-exclude, each
ROOM_HEADER = ("Ref", "Name", "Job title", "Organisation", "Reaches", "Only they reach",
               "Must include", "Room", "How they reach them")  # fmt: skip
TARGET_KINDS = {"organisation": "Organisation", "sector": "Sector", "tier": "Tier"}


@dataclass(frozen=True)
class RoomQuestion:
    """What the room must reach, and the rules for choosing it (checked by room_page)."""

    organisations: tuple[int, ...] = ()
    sectors: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    size: int | None = None  # also find the best room of this many people
    min_strength: int = DEFAULT_MIN_STRENGTH
    include: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()

    @property
    def has_targets(self) -> bool:
        return bool(self.organisations or self.sectors or self.tiers)


@dataclass(frozen=True)
class Target:
    key: str  # "organisation:12", "sector:nhs", "tier:place"
    kind: str  # organisation | sector | tier
    label: str  # the organisation's full name, or the sector's or tier's name
    organisations: frozenset[int]

    @property
    def kind_label(self) -> str:
        return TARGET_KINDS[self.kind]


@dataclass(frozen=True)
class Reach:
    """How one person reaches one target."""

    target: Target
    organisation: str  # the organisation they reach it through
    via: PersonChoice | None  # None: they work there
    strength: int | None  # of the tie to `via`

    @property
    def how(self) -> str:
        at = "" if self.target.kind == "organisation" else f" ({self.organisation})"
        if self.via is None:
            return f"works there{at}"
        return f"through {self.via.name}{at}, tie strength {self.strength}"

    @property
    def described(self) -> str:
        """As the page lists it: the partner, its kind unless an organisation, and how."""
        kind = "" if self.target.kind == "organisation" else f" ({self.target.kind})"
        return f"{self.target.label}{kind}: {self.how}"


@dataclass(frozen=True)
class RoomMember:
    person: PersonChoice
    broker_score: float | None
    must_include: bool
    reaches: list[Reach]  # every target they reach, in target order
    only_they_reach: list[Target]  # targets nobody else in this set reaches
    exclude_with: list[int]  # the people left out, and this person too (to choose again)


@dataclass(frozen=True)
class RoomSet:
    members: list[RoomMember]
    reached: list[Target]
    missed: list[Target]  # reachable by someone, but not by this set
    optimal: bool

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Unreachable:
    target: Target
    reason: str


@dataclass(frozen=True)
class RoomAnswer:
    targets: list[Target]
    smallest: RoomSet
    best: RoomSet | None  # the best room of `size`, when a size was asked for
    size: int | None
    unreachable: list[Unreachable]
    min_strength: int
    by_broker_score: bool  # the tie-break used broker scores (else ids only)


@dataclass(frozen=True)
class RoomPage:
    organisations: list[OrganisationChoice]
    sectors: list[tuple[str, str, list[OrganisationChoice]]]  # (value, label, organisations)
    tiers: list[tuple[str, str]]
    people: list[PersonChoice]
    include: list[PersonChoice]
    exclude: list[PersonChoice]
    answer: RoomAnswer | None
    question: RoomQuestion = field(default_factory=RoomQuestion)


def room_page(
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    question: RoomQuestion,
    today: datetime.date,
) -> RoomPage:
    """The pickers' choices and, when targets are chosen, the answer (two to six queries).

    BadChoice when anything chosen is not in the workspace or the rules cannot be met.
    """
    organisations = organisation_choices(workspace=workspace)
    people = people_choices(workspace=workspace, today=today)
    targets = _targets(question, organisations)
    must = "someone who must be in the room"
    include = [chosen_person(people, pk, must) for pk in question.include]
    exclude = [chosen_person(people, pk, "someone to leave out") for pk in question.exclude]
    _check(question)
    answer = None
    if targets:
        answer = room_answer(
            workspace=workspace,
            run=run,
            question=question,
            targets=targets,
            people=people,
            organisations=organisations,
            today=today,
        )
    by_sector = [
        (value, label, [o for o in organisations.values() if o.sector == value])
        for value, label in Sector.choices
    ]
    return RoomPage(
        organisations=list(organisations.values()),
        sectors=[s for s in by_sector if s[2]],
        tiers=list(Tier.choices),
        people=list(people.values()),
        include=include,
        exclude=exclude,
        answer=answer,
        question=question,
    )


def _check(question: RoomQuestion) -> None:
    if not 1 <= question.min_strength <= 5:
        raise BadChoice("The minimum tie strength must be a whole number from 1 to 5.")
    if question.size is not None and not 1 <= question.size <= MAX_SIZE:
        raise BadChoice(f"The size of the room must be a whole number from 1 to {MAX_SIZE}.")
    if len(question.include) > MAX_LISTED_PEOPLE or len(question.exclude) > MAX_LISTED_PEOPLE:
        raise BadChoice(f"Name at most {MAX_LISTED_PEOPLE} people to include or leave out.")
    if set(question.include) & set(question.exclude):
        raise BadChoice("Someone is both required in the room and left out: choose one.")
    if question.size is not None and len(question.include) > question.size:
        raise BadChoice(
            f"{len(question.include)} people must be in the room, more than the "
            f"{question.size} places asked for: raise the size or include fewer people."
        )


def _targets(question: RoomQuestion, organisations: dict[int, OrganisationChoice]) -> list[Target]:
    targets = []
    for pk in sorted(set(question.organisations), key=lambda pk: _org_order(pk, organisations)):
        if pk not in organisations:
            raise BadChoice(
                "An organisation chosen is not in this workspace. Choose from the list."
            )
        targets.append(
            Target(f"organisation:{pk}", "organisation", organisations[pk].name, frozenset({pk}))
        )
    for kind, chosen, choices, attr in (
        ("sector", question.sectors, Sector.choices, "sector"),
        ("tier", question.tiers, Tier.choices, "tier"),
    ):
        labels = dict(choices)
        unknown = [value for value in chosen if value not in labels]
        if unknown:
            raise BadChoice(f"There is no {kind} called '{unknown[0][:40]}'. Choose from the list.")
        for value, label in choices:
            if value in chosen:
                members = frozenset(
                    o.id for o in organisations.values() if getattr(o, attr) == value
                )
                targets.append(Target(f"{kind}:{value}", kind, label, members))
    if len(targets) > MAX_TARGETS:
        raise BadChoice(f"Choose at most {MAX_TARGETS} organisations, sectors and tiers at once.")
    return targets


def _org_order(pk: int, organisations: dict[int, OrganisationChoice]) -> tuple:
    org = organisations.get(pk)
    return (0, org.name.casefold(), pk) if org else (1, "", pk)


def room_answer(
    *,
    workspace: Workspace,
    run: ScoreRun | None,
    question: RoomQuestion,
    targets: list[Target],
    people: dict[int, PersonChoice],
    organisations: dict[int, OrganisationChoice],
    today: datetime.date,
) -> RoomAnswer:
    """The smallest room reaching every target, and the best room of the size asked for."""
    wanted = set().union(*(t.organisations for t in targets))
    reaches = organisation_reach(
        workspace=workspace, today=today, min_strength=question.min_strength, wanted=wanted
    )
    by_org: dict[int, list[Target]] = {}
    for t in targets:
        for org in t.organisations:
            by_org.setdefault(org, []).append(t)
    reached_orgs: dict[int, set[int]] = {}
    for person, orgs in reaches.works_at.items():
        reached_orgs.setdefault(person, set()).update(orgs)
    for person, org in reaches.contact:
        reached_orgs.setdefault(person, set()).add(org)
    everyone: dict[int, set[str]] = {}
    for person, orgs in reached_orgs.items():
        if person in people:
            everyone[person] = {t.key for org in orgs for t in by_org.get(org, ())}
    excluded = set(question.exclude)
    reach = {p: keys for p, keys in everyone.items() if p not in excluded and keys}
    for p in question.include:
        reach.setdefault(p, set())
    scores: dict[int, float] = {}
    if run is not None:
        scores = dict(
            PersonScore.objects.filter(run=run, boundary=Boundary.ORGANISATION)
            .order_by()
            .values_list("person_id", "broker_score")
        )
    order = sorted(reach, key=lambda p: (-scores.get(p, -1.0), p))
    keys = [t.key for t in targets]
    smallest = smallest_cover(reach, keys, include=question.include, order=order)
    best = None
    if question.size is not None:
        best = best_cover(reach, keys, question.size, include=question.include, order=order)

    by_key = {t.key: t for t in targets}

    def room(cover: Cover) -> RoomSet:
        only = only_reached_by(cover.people, reach)
        members = [
            RoomMember(
                person=people[p],
                broker_score=scores.get(p),
                must_include=p in question.include,
                reaches=[
                    _how(p, t, reaches, people, organisations) for t in targets if t.key in reach[p]
                ],
                only_they_reach=[t for t in targets if t.key in only[p]],
                exclude_with=[*question.exclude, p],
            )
            for p in cover.people
        ]
        return RoomSet(
            members=members,
            reached=[t for t in targets if t.key in cover.reached],
            missed=[by_key[k] for k in keys if k in cover.missed],
            optimal=cover.optimal,
        )

    unreachable = [
        Unreachable(by_key[k], _why_unreachable(by_key[k], everyone, question, people))
        for k in keys
        if k in smallest.unreachable
    ]
    return RoomAnswer(
        targets=targets,
        smallest=room(smallest),
        best=room(best) if best is not None else None,
        size=question.size,
        unreachable=unreachable,
        min_strength=question.min_strength,
        by_broker_score=bool(scores),
    )


def _how(
    person: int,
    target: Target,
    reaches: OrganisationReach,
    people: dict[int, PersonChoice],
    organisations: dict[int, OrganisationChoice],
) -> Reach:
    def name(org: int) -> str:
        return organisations[org].name

    works = sorted(reaches.organisations(person) & target.organisations, key=name)
    if works:
        return Reach(target=target, organisation=name(works[0]), via=None, strength=None)
    best = None
    for org in target.organisations:
        found = reaches.contact.get((person, org))
        if found is not None:
            strength, trust, other = found
            rank = (-strength, -trust, other, name(org))
            if best is None or rank < best[0]:
                best = (rank, org, other, strength)
    assert best is not None, "only people who reach a target are asked how"
    _rank, org, other, strength = best
    return Reach(target=target, organisation=name(org), via=people[other], strength=strength)


def _why_unreachable(
    target: Target,
    everyone: dict[int, set[str]],
    question: RoomQuestion,
    people: dict[int, PersonChoice],
) -> str:
    where = {
        "organisation": "there",
        "sector": f"at any organisation in the {target.label} sector",
        "tier": f"at any {target.label.lower()}-tier organisation",
    }[target.kind]
    if not target.organisations:
        return f"No organisation in the map is in this {target.kind}."
    left_out = [people[p].name for p in question.exclude if target.key in everyone.get(p, ())]
    if left_out:
        return (
            f"Only people you asked to leave out reach it ({', '.join(left_out)}): nobody else "
            f"works {where} or has a tie of strength {question.min_strength} or more to "
            "someone whose main organisation it is."
        )
    return (
        f"Nobody in the map currently works {where}, so nobody reaches it directly or "
        "through a tie. People may be missing from the map, or recorded as having left."
    )


def room_rows(answer: RoomAnswer | None) -> Iterator[tuple]:
    """The rooms as CSV rows, header first: one row per person in the smallest room,
    then (when a size was asked for) one per person in the best room of that size;
    the Room column says which; the last column says how each partner is reached, as the
    page does."""
    yield ROOM_HEADER
    if answer is None:
        return
    rooms = [("The smallest room", answer.smallest)]
    if answer.best is not None:
        seats = f"seat{'' if answer.size == 1 else 's'}"
        rooms.append((f"The best {answer.size} {seats}", answer.best))
    for room, chosen in rooms:
        for member in chosen.members:
            yield (
                member.person.ref,
                member.person.name,
                member.person.job_title,
                member.person.organisation,
                "; ".join(r.target.label for r in member.reaches),
                "; ".join(t.label for t in member.only_they_reach),
                member.must_include,
                room,
                "; ".join(r.described for r in member.reaches),
            )


def _match(text: str, choices: Sequence[OrganisationChoice]) -> list[OrganisationChoice]:
    wanted = text.strip().casefold()
    by_name = [o for o in choices if o.name.casefold() == wanted]
    return by_name or [o for o in choices if o.short_name and o.short_name.casefold() == wanted]


def organisations_by_name(*, workspace: Workspace, names: Sequence[str]) -> list[int]:
    """Organisation ids for full or short names (for the command); BadChoice names a bad one."""
    choices = list(organisation_choices(workspace=workspace).values())
    ids = []
    for text in names:
        found = _match(text, choices)
        if not found:
            raise BadChoice(f"No organisation called '{text}' in workspace '{workspace.slug}'.")
        if len(found) > 1:
            names_found = ", ".join(o.name for o in found)
            raise BadChoice(f"'{text}' could be any of: {names_found}. Use the full name.")
        ids.append(found[0].id)
    return ids


def people_by_ref(
    *, workspace: Workspace, refs: Sequence[str], today: datetime.date, option: str
) -> tuple:
    """Current people's ids for refs (for the command); BadChoice names the option and ref."""
    if not refs:
        return ()
    by_ref = {p.ref: p.id for p in people_choices(workspace=workspace, today=today).values()}
    for ref in refs:
        if ref not in by_ref:
            raise BadChoice(
                f"{option}: no current person with ref '{ref}' in workspace "
                f"'{workspace.slug}' (people recorded as having left cannot be chosen)."
            )
    return tuple(dict.fromkeys(by_ref[ref] for ref in refs))
