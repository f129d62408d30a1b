"""The demo and synthetic workspaces as plain rows, for `manage.py seed_demo` to write.

Pure Python, no Django: every row is a frozen dataclass and every choice code is
the string the models store (a test checks they match). Deterministic: fixed
lists, a seeded `random.Random`, fixed dates (never relative to today).

The curated demo is a fictional system in the fictional county of Fenwick.
Every person is invented from fixed lists of first names and surnames; combinations
that belong to well-known public figures are skipped. Four structures are built
in on purpose so that the analysis has something to find (tests assert each):
a joint appointment across the county council and the ICB, a hidden influencer
(a practice manager whom many directors trust), a single point of failure between
the acute trust and one district council, and two organisations with no ties.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEMO_SLUG = "demo"
DEMO_NAME = "North Fenwick Health and Care Partnership (demo)"
DEMO_SEED = 20241101

# Relationships were observed in a fixed two-year window.
OBSERVED_FROM = datetime.date(2024, 11, 1)
OBSERVED_TO = datetime.date(2026, 10, 31)
# Ties first seen from this day on may be new ones: some carry a start date.
RECENT_FROM = datetime.date(2025, 11, 1)

# Codes as stored by stakeholders.models (Seniority, Tier, Sector, RelationshipKind).
SENIORITY = ("frontline", "manager", "senior_manager", "director", "executive", "board")
RANK = {code: rank for rank, code in enumerate(SENIORITY)}
F, M, S, D, E, B = SENIORITY
TIERS = ("national", "regional", "system", "place", "neighbourhood")
SECTORS = ("nhs", "local_government", "social_care", "vcse", "national_body", "other")
KINDS = ("collaborates", "trusts", "reports_to", "influences")

# Organisations and the people the deliberate structures hang on (see the tests).
COUNTY_COUNCIL = "Fenwick County Council"
ICB = "NHS North Fenwick Integrated Care Board"
ACUTE_TRUST = "Fenwick Hospitals NHS Foundation Trust"
DISTRICT_COUNCIL = "Marsh Vale District Council"
PRACTICE = "Riverside Medical Practice"
JOINT_DIRECTOR_TITLE = "Director of Integrated Commissioning"
HIDDEN_INFLUENCER_TITLE = "Practice Manager"
BRIDGE_TITLE = "Head of Patient Flow"
ISOLATED_ORGANISATIONS = ("Fenwick Fire and Rescue Service", "Hartwell Men's Shed")


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    name: str
    short_name: str
    kind: str
    sector: str
    tier: str
    parent: str  # the parent's name; "" for none
    ods_code: str


@dataclass(frozen=True, slots=True)
class PersonRow:
    ref: str
    name: str
    job_title: str
    seniority: str
    notes: str
    active: bool


@dataclass(frozen=True, slots=True)
class AffiliationRow:
    person_ref: str
    organisation: str  # the organisation's name
    role_title: str
    is_primary: bool
    start_date: datetime.date | None
    end_date: datetime.date | None


@dataclass(frozen=True, slots=True)
class RelationshipRow:
    source_ref: str
    target_ref: str
    kind: str
    strength: int
    trust: int | None
    observed_on: datetime.date
    evidence: str
    # In force from and until (empty: throughout); see _Builder.dated.
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class ForumRow:
    name: str
    kind: str  # stakeholders.models.ForumKind
    tier: str
    host: str  # the host organisation's name; "" for none


@dataclass(frozen=True, slots=True)
class ForumMemberRow:
    forum: str  # the forum's name
    person_ref: str
    seat: str  # chair | voting_member | participant
    start_date: datetime.date | None
    end_date: datetime.date | None


@dataclass(frozen=True)
class Dataset:
    name: str
    organisations: tuple[OrganisationRow, ...]
    people: tuple[PersonRow, ...]
    affiliations: tuple[AffiliationRow, ...]
    relationships: tuple[RelationshipRow, ...]
    forums: tuple[ForumRow, ...] = ()
    forum_members: tuple[ForumMemberRow, ...] = ()


# --- Names -------------------------------------------------------------------------

FIRST_NAMES = (
    "Adaeze", "Agnieszka", "Aisha", "Alison", "Amira", "Andrew", "Angela", "Anjali", "Ben",
    "Bernadette", "Bethan", "Callum", "Catherine", "Chidi", "Chloe", "Claire", "Colin",
    "Craig", "Daniel", "Deborah", "Declan", "Dev", "Donna", "Eleanor", "Emeka", "Ewan",
    "Fatima", "Fiona", "Gareth", "Gemma", "Grace", "Graham", "Hannah", "Harpreet", "Helen",
    "Ian", "Imran", "Isla", "Jacqueline", "Jasmine", "Joanne", "Jonathan", "Joseph",
    "Karen", "Kieran", "Kwame", "Laura", "Leanne", "Linda", "Lucy", "Mandeep", "Marcus",
    "Margaret", "Mark", "Martin", "Megan", "Michelle", "Mohammed", "Nadia", "Naomi",
    "Neil", "Nicola", "Nikhil", "Olivia", "Oluwaseun", "Owen", "Paula", "Philip", "Priya",
    "Rachel", "Rajesh", "Rebecca", "Rhys", "Richard", "Rosalind", "Ruth", "Ryan", "Sally",
    "Samina", "Sandra", "Sean", "Shauna", "Simon", "Siobhan", "Sophie", "Stephen",
    "Stuart", "Tariq", "Teresa", "Thomas", "Tomasz", "Tracey", "Usha", "Victoria",
    "Wendy", "Yusuf", "Zainab",
)  # fmt: skip

SURNAMES = (
    "Ahmed", "Akhtar", "Allen", "Appleby", "Bailey", "Banerjee", "Bennett", "Bhatt",
    "Birch", "Brennan", "Brooks", "Burrows", "Chadwick", "Chaudhry", "Clarke", "Coleman",
    "Connolly", "Crossley", "Dalton", "Dawson", "Desai", "Doherty", "Donnelly", "Doyle",
    "Drummond", "Eastwood", "Ellis", "Farrell", "Fenton", "Fletcher", "Foster", "Fraser",
    "Gallagher", "Gill", "Gordon", "Greenwood", "Griffiths", "Hale", "Harding", "Hartley",
    "Haworth", "Hayes", "Holt", "Hussain", "Iqbal", "Jackson", "Jennings", "Joshi",
    "Kelly", "Kennedy", "Khan", "Kowalski", "Lamb", "Leach", "Lloyd", "Lowe", "Lynch",
    "MacDonald", "Malik", "Mensah", "Metcalfe", "Mistry", "Moran", "Morgan", "Murphy",
    "Nash", "Nolan", "Nowak", "Obi", "Okafor", "Osei", "Owusu", "Parkes", "Parry", "Patel",
    "Pearson", "Perkins", "Quinn", "Rahman", "Reid", "Rowe", "Sandhu", "Saunders", "Shah",
    "Sharma", "Shaw", "Sheikh", "Simpson", "Singh", "Slater", "Stewart", "Sullivan",
    "Sutton", "Thornton", "Turner", "Wainwright", "Walsh", "Ward", "Whitehead",
    "Wilkinson", "Woodward", "Yates",
)  # fmt: skip

# Combinations that name well-known people: never generated.
AVOIDED_NAMES = frozenset({
    "Amira Khan", "Chloe Kelly", "Declan Donnelly", "Gareth Edwards", "Imran Khan",
    "Linda Barker", "Mark Lawson", "Nadia Hussain", "Neil Young", "Rachel Riley",
    "Sophie Ellis", "Helen Grant", "Owen Farrell", "Sean Murphy", "Stephen Lowe",
})  # fmt: skip


def _name_pool(rng: random.Random) -> list[str]:
    """Every allowed name once, in a seeded order that spreads first names and surnames.

    First names and surnames are shuffled separately and paired off in step, so the
    first few hundred names repeat neither part more than a couple of times.
    """
    firsts, lasts = list(FIRST_NAMES), list(SURNAMES)
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    names, seen = [], set()
    for i in range(math.lcm(len(firsts), len(lasts))):
        name = f"{firsts[i % len(firsts)]} {lasts[i % len(lasts)]}"
        if name not in seen and name not in AVOIDED_NAMES:
            seen.add(name)
            names.append(name)
    rest = sorted(f"{a} {b}" for a in firsts for b in lasts)
    rest = [name for name in rest if name not in seen and name not in AVOIDED_NAMES]
    rng.shuffle(rest)
    return names + rest


# --- Roles: (job title, seniority); the first entry is the organisation's head -----

Role = tuple[str, str]

# profile -> (roles in the order an organisation of growing size fills them,
#             roles repeated for staff beyond those: a pyramid, mostly frontline)
PROFILES: dict[str, tuple[tuple[Role, ...], tuple[Role, ...]]] = {
    "acute": (
        (
            ("Chief Executive", E), ("Chair", B), ("Chief Operating Officer", E),
            ("Chief Nurse", E), ("Medical Director", E), (BRIDGE_TITLE, S),
            ("Director of Strategy and Partnerships", D), ("Chief Finance Officer", E),
            ("Director of Operations – Medicine", D), ("Discharge Team Lead", M),
            ("Ward Manager – Elderly Care", M), ("Matron – Frailty", S),
            ("Non-executive Director", B), ("Director of People", D),
            ("Divisional General Manager – Surgery", S), ("Clinical Lead for Frailty", S),
            ("Staff Nurse", F), ("Discharge Coordinator", F), ("Ward Manager – Acute Medicine", M),
            ("Occupational Therapist", F), ("Service Manager – Emergency Department", M),
            ("Physiotherapist", F), ("Healthcare Assistant", F), ("Deputy Chief Nurse", D),
            ("Patient Experience Lead", M), ("Staff Nurse", F),
        ),
        (
            ("Staff Nurse", F), ("Healthcare Assistant", F), ("Ward Manager", M),
            ("Staff Nurse", F), ("Discharge Coordinator", F), ("Matron", S), ("Physiotherapist", F),
            ("Service Manager", M), ("Staff Nurse", F), ("Occupational Therapist", F),
            ("Ward Manager", M), ("Specialty Doctor", F), ("Divisional Director", D),
            ("Healthcare Assistant", F), ("Service Manager", M),
        ),
    ),
    "icb": (
        (
            ("Chief Executive", E), ("Chair", B), ("Chief Medical Officer", E),
            ("Chief Nursing Officer", E), ("Chief Finance Officer", E),
            ("Director of Primary Care", D), ("Director of Place", D),
            ("Director of Strategy and Transformation", D),
            ("Head of Primary Care Commissioning", S), ("Head of Urgent and Emergency Care", S),
            ("Non-executive Member", B), ("Senior Commissioning Manager", M),
            ("Programme Manager – Ageing Well", M), ("Primary Care Contracts Manager", M),
            ("Population Health Analyst", F), ("Head of Mental Health Commissioning", S),
            ("Deputy Director of Nursing and Quality", D),
            ("Communications and Engagement Manager", M), ("Project Support Officer", F),
            ("Quality Assurance Officer", F), ("Business Intelligence Analyst", F),
        ),
        (
            ("Project Support Officer", F), ("Commissioning Manager", M),
            ("Business Intelligence Analyst", F), ("Programme Manager", M),
            ("Head of Commissioning", S), ("Contracts Officer", F), ("Administrator", F),
            ("Deputy Director", D), ("Commissioning Officer", F), ("Programme Manager", M),
            ("Project Support Officer", F),
        ),
    ),
    "county_council": (
        (
            ("Chief Executive", E), ("Leader of the Council", B),
            ("Director of Adult Social Care", E), ("Director of Children's Services", E),
            (JOINT_DIRECTOR_TITLE, D), ("Executive Director of Resources", E),
            ("Cabinet Member for Adult Social Care and Health", B),
            ("Assistant Director – Adult Social Care Operations", D), ("Head of Commissioning", S),
            ("Head of Safeguarding Adults", S), ("Principal Social Worker", S),
            ("Team Manager – Hospital Social Work", M), ("Commissioning Manager", M),
            ("Social Worker", F), ("Occupational Therapist", F), ("Team Manager – Reablement", M),
            ("Senior Social Worker", F), ("Brokerage Officer", F), ("Reablement Support Worker", F),
            ("Social Worker", F),
        ),
        (
            ("Social Worker", F), ("Reablement Support Worker", F), ("Team Manager", M),
            ("Occupational Therapist", F), ("Social Worker", F), ("Head of Service", S),
            ("Brokerage Officer", F), ("Commissioning Manager", M), ("Social Worker", F),
            ("Assistant Director", D), ("Support Planner", F), ("Team Manager", M),
        ),
    ),
    "mental_health": (
        (
            ("Chief Executive", E), ("Chair", B), ("Medical Director", E),
            ("Director of Nursing", E), ("Director of Operations", D),
            ("Clinical Director – Community Mental Health", D), ("Head of Social Work", S),
            ("Service Manager – Crisis Team", M), ("Team Manager – Older Adults", M),
            ("Community Psychiatric Nurse", F), ("Peer Support Worker", F),
            ("Clinical Psychologist", F), ("Approved Mental Health Professional", F),
        ),
        (
            ("Community Psychiatric Nurse", F), ("Support Worker", F), ("Team Manager", M),
            ("Mental Health Nurse", F), ("Service Manager", S), ("Peer Support Worker", F),
            ("Clinical Psychologist", F), ("Team Manager", M), ("Associate Director", D),
            ("Support Worker", F),
        ),
    ),
    "community": (
        (
            ("Chief Executive", E), ("Chair", B), ("Director of Nursing and Operations", E),
            ("Director of Finance", E), ("Head of Community Nursing", S), ("Locality Manager", M),
            ("Intermediate Care Manager", M), ("District Nurse", F),
            ("Community Physiotherapist", F), ("Rapid Response Nurse", F),
            ("District Nursing Team Lead", M),
        ),
        (
            ("District Nurse", F), ("Community Physiotherapist", F), ("Team Lead", M),
            ("Rapid Response Nurse", F), ("Head of Service", S), ("Healthcare Assistant", F),
            ("Locality Manager", M), ("District Nurse", F), ("Associate Director", D),
            ("Community Occupational Therapist", F),
        ),
    ),
    "ambulance": (
        (
            ("Chief Executive", E), ("Chair", B), ("Director of Operations", E),
            ("Locality Head of Operations", S), ("Clinical Lead – Urgent Community Response", S),
            ("Duty Operations Manager", M), ("Paramedic", F), ("Emergency Care Assistant", F),
        ),
        (
            ("Paramedic", F), ("Emergency Care Assistant", F), ("Duty Operations Manager", M),
            ("Paramedic", F), ("Emergency Medical Dispatcher", F), ("Head of Operations", S),
            ("Paramedic", F), ("Clinical Team Leader", M), ("Associate Director", D),
        ),
    ),
    "university": (
        (
            ("Dean of Health and Social Care", D), ("Professor of Integrated Care", S),
            ("Head of Nursing Education", S), ("Senior Lecturer in Social Work", M),
            ("Research Fellow", F),
        ),
        (
            ("Lecturer", F), ("Research Fellow", F), ("Senior Lecturer", M), ("Professor", S),
        ),
    ),
    "nhse_national": (
        (
            ("National Director for Urgent and Emergency Care", E),
            ("Deputy Director – System Integration", D), ("Senior Policy Manager", S),
            ("Policy Lead", M), ("Analyst", F),
        ),
        (
            ("Policy Lead", M), ("Analyst", F), ("Senior Policy Manager", S), ("Analyst", F),
        ),
    ),
    "nhse_region": (
        (
            ("Regional Director", E), ("Regional Director of Strategy and Transformation", D),
            ("Head of System Oversight", S), ("Regional Lead for Urgent and Emergency Care", S),
            ("System Improvement Manager", M), ("Senior Analyst", F),
        ),
        (
            ("System Improvement Manager", M), ("Senior Analyst", F), ("Head of Oversight", S),
            ("Analyst", F), ("Deputy Director", D), ("Project Officer", F),
        ),
    ),
    "district_council": (
        (
            ("Chief Executive", E), ("Leader of the Council", B), ("Director of Communities", D),
            ("Head of Housing Options", S), ("Housing Needs Officer", F),
            ("Homelessness Prevention Team Manager", M), ("Disabled Facilities Grant Officer", F),
            ("Environmental Health Manager", M), ("Community Development Officer", F),
            ("Cabinet Member for Housing", B),
        ),
        (
            ("Housing Needs Officer", F), ("Community Development Officer", F), ("Team Manager", M),
            ("Housing Officer", F), ("Head of Service", S), ("Environmental Health Officer", F),
        ),
    ),
    "unitary_council": (
        (
            ("Chief Executive", E), ("Leader of the Council", B),
            ("Director of Adult Social Care", E), ("Director of Public Health", D),
            ("Head of Housing", S), ("Team Manager – Adult Social Care", M), ("Social Worker", F),
            ("Housing Officer", F), ("Commissioning Manager", M), ("Occupational Therapist", F),
        ),
        (
            ("Social Worker", F), ("Housing Officer", F), ("Team Manager", M),
            ("Occupational Therapist", F), ("Head of Service", S), ("Social Worker", F),
            ("Reablement Support Worker", F), ("Team Manager", M), ("Assistant Director", D),
        ),
    ),
    "place_partnership": (
        (
            ("Place Managing Director", D), ("Head of Integration", S),
            ("Partnership Programme Manager", M), ("Project Support Officer", F),
        ),
        (
            ("Project Support Officer", F), ("Programme Manager", M),
        ),
    ),
    "healthwatch": (
        (
            ("Chief Executive", E), ("Research and Insight Manager", M), ("Engagement Officer", F),
            ("Chair", B), ("Volunteer Coordinator", F),
        ),
        (
            ("Engagement Officer", F), ("Volunteer Coordinator", F),
        ),
    ),
    "public_health": (
        (
            ("Director of Public Health", D), ("Consultant in Public Health", S),
            ("Public Health Manager", M), ("Health Improvement Practitioner", F),
            ("Public Health Intelligence Analyst", F),
        ),
        (
            ("Health Improvement Practitioner", F), ("Public Health Manager", M),
            ("Public Health Intelligence Analyst", F), ("Consultant in Public Health", S),
        ),
    ),
    "housing": (
        (
            ("Chief Executive", E), ("Director of Housing Services", D),
            ("Tenancy Sustainment Manager", M), ("Housing Officer", F),
            ("Independent Living Coordinator", F),
        ),
        (
            ("Housing Officer", F), ("Neighbourhood Manager", M), ("Housing Officer", F),
        ),
    ),
    "police": (
        (
            ("Chief Superintendent – Local Policing", D), ("Inspector – Mental Health Liaison", M),
            ("Police Constable – Neighbourhood Team", F), ("Superintendent – Partnerships", S),
            ("Partnership Officer", F),
        ),
        (
            ("Police Constable", F), ("Sergeant", M), ("Police Community Support Officer", F),
        ),
    ),
    "vcse_umbrella": (
        (
            ("Chief Executive", E), ("Partnerships Manager", M), ("Development Officer", F),
            ("Chair of Trustees", B), ("Volunteer Coordinator", F),
        ),
        (
            ("Development Officer", F), ("Project Manager", M), ("Volunteer Coordinator", F),
        ),
    ),
    "care_provider": (
        (
            ("Managing Director", E), ("Registered Manager", M), ("Care Coordinator", F),
            ("Care Worker", F), ("Operations Director", D), ("Deputy Manager", M),
        ),
        (
            ("Care Worker", F), ("Senior Care Worker", F), ("Care Worker", F),
            ("Deputy Manager", M),
        ),
    ),
    "pcn": (
        (
            ("Clinical Director", D), ("PCN Manager", M), ("Social Prescribing Link Worker", F),
            ("Care Coordinator", F), ("Clinical Pharmacist", F),
            ("First Contact Physiotherapist", F), ("Health and Wellbeing Coach", F),
        ),
        (
            ("Care Coordinator", F), ("Clinical Pharmacist", F), ("Paramedic Practitioner", F),
        ),
    ),
    "gp_practice": (
        (
            ("Senior Partner", E), (HIDDEN_INFLUENCER_TITLE, M), ("GP Partner", E),
            ("Practice Nurse", F), ("Receptionist", F), ("Salaried GP", F),
            ("Healthcare Assistant", F), ("Reception Manager", M),
        ),
        (
            ("Receptionist", F), ("Practice Nurse", F), ("Salaried GP", F), ("Administrator", F),
        ),
    ),
    "vcse_charity": (
        (
            ("Chief Officer", E), ("Carers Support Worker", F), ("Volunteer Coordinator", F),
            ("Trustee", B), ("Services Manager", M),
        ),
        (
            ("Support Worker", F), ("Volunteer Coordinator", F),
        ),
    ),
    "fire": (
        (
            ("Station Manager – Prevention", M), ("Community Safety Advocate", F),
        ),
        (
            ("Firefighter", F),
        ),
    ),
    "mens_shed": (
        (
            ("Shed Coordinator", M), ("Volunteer", F),
        ),
        (
            ("Volunteer", F),
        ),
    ),
}  # fmt: skip


def roles_for(profile: str, size: int) -> list[Role]:
    """The first `size` roles of a profile: the priority list, then the repeating pyramid."""
    priority, filler = PROFILES[profile]
    roles = list(priority[:size])
    roles.extend(filler[i % len(filler)] for i in range(size - len(roles)))
    return roles


# --- Evidence notes ----------------------------------------------------------------

EVIDENCE = {
    ("reports_to", False): (
        "Monthly 1:1", "Weekly 1:1", "Line manager", "Line manager; fortnightly 1:1",
        "Annual appraisal and monthly 1:1", "",
    ),
    ("reports_to", True): (
        "Accountable for the hosted service", "Monthly 1:1",
    ),
    ("collaborates", False): (
        "Same team; daily huddle", "Co-lead the winter plan",
        "Work together on the discharge pathway", "Joint owners of the quality improvement plan",
        "Sit on the same programme board", "Share the on-call rota",
        "Run the team meeting together", "",
    ),
    ("collaborates", True): (
        "Co-chair of the discharge group", "Both on the place partnership board",
        "Joint lead for the frailty programme", "Meet at the health and wellbeing board",
        "Working together on the better care fund plan", "Joint work on the falls pathway",
        "Weekly call on delayed discharges", "Both sit on the safeguarding adults board",
        "Joint bid for the community diagnostic centre", "",
    ),
    ("trusts", False): (
        "Goes to them first for advice", "Trusted sounding board",
        "Confides in them about budget pressures", "Asks their view before papers go out", "",
    ),
    ("trusts", True): (
        "Trusted sounding board across organisations", "Calls them before escalating",
        "Long-standing working relationship", "Asks their view on anything touching primary care",
        "",
    ),
    ("influences", False): (
        "Shapes priorities at the executive meeting", "Their view usually carries the decision",
        "Sponsors their programme", "Sets the agenda for the team", "",
    ),
    ("influences", True): (
        "Sets the agenda for the joint group", "Their view carries the partnership board",
        "Chairs the system workstream they sit on", "Brokered the joint funding agreement", "",
    ),
}  # fmt: skip

STRENGTHS = {
    "reports_to": (3, 4, 4, 5, 5),
    "collaborates": (1, 2, 3, 3, 3, 4, 4, 5),
    "trusts": (2, 3, 4, 4, 5),
    "influences": (1, 2, 3, 3, 4),
}
TRUST_LEVELS = {
    "reports_to": (2, 3, 4, 4, 5),
    "collaborates": (1, 2, 3, 3, 4, 4, 5),
    "trusts": (3, 4, 4, 5, 5),
    "influences": (2, 3, 3, 4, 5),
}
TRUST_UNKNOWN = 0.15  # share of ties whose trust nobody has recorded


# --- The builder --------------------------------------------------------------------


class _Builder:
    """Collects rows; guards ties so that a rule broken here fails at generation time."""

    def __init__(self, *, rng: random.Random, ref_prefix: str, ref_width: int) -> None:
        self.rng = rng
        self.ref_prefix = ref_prefix
        self.ref_width = ref_width
        self.orgs: dict[str, OrganisationRow] = {}
        self.profile: dict[str, str] = {}
        self.members: dict[str, list[int]] = defaultdict(list)  # by primary organisation
        # per person (index = position in the lists)
        self.names: list[str] = []
        self.titles: list[str] = []
        self.ranks: list[int] = []
        self.notes: list[str] = []
        self.active: list[bool] = []
        self.primary: list[str] = []
        self.orgs_of: list[set[str]] = []
        self.last_day: list[datetime.date] = []
        self.refs: list[str] = []
        self.affiliations: list[list] = []  # mutable until finish()
        self.affiliations_of: list[list[list]] = []
        self.ties: dict[tuple[int, int, str], RelationshipRow] = {}
        self.guard: Callable[[int, int], bool] = lambda a, b: True

    # organisations and people

    def org(
        self,
        name: str,
        short_name: str,
        kind: str,
        sector: str,
        tier: str,
        *,
        profile: str,
        parent: str = "",
        ods_code: str = "",
    ) -> str:
        if name in self.orgs:
            raise ValueError(f"Organisation {name!r} is defined twice.")
        self.orgs[name] = OrganisationRow(name, short_name, kind, sector, tier, parent, ods_code)
        self.profile[name] = profile
        return name

    def person(
        self,
        org: str,
        name: str,
        title: str,
        seniority: str,
        *,
        start: datetime.date | None,
    ) -> int:
        index = len(self.names)
        self.names.append(name)
        self.titles.append(title)
        self.ranks.append(RANK[seniority])
        self.notes.append("")
        self.active.append(True)
        self.primary.append(org)
        self.orgs_of.append({org})
        self.last_day.append(OBSERVED_TO)
        self.members[org].append(index)
        self.refs.append(f"{self.ref_prefix}{index + 1:0{self.ref_width}d}")
        self.affiliations.append([index, org, title, True, start, None])
        self.affiliations_of.append([self.affiliations[-1]])
        return index

    def ref(self, index: int) -> str:
        return self.refs[index]

    def second_affiliation(
        self,
        index: int,
        org: str,
        role_title: str,
        *,
        start: datetime.date | None,
        end: datetime.date | None = None,
    ) -> None:
        if org in self.orgs_of[index]:
            raise ValueError(f"{self.names[index]} already has an affiliation with {org!r}.")
        self.orgs_of[index].add(org)
        self.affiliations.append([index, org, role_title, False, start, end])
        self.affiliations_of[index].append(self.affiliations[-1])

    def leave(self, index: int, last_day: datetime.date, note: str) -> None:
        """Mark someone as gone: inactive, primary affiliation ended, no later ties."""
        self.active[index] = False
        self.last_day[index] = last_day
        self.notes[index] = note
        for row in self.affiliations_of[index]:
            row[5] = last_day
            if row[4] is not None and row[4] > last_day:
                row[4] = last_day - datetime.timedelta(days=400)

    # relationships

    def tie(
        self,
        source: int,
        target: int,
        kind: str,
        *,
        cross: bool = False,
        strength: int | None = None,
        trust: int | None | str = "random",
        evidence: str | None = None,
    ) -> bool:
        """Add a tie unless it is a self-tie, a duplicate or forbidden by the guard."""
        if source == target or (source, target, kind) in self.ties:
            return False
        if kind == "collaborates" and (target, source, kind) in self.ties:
            return False  # collaboration is mutual: one row carries both directions
        if not self.guard(source, target):
            return False
        rng = self.rng
        if strength is None:
            strength = rng.choice(STRENGTHS[kind])
        if trust == "random":
            trust = None if rng.random() < TRUST_UNKNOWN else rng.choice(TRUST_LEVELS[kind])
        if evidence is None:
            evidence = rng.choice(EVIDENCE[kind, cross])
        last = min(self.last_day[source], self.last_day[target])
        span = (last - OBSERVED_FROM).days
        observed_on = OBSERVED_FROM + datetime.timedelta(days=rng.randrange(max(span, 0) + 1))
        self.ties[source, target, kind] = RelationshipRow(
            self.ref(source), self.ref(target), kind, strength, trust, observed_on, evidence
        )
        return True

    def internal_ties(self, org: str, *, line_managers: dict[int, int] | None = None) -> None:
        """Ties inside one organisation: a seniority-following line, teams, trust, sway."""
        members = self.members[org]
        if len(members) < 2:
            return
        rng, ranks = self.rng, self.ranks
        line_managers = line_managers or {}
        board = [p for p in members if ranks[p] == RANK[B]]
        staff = [p for p in members if ranks[p] != RANK[B]]
        if not staff:
            return
        head = staff[0]
        reports: dict[int, list[int]] = defaultdict(list)
        if board:
            self.tie(head, board[0], "reports_to")
            for member in board:
                self.tie(member, head, "collaborates", strength=rng.choice((4, 5)))
            for member in board[1:]:
                self.tie(member, board[0], rng.choice(("trusts", "collaborates")))
        # The line follows seniority: each rank reports to the nearest rank above it,
        # spread evenly; people of the head's rank report to the head.
        by_rank: dict[int, list[int]] = defaultdict(list)
        for person in staff[1:]:
            by_rank[ranks[person]].append(person)
        levels = sorted(by_rank, reverse=True)
        for level in levels:
            above = [lv for lv in levels if lv > level]
            if not above or ranks[head] <= level:
                bosses = [head]
            else:
                bosses = by_rank[min(above)] + ([head] if ranks[head] == min(above) else [])
            order = by_rank[level][:]
            rng.shuffle(order)
            for i, person in enumerate(order):
                boss = line_managers.get(person, bosses[i % len(bosses)])
                if self.tie(person, boss, "reports_to"):
                    reports[boss].append(person)
        # Teams: colleagues under one line manager work together; many trust the boss.
        for boss, team in reports.items():
            chance = min(1.0, 3.0 / max(len(team) - 1, 1))
            for i, a in enumerate(team):
                for b in team[i + 1 :]:
                    if rng.random() < chance:
                        self.tie(a, b, "collaborates")
                if rng.random() < 0.3:
                    self.tie(a, boss, "collaborates")
                if rng.random() < 0.45:
                    self.tie(a, boss, "trusts")
                if len(team) > 1 and rng.random() < 0.3:
                    self.tie(a, rng.choice(team), "trusts")
        # Across teams: work with people of about the same seniority; senior sway.
        for person in staff:
            for _ in range(5):
                other = rng.choice(staff)
                if abs(ranks[other] - ranks[person]) <= 1 and rng.random() < 0.75:
                    self.tie(person, other, "collaborates")
            for _ in range(2):
                other = rng.choice(staff)
                if ranks[person] >= RANK[M] and ranks[other] < ranks[person]:
                    self.tie(person, other, "influences")
            if ranks[person] <= RANK[M] and rng.random() < 0.15:
                self.tie(person, rng.choice(staff), "influences")
            if rng.random() < 0.75:
                self.tie(person, rng.choice(staff), "trusts")

    def cross_ties(self, a: str, b: str, count: int) -> None:
        """`count` ties between two organisations, mostly between their senior people."""
        rng = self.rng
        left, right = self.members[a], self.members[b]
        if not left or not right:
            return
        left_weights = [(self.ranks[p] + 1) ** 2 for p in left]
        right_weights = [(self.ranks[p] + 1) ** 2 for p in right]
        added = attempts = 0
        while added < count and attempts < count * 6:
            attempts += 1
            (x,) = rng.choices(left, weights=left_weights)
            (y,) = rng.choices(right, weights=right_weights)
            if rng.random() < 0.5:
                x, y = y, x
            kind = rng.choices(("collaborates", "trusts", "influences"), weights=(55, 22, 23))[0]
            added += self.tie(x, y, kind, cross=True)

    def finish(self, name: str) -> Dataset:
        people = tuple(
            PersonRow(
                self.ref(i),
                self.names[i],
                self.titles[i],
                SENIORITY[self.ranks[i]],
                self.notes[i],
                self.active[i],
            )
            for i in range(len(self.names))
        )
        affiliations = tuple(
            AffiliationRow(self.ref(i), org, title, primary, start, end)
            for i, org, title, primary, start, end in self.affiliations
        )
        dataset = Dataset(
            name=name,
            organisations=tuple(self.orgs.values()),
            people=people,
            affiliations=affiliations,
            relationships=tuple(self.dated(key) for key in sorted(self.ties)),
        )
        validate(dataset)
        return dataset

    def dated(self, key: tuple[int, int, str]) -> RelationshipRow:
        """The tie with its dates: a leaver's ties end on their last day, and about a
        third of those first seen in the last year began then (so the map as it was a
        year ago lacks them). Chosen by a hash of the tie, not the shared random
        stream, so every other part of the data stays as it was."""
        row = self.ties[key]
        source, target, _ = key
        last = min(self.last_day[source], self.last_day[target])
        end = last if last < OBSERVED_TO else None
        start = None
        digest = hashlib.sha256(f"{row.source_ref}|{row.target_ref}|{row.kind}".encode()).digest()
        if row.observed_on >= RECENT_FROM and digest[0] % 3 == 0:
            start = max(OBSERVED_FROM, row.observed_on - datetime.timedelta(days=digest[1] % 90))
        return dataclasses.replace(row, start_date=start, end_date=end)


def _start_date(rng: random.Random) -> datetime.date | None:
    """When someone joined: unknown for some, else a date between 2004 and mid-2025."""
    if rng.random() < 0.12:
        return None
    return datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(7852))


def _people(b: _Builder, org: str, size: int, names: Sequence[str], first: int) -> int:
    """Staff an organisation from its profile; returns how many names were used."""
    for offset, (title, seniority) in enumerate(roles_for(b.profile[org], size)):
        b.person(org, names[first + offset], title, seniority, start=_start_date(b.rng))
    return size


def _find(b: _Builder, org: str, title: str) -> int:
    """The first person in `org` with this job title."""
    for person in b.members[org]:
        if b.titles[person] == title:
            return person
    raise ValueError(f"Nobody in {org!r} has the title {title!r}.")


# --- The curated demo -------------------------------------------------------------

# name, short name, kind, sector, tier, profile, parent, ODS code (fictional), people
CURATED_ORGANISATIONS = (
    ("NHS England", "NHSE", "nhs_england", "national_body", "national", "nhse_national",
     "", "X9Z", 3),
    ("NHS England – Middle Shires region", "NHSE Middle Shires", "nhs_england",
     "national_body", "regional", "nhse_region", "NHS England", "Y9M", 5),
    (ICB, "NF ICB", "icb", "nhs", "system", "icb", "NHS England – Middle Shires region",
     "QZ4", 20),
    (ACUTE_TRUST, "FHFT", "acute_trust", "nhs", "system", "acute", "", "RZF", 26),
    ("Fenwick Partnership NHS Foundation Trust", "FPFT", "mental_health_trust", "nhs",
     "system", "mental_health", "", "RZP", 11),
    ("Fenwick Community Health NHS Trust", "FCH", "community_trust", "nhs", "system",
     "community", "", "RZC", 9),
    ("Middle Shires Ambulance Service NHS Trust", "MSAS", "ambulance_trust", "nhs", "system",
     "ambulance", "", "RZM", 5),
    (COUNTY_COUNCIL, "FCC", "county_council", "local_government", "system", "county_council",
     "", "", 20),
    ("University of Fenwick", "UoF", "university", "other", "system", "university", "", "", 4),
    (ISOLATED_ORGANISATIONS[0], "FFRS", "other", "other", "system", "fire", "", "", 2),
    (DISTRICT_COUNCIL, "MVDC", "district_council", "local_government", "place",
     "district_council", "", "", 7),
    ("Hartwell Borough Council", "HBC", "district_council", "local_government", "place",
     "district_council", "", "", 6),
    ("Stourmouth City Council", "SCC", "unitary_council", "local_government", "place",
     "unitary_council", "", "", 8),
    ("North Fenwick Place Partnership", "NF Place", "other", "other", "place",
     "place_partnership", ICB, "", 3),
    ("Healthwatch Fenwick", "Healthwatch", "healthwatch", "vcse", "place", "healthwatch", "",
     "", 3),
    ("Fenwick Public Health", "Public Health", "public_health", "local_government", "place",
     "public_health", COUNTY_COUNCIL, "", 4),
    ("Marsh Vale Homes", "MV Homes", "housing", "other", "place", "housing", "", "", 4),
    ("Fenwick Constabulary", "Police", "police", "other", "place", "police", "", "", 3),
    ("Fenwick Community Action", "FCA", "vcse", "vcse", "place", "vcse_umbrella", "", "", 4),
    ("Brightwater Care", "Brightwater", "other", "social_care", "place", "care_provider", "",
     "", 4),
    ("Marsh Vale PCN", "MV PCN", "pcn", "nhs", "neighbourhood", "pcn", ICB, "U99101", 4),
    ("Hartwell and Eastfield PCN", "H&E PCN", "pcn", "nhs", "neighbourhood", "pcn", ICB,
     "U99102", 4),
    (PRACTICE, "Riverside", "gp_practice", "nhs", "neighbourhood", "gp_practice",
     "Marsh Vale PCN", "F99001", 5),
    ("The Willows Surgery", "Willows", "gp_practice", "nhs", "neighbourhood", "gp_practice",
     "Marsh Vale PCN", "F99002", 3),
    ("Eastfield Health Centre", "Eastfield", "gp_practice", "nhs", "neighbourhood",
     "gp_practice", "Hartwell and Eastfield PCN", "F99003", 3),
    ("Marsh Vale Carers Centre", "MV Carers", "vcse", "vcse", "neighbourhood", "vcse_charity",
     "", "", 3),
    (ISOLATED_ORGANISATIONS[1], "Men's Shed", "vcse", "vcse", "neighbourhood", "mens_shed", "",
     "", 2),
)  # fmt: skip

# Partnerships: how many ties link each pair of organisations (besides the deliberate ones).
CURATED_PARTNERSHIPS = (
    (ICB, ACUTE_TRUST, 12), (ICB, COUNTY_COUNCIL, 9),
    (ICB, "Fenwick Partnership NHS Foundation Trust", 6),
    (ICB, "Fenwick Community Health NHS Trust", 6),
    (ICB, "NHS England – Middle Shires region", 6),
    ("NHS England", "NHS England – Middle Shires region", 4),
    ("NHS England – Middle Shires region", ACUTE_TRUST, 4),
    (ICB, "Marsh Vale PCN", 3), (ICB, "Hartwell and Eastfield PCN", 3),
    (ICB, "North Fenwick Place Partnership", 4), (ICB, "Healthwatch Fenwick", 2),
    (ICB, "University of Fenwick", 2), (ICB, "Middle Shires Ambulance Service NHS Trust", 2),
    (ICB, "Stourmouth City Council", 3), (ICB, "Fenwick Public Health", 3),
    (ACUTE_TRUST, "Fenwick Community Health NHS Trust", 7),
    (ACUTE_TRUST, "Fenwick Partnership NHS Foundation Trust", 4),
    (ACUTE_TRUST, "Middle Shires Ambulance Service NHS Trust", 4),
    (ACUTE_TRUST, COUNTY_COUNCIL, 7), (ACUTE_TRUST, "Hartwell Borough Council", 2),
    (ACUTE_TRUST, "Stourmouth City Council", 3), (ACUTE_TRUST, "University of Fenwick", 3),
    (ACUTE_TRUST, "Brightwater Care", 2),
    (COUNTY_COUNCIL, "Fenwick Public Health", 5), (COUNTY_COUNCIL, DISTRICT_COUNCIL, 5),
    (COUNTY_COUNCIL, "Hartwell Borough Council", 4),
    (COUNTY_COUNCIL, "Fenwick Community Health NHS Trust", 4),
    (COUNTY_COUNCIL, "Fenwick Partnership NHS Foundation Trust", 3),
    (COUNTY_COUNCIL, "Brightwater Care", 4), (COUNTY_COUNCIL, "Fenwick Community Action", 3),
    (COUNTY_COUNCIL, "Fenwick Constabulary", 2), (COUNTY_COUNCIL, "Healthwatch Fenwick", 2),
    (COUNTY_COUNCIL, "Stourmouth City Council", 3),
    (DISTRICT_COUNCIL, "Marsh Vale Homes", 5), (DISTRICT_COUNCIL, "Marsh Vale PCN", 2),
    (DISTRICT_COUNCIL, "Fenwick Community Health NHS Trust", 2),
    (DISTRICT_COUNCIL, "Fenwick Constabulary", 2),
    (DISTRICT_COUNCIL, "Fenwick Community Action", 2),
    (DISTRICT_COUNCIL, "Marsh Vale Carers Centre", 2),
    ("Hartwell Borough Council", "Hartwell and Eastfield PCN", 2),
    ("Hartwell Borough Council", "Fenwick Community Action", 2),
    ("Hartwell Borough Council", "Fenwick Constabulary", 1),
    ("North Fenwick Place Partnership", DISTRICT_COUNCIL, 2),
    ("North Fenwick Place Partnership", "Hartwell Borough Council", 2),
    ("North Fenwick Place Partnership", "Fenwick Community Health NHS Trust", 3),
    ("North Fenwick Place Partnership", "Marsh Vale PCN", 2),
    ("North Fenwick Place Partnership", "Hartwell and Eastfield PCN", 2),
    ("North Fenwick Place Partnership", "Fenwick Community Action", 2),
    ("Marsh Vale PCN", PRACTICE, 4), ("Marsh Vale PCN", "The Willows Surgery", 3),
    ("Hartwell and Eastfield PCN", "Eastfield Health Centre", 3),
    ("Marsh Vale PCN", "Fenwick Community Health NHS Trust", 3),
    ("Hartwell and Eastfield PCN", "Fenwick Community Health NHS Trust", 2),
    ("Marsh Vale PCN", "Marsh Vale Carers Centre", 2),
    ("Hartwell and Eastfield PCN", "Marsh Vale Carers Centre", 1),
    ("Fenwick Public Health", "Fenwick Constabulary", 1),
    ("Fenwick Public Health", "Fenwick Community Action", 2),
    ("Fenwick Public Health", "University of Fenwick", 2),
    ("Fenwick Public Health", "Healthwatch Fenwick", 1),
    ("Fenwick Community Action", "Marsh Vale Carers Centre", 3),
    ("Fenwick Community Action", "Healthwatch Fenwick", 2),
    ("Fenwick Partnership NHS Foundation Trust", "Fenwick Constabulary", 3),
    ("Fenwick Partnership NHS Foundation Trust", "Middle Shires Ambulance Service NHS Trust", 2),
    ("Middle Shires Ambulance Service NHS Trust", "Fenwick Community Health NHS Trust", 2),
    ("Stourmouth City Council", "Fenwick Partnership NHS Foundation Trust", 2),
    ("Stourmouth City Council", "Fenwick Community Health NHS Trust", 2),
)  # fmt: skip

# Senior people who confide in the hidden influencer: (organisation, job title).
CONFIDANTS = (
    (ICB, "Director of Primary Care"), (ICB, "Chief Medical Officer"), (ICB, "Director of Place"),
    (ICB, "Chief Executive"), (COUNTY_COUNCIL, "Director of Adult Social Care"),
    (COUNTY_COUNCIL, JOINT_DIRECTOR_TITLE), (ACUTE_TRUST, "Chief Operating Officer"),
    ("Fenwick Community Health NHS Trust", "Director of Nursing and Operations"),
    ("Fenwick Partnership NHS Foundation Trust", "Director of Operations"),
    ("North Fenwick Place Partnership", "Place Managing Director"),
    ("Marsh Vale PCN", "Clinical Director"), ("Fenwick Public Health", "Director of Public Health"),
    ("Hartwell Borough Council", "Chief Executive"),
)  # fmt: skip

CONFIDANT_EVIDENCE = (
    "Asks them how practices will react before anything goes out",
    "Trusted sounding board on primary care",
    "Goes to them first when a practice is struggling",
    "Checks plans with them before the primary care board",
    "Rings them before every system leadership meeting",
)


def demo_dataset() -> Dataset:
    """The curated North Fenwick demo: ~27 organisations, ~180 people, ~900 ties."""
    rng = random.Random(DEMO_SEED)
    b = _Builder(rng=rng, ref_prefix="NF-", ref_width=4)
    names = _name_pool(rng)
    used = 0
    for name, short, kind, sector, tier, profile, parent, ods, _size in CURATED_ORGANISATIONS:
        b.org(name, short, kind, sector, tier, profile=profile, parent=parent, ods_code=ods)
    for name, *_rest, size in CURATED_ORGANISATIONS:
        used += _people(b, name, size, names, used)

    joint = _find(b, COUNTY_COUNCIL, JOINT_DIRECTOR_TITLE)
    influencer = _find(b, PRACTICE, HIDDEN_INFLUENCER_TITLE)
    bridge = _find(b, ACUTE_TRUST, BRIDGE_TITLE)
    icb_head = b.members[ICB][0]
    council_head = b.members[COUNTY_COUNCIL][0]

    # Joint appointments and other second affiliations (none touch the acute trust or
    # Marsh Vale, so that the single point of failure stays single).
    b.second_affiliation(
        joint, ICB, f"{JOINT_DIRECTOR_TITLE} (joint post)", start=datetime.date(2023, 4, 1)
    )
    b.notes[joint] = "Joint appointment between the County Council and the ICB since April 2023."
    pcn_director = _find(b, "Marsh Vale PCN", "Clinical Director")
    b.second_affiliation(pcn_director, PRACTICE, "GP Partner", start=datetime.date(2015, 9, 1))
    he_director = _find(b, "Hartwell and Eastfield PCN", "Clinical Director")
    b.second_affiliation(
        he_director, "Eastfield Health Centre", "GP Partner", start=datetime.date(2012, 4, 1)
    )
    professor = _find(b, "University of Fenwick", "Professor of Integrated Care")
    b.second_affiliation(
        professor, ICB, "Clinical Adviser (honorary)", start=datetime.date(2022, 1, 10)
    )
    consultant = _find(b, "Fenwick Public Health", "Consultant in Public Health")
    b.second_affiliation(
        consultant,
        ICB,
        "Population Health Lead (sessional)",
        start=datetime.date(2023, 6, 1),
        end=datetime.date(2026, 3, 31),
    )

    # A few people have left: their ties stay, dated before they went.
    leavers = (
        (ACUTE_TRUST, "Deputy Chief Nurse", datetime.date(2025, 8, 31)),
        (ICB, "Quality Assurance Officer", datetime.date(2025, 12, 19)),
        (COUNTY_COUNCIL, "Brokerage Officer", datetime.date(2026, 2, 27)),
        ("Stourmouth City Council", "Housing Officer", datetime.date(2025, 6, 30)),
        ("Fenwick Partnership NHS Foundation Trust", "Peer Support Worker",
         datetime.date(2026, 5, 1)),
    )  # fmt: skip
    for org, title, last_day in leavers:
        b.leave(_find(b, org, title), last_day, f"Left in {last_day:%B %Y}.")

    # No tie may join the acute trust and Marsh Vale except through the bridge, and
    # the isolated organisations' people have no ties at all.
    isolated = set(ISOLATED_ORGANISATIONS)
    pair = {ACUTE_TRUST, DISTRICT_COUNCIL}

    def guard(x: int, y: int) -> bool:
        if b.orgs_of[x] & isolated or b.orgs_of[y] & isolated:
            return False
        if bridge in (x, y):
            return True
        joins = (ACUTE_TRUST in b.orgs_of[x] and DISTRICT_COUNCIL in b.orgs_of[y]) or (
            DISTRICT_COUNCIL in b.orgs_of[x] and ACUTE_TRUST in b.orgs_of[y]
        )
        return not joins

    b.guard = guard

    for org in b.orgs:
        managers = {joint: council_head} if org == COUNTY_COUNCIL else None
        b.internal_ties(org, line_managers=managers)
    # Hosted organisations: their head answers to the host's head.
    b.tie(b.members["North Fenwick Place Partnership"][0], icb_head, "reports_to", cross=True)
    b.tie(b.members["Fenwick Public Health"][0], council_head, "reports_to", cross=True)

    _joint_appointment_ties(b, joint, icb_head)
    _hidden_influencer_ties(b, influencer)
    _bridge_ties(b, bridge)
    for left, right, count in CURATED_PARTNERSHIPS:
        if {left, right} == pair:
            raise ValueError("The acute trust and Marsh Vale may only meet through the bridge.")
        b.cross_ties(left, right, count)
    dataset = b.finish(DEMO_NAME)
    return dataclasses.replace(dataset, **_demo_forums(b, unseated=influencer))


# --- Forums (issue #18) -----------------------------------------------------------
# Formal seats beside the informal ties. The deliberate divergence: the hidden
# influencer (a practice manager many directors trust, a top informal broker) holds
# no seat anywhere.

FORUM_KINDS = (
    "icb_board",
    "integrated_care_partnership",
    "health_and_wellbeing_board",
    "place_partnership_board",
    "provider_collaborative",
    "neighbourhood_team",
    "strategic_authority_board",
    "other",
)
SEATS = ("chair", "voting_member", "participant")
ICB_FOUNDED = datetime.date(2022, 7, 1)

# name, kind, tier, host, and seats as (organisation, n-th person there, seat).
DEMO_FORUMS = (
    ("NHS North Fenwick ICB Board", "icb_board", "system", ICB, (
        (ICB, 1, "chair"), (ICB, 0, "voting_member"), (ICB, 2, "voting_member"),
        (ICB, 3, "voting_member"), (ACUTE_TRUST, 0, "voting_member"),
        ("Fenwick Partnership NHS Foundation Trust", 0, "voting_member"),
        (COUNTY_COUNCIL, 0, "participant"),
    )),
    ("North Fenwick Integrated Care Partnership", "integrated_care_partnership", "system",
     ICB, (
        (COUNTY_COUNCIL, 1, "chair"), (ICB, 1, "voting_member"),
        ("Stourmouth City Council", 0, "voting_member"), ("Healthwatch Fenwick", 0,
         "voting_member"), ("Fenwick Community Action", 0, "voting_member"),
        ("Fenwick Constabulary", 0, "participant"), ("Fenwick Public Health", 0,
         "voting_member"),
    )),
    ("Fenwick Health and Wellbeing Board", "health_and_wellbeing_board", "system",
     COUNTY_COUNCIL, (
        (COUNTY_COUNCIL, 1, "chair"), ("Fenwick Public Health", 0, "voting_member"),
        (ICB, 0, "voting_member"), ("Healthwatch Fenwick", 0, "voting_member"),
        ("Brightwater Care", 0, "participant"), ("Fenwick Community Action", 0, "participant"),
    )),
    ("North Fenwick Place Partnership Board", "place_partnership_board", "place",
     "North Fenwick Place Partnership", (
        ("North Fenwick Place Partnership", 0, "chair"), (DISTRICT_COUNCIL, 0, "voting_member"),
        ("Hartwell Borough Council", 0, "voting_member"), ("Fenwick Community Health NHS Trust",
         0, "voting_member"), ("Marsh Vale PCN", 0, "voting_member"),
        ("Hartwell and Eastfield PCN", 0, "voting_member"), ("Marsh Vale Homes", 0,
         "participant"),
    )),
    ("Marsh Vale Neighbourhood Team", "neighbourhood_team", "neighbourhood", "Marsh Vale PCN", (
        ("Marsh Vale PCN", 0, "chair"), ("The Willows Surgery", 0, "voting_member"),
        ("Marsh Vale Carers Centre", 0, "participant"), (DISTRICT_COUNCIL, 1, "participant"),
        ("Fenwick Community Health NHS Trust", 1, "voting_member"),
    )),
    ("Hartwell and Eastfield Neighbourhood Team", "neighbourhood_team", "neighbourhood",
     "Hartwell and Eastfield PCN", (
        ("Hartwell and Eastfield PCN", 0, "chair"), ("Eastfield Health Centre", 0,
         "voting_member"), ("Hartwell Borough Council", 1, "participant"),
        ("Fenwick Community Action", 1, "participant"),
        ("Fenwick Community Health NHS Trust", 2, "voting_member"),
    )),
)  # fmt: skip


def _demo_forums(b: _Builder, *, unseated: int) -> dict[str, tuple]:
    """The demo's forums and seats; `unseated` must hold none (the divergence)."""
    forums = tuple(ForumRow(name, kind, tier, host) for name, kind, tier, host, _ in DEMO_FORUMS)
    members = []
    for name, kind, _tier, _host, seats in DEMO_FORUMS:
        start = ICB_FOUNDED if kind in ("icb_board", "integrated_care_partnership") else None
        for org, nth, seat in seats:
            person = b.members[org][nth]
            if person == unseated:
                raise ValueError(f"{b.names[person]} must hold no seat: {name}.")
            members.append(ForumMemberRow(name, b.ref(person), seat, start, None))
    # A seat that has ended: history, not a current seat.
    members.append(
        ForumMemberRow(
            DEMO_FORUMS[0][0],
            b.ref(b.members[ACUTE_TRUST][1]),
            "participant",
            ICB_FOUNDED,
            datetime.date(2025, 3, 31),
        )
    )
    return {"forums": forums, "forum_members": tuple(members)}


def _joint_appointment_ties(b: _Builder, joint: int, icb_head: int) -> None:
    """The joint director is tied into both the council and the ICB."""
    b.tie(joint, icb_head, "reports_to", cross=True, strength=4, trust=4,
          evidence="Joint post: accountable to both chief executives")  # fmt: skip
    icb_people = [p for p in b.members[ICB] if p != icb_head]
    council_people = [p for p in b.members[COUNTY_COUNCIL] if p != joint]
    for org_people in (icb_people, council_people):
        seniors = [p for p in org_people if b.ranks[p] >= RANK[S]]
        for person in seniors[:7]:
            b.tie(joint, person, "collaborates", cross=True,
                  evidence="Joint commissioning group")  # fmt: skip
        for person in seniors[7:10]:
            b.tie(person, joint, "trusts", cross=True)
        juniors = [p for p in org_people if b.ranks[p] <= RANK[M]]
        for person in juniors[:3]:
            b.tie(joint, person, "influences", cross=True)


def _hidden_influencer_ties(b: _Builder, influencer: int) -> None:
    """Directors across the system confide in one practice manager."""
    for i, (org, title) in enumerate(CONFIDANTS):
        source = _find(b, org, title)
        b.tie(source, influencer, "trusts", cross=True, strength=b.rng.choice((4, 5)),
              trust=5, evidence=CONFIDANT_EVIDENCE[i % len(CONFIDANT_EVIDENCE)])  # fmt: skip
    for org in ("The Willows Surgery", "Eastfield Health Centre"):
        b.tie(influencer, _find(b, org, HIDDEN_INFLUENCER_TITLE), "influences", cross=True,
              evidence="Practice managers' network: others follow their lead")  # fmt: skip
    b.tie(influencer, _find(b, "Hartwell and Eastfield PCN", "PCN Manager"), "influences",
          cross=True)  # fmt: skip
    b.tie(influencer, _find(b, "Marsh Vale PCN", "PCN Manager"), "collaborates", cross=True,
          strength=5, evidence="Run the PCN operational group together")  # fmt: skip


def _bridge_ties(b: _Builder, bridge: int) -> None:
    """The only ties between the acute trust and Marsh Vale all run through one person."""
    b.tie(bridge, _find(b, DISTRICT_COUNCIL, "Head of Housing Options"), "collaborates",
          cross=True, strength=5, trust=5, evidence="Co-chair of the discharge group")  # fmt: skip
    b.tie(bridge, _find(b, DISTRICT_COUNCIL, "Housing Needs Officer"), "collaborates",
          cross=True, strength=4,
          evidence="Weekly call on homeless patients awaiting discharge")  # fmt: skip
    b.tie(bridge, _find(b, DISTRICT_COUNCIL, "Director of Communities"), "trusts", cross=True,
          evidence="Escalates housing blocks to them")  # fmt: skip
    b.tie(_find(b, DISTRICT_COUNCIL, "Chief Executive"), bridge, "influences", cross=True,
          evidence="Agreed the step-down flats with them")  # fmt: skip


# --- Synthetic workspaces -----------------------------------------------------------

MIN_SYNTHETIC_PEOPLE = 60
MAX_SYNTHETIC_PEOPLE = 200_000
ORGANISATIONS_PER_PERSON = 25 / 180  # the curated demo's ratio
TIES_PER_PERSON = 5

_TOWN_HEADS = (
    "Ash", "Brad", "Cal", "Dun", "Ell", "Fern", "Glen", "Hal", "Ing", "Kel", "Lang", "Mel",
    "Nor", "Oak", "Pen", "Red", "Sand", "Thorn", "Wes", "Whit", "Al", "Bar", "Cran", "Dray",
    "Fal", "Gold", "Hart", "Lin", "Mar", "Nether", "Ox", "Ris", "Stan", "Tad", "Up", "Wick",
)  # fmt: skip
_TOWN_TAILS = (
    "ford", "ton", "ham", "bury", "ley", "field", "wick", "worth", "by", "mouth", "stead",
    "combe", "well", "bridge", "dale", "minster", "thorpe", "hurst", "cester", "borough",
)  # fmt: skip
_REGION_HEADS = ("North", "South", "East", "West", "Central", "Upper", "Lower", "Greater")
_REGION_TAILS = ("Shires", "Fells", "Vales", "Marches", "Downs", "Moors", "Wolds", "Weald")
_PRACTICE_NAMES = (
    "{town} Medical Practice",
    "Station Road Surgery, {town}",
    "The {town} Practice",
    "{town} Health Centre",
    "Church Street Surgery, {town}",
    "Park View Surgery, {town}",
    "The Limes Surgery, {town}",
    "Millbrook Medical Centre, {town}",
)
_CHARITY_NAMES = ("{town} Carers Support", "{town} Good Neighbours", "{town} Community Hub")

# kind, sector, tier, profile, relative size, name pattern, parent (pattern key or "")
_NATIONAL = ("nhs_england", "national_body", "national", "nhse_national", 3.0,
             "NHS England", "")  # fmt: skip
_REGION = (
    ("nhs_england", "national_body", "regional", "nhse_region", 2.0,
     "NHS England – {region} region", "national"),
    ("ambulance_trust", "nhs", "system", "ambulance", 3.0,
     "{region} Ambulance Service NHS Trust", ""),
)  # fmt: skip
_SYSTEM = (
    ("icb", "nhs", "system", "icb", 5.0, "NHS {county} Integrated Care Board", "region"),
    ("acute_trust", "nhs", "system", "acute", 9.0, "{county} Hospitals NHS Foundation Trust", ""),
    ("mental_health_trust", "nhs", "system", "mental_health", 4.0,
     "{county} Partnership NHS Foundation Trust", ""),
    ("community_trust", "nhs", "system", "community", 3.5, "{county} Community Health NHS Trust",
     ""),
    ("county_council", "local_government", "system", "county_council", 6.0,
     "{county} County Council", ""),
    ("university", "other", "system", "university", 1.2, "University of {county}", ""),
    ("public_health", "local_government", "place", "public_health", 1.5, "{county} Public Health",
     "council"),
    ("healthwatch", "vcse", "place", "healthwatch", 0.6, "Healthwatch {county}", ""),
    ("police", "other", "place", "police", 1.2, "{county} Police", ""),
    ("vcse", "vcse", "place", "vcse_umbrella", 0.9, "{county} Community Action", ""),
    ("other", "social_care", "place", "care_provider", 1.2, "{county} Care Services", ""),
)  # fmt: skip


class _Names:
    """Unique organisation names: place names from fixed syllables, numbered if they run out."""

    def __init__(self, rng: random.Random) -> None:
        towns = [h + t for h in _TOWN_HEADS for t in _TOWN_TAILS]
        rng.shuffle(towns)
        self.towns = towns
        regions = [f"{h} {t}" for h in _REGION_HEADS for t in _REGION_TAILS]
        rng.shuffle(regions)
        self.regions = regions
        self.used: set[str] = set()
        self.town_count = self.region_count = 0

    def town(self) -> str:
        base = self.towns[self.town_count % len(self.towns)]
        rounds = self.town_count // len(self.towns)
        self.town_count += 1
        return base if rounds == 0 else f"{base} {rounds + 1}"

    def region(self) -> str:
        base = self.regions[self.region_count % len(self.regions)]
        rounds = self.region_count // len(self.regions)
        self.region_count += 1
        return base if rounds == 0 else f"{base} {rounds + 1}"

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name} ({n})"
        self.used.add(candidate)
        return candidate


class _Codes:
    """Fictional ODS codes, unique by construction: a letter, then a counter."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)

    def next(self, kind: str) -> str:
        family = "trust" if kind.endswith("_trust") else kind
        n = self.counts[family]
        self.counts[family] += 1
        if family == "trust":
            return "RZ" + _base36(n, 2)
        if family == "icb":
            return "QZ" + _base36(n, 2)
        if family == "pcn":
            return f"U{90001 + n}"
        if family == "gp_practice":
            return f"{'FGHJKLMN'[n // 90000 % 8]}{9000 + n % 90000:05d}"
        if family == "nhs_england":
            return "Y9" + _base36(n, 2)
        return ""


def _base36(n: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(width):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out if n == 0 else digits[n % 36] + out  # widen rather than collide


def synthetic_dataset(*, people: int, seed: int) -> Dataset:
    """A synthetic map of `people` people shaped like the demo; deterministic for (people, seed)."""
    if not MIN_SYNTHETIC_PEOPLE <= people <= MAX_SYNTHETIC_PEOPLE:
        raise ValueError(
            f"people must be between {MIN_SYNTHETIC_PEOPLE} and {MAX_SYNTHETIC_PEOPLE}, "
            f"not {people}."
        )
    rng = random.Random(f"synthetic:{people}:{seed}")
    b = _Builder(rng=rng, ref_prefix="S-", ref_width=max(6, len(str(people))))
    names, codes = _Names(rng), _Codes()
    target = max(20, round(people * ORGANISATIONS_PER_PERSON))
    weight: dict[str, float] = {}
    system_of: dict[str, int] = {}
    place_of: dict[str, int] = {}
    place_orgs: dict[int, list[str]] = defaultdict(list)
    system_orgs: dict[int, list[str]] = defaultdict(list)

    def add(spec: tuple, name: str, parent: str, system: int, place: int) -> str:
        kind, sector, tier, profile, size, _pattern, _parent_key = spec
        org = b.org(
            names.unique(name), "", kind, sector, tier, profile=profile, parent=parent,
            ods_code=codes.next(kind),
        )  # fmt: skip
        weight[org] = size * rng.lognormvariate(0, 0.55)
        system_of[org], place_of[org] = system, place
        system_orgs[system].append(org)
        if place >= 0:
            place_orgs[place].append(org)
        return org

    national = add(_NATIONAL, "NHS England", "", -1, -1)
    region_org = ""
    system = place = 0
    while len(b.orgs) < target:
        if system % 5 == 0:  # a new NHS England region every five systems
            region = names.region()
            region_org = add(_REGION[0], _REGION[0][5].format(region=region), national, -1, -1)
            add(_REGION[1], _REGION[1][5].format(region=region), "", -1, -1)
        county = names.town()
        keyed = {"region": region_org, "national": national, "": ""}
        for spec in _SYSTEM:
            org = add(spec, spec[5].format(county=county), keyed.get(spec[6], ""), system, -1)
            if spec[0] == "icb":
                keyed["icb"] = org
            if spec[0] == "county_council":
                keyed["council"] = org
        for _ in range(4):
            _synthetic_place(b, rng, names, add, keyed["icb"], system, place)
            place += 1
            if len(b.orgs) >= target:
                break
        system += 1

    # Sizes: log-normal around each kind's typical size, at least two, summing to `people`.
    orgs = list(b.orgs)
    total = sum(weight[o] for o in orgs)
    spare = people - 2 * len(orgs)
    if spare < 0:
        raise ValueError(f"{people} people cannot staff {len(orgs)} organisations.")
    shares = [weight[o] / total * spare for o in orgs]
    sizes = [2 + math.floor(s) for s in shares]
    by_remainder = sorted(range(len(orgs)), key=lambda i: (shares[i] - math.floor(shares[i]), -i))
    for i in by_remainder[::-1][: people - sum(sizes)]:
        sizes[i] += 1
    pool = _name_pool(rng)
    for org, size in zip(orgs, sizes, strict=True):
        for title, seniority in roles_for(b.profile[org], size):
            b.person(org, rng.choice(pool), title, seniority, start=_start_date(rng))

    # Joint appointments (~2%) and leavers (~2%).
    everyone = range(people)
    for person in rng.sample(everyone, k=max(1, people // 50)):
        home = b.primary[person]
        options = system_orgs[system_of[home]] if system_of[home] >= 0 else orgs
        other = rng.choice(options)
        if other not in b.orgs_of[person]:
            b.second_affiliation(person, other, f"{b.titles[person]} (joint post)",
                                 start=_start_date(rng))  # fmt: skip
    for person in rng.sample(everyone, k=max(1, people // 50)):
        last_day = OBSERVED_FROM + datetime.timedelta(days=rng.randrange(120, 700))
        b.leave(person, last_day, f"Left in {last_day:%B %Y}.")

    for org in orgs:
        b.internal_ties(org)
        parent = b.orgs[org].parent
        if b.profile[org] in ("public_health", "place_partnership") and parent:
            b.tie(b.members[org][0], b.members[parent][0], "reports_to", cross=True)
    _synthetic_cross_ties(b, rng, orgs, system_of, place_of, system_orgs, place_orgs, people)
    return b.finish(f"Synthetic system: {people:,} people (seed {seed})")


def _synthetic_place(
    b: _Builder,
    rng: random.Random,
    names: _Names,
    add: Callable[..., str],
    icb: str,
    system: int,
    place: int,
) -> None:
    """One place: a council, a place partnership, housing, PCNs with practices, a charity."""
    town = names.town()
    if rng.random() < 0.25:
        council = ("unitary_council", "local_government", "place", "unitary_council", 5.0)
        add((*council, "", ""), f"{town} City Council", "", system, place)
    else:
        council = ("district_council", "local_government", "place", "district_council", 2.5)
        label = rng.choice(("District", "Borough"))
        add((*council, "", ""), f"{town} {label} Council", "", system, place)
    add(("other", "other", "place", "place_partnership", 0.6, "", ""),
        f"{town} Place Partnership", icb, system, place)  # fmt: skip
    add(("housing", "other", "place", "housing", 1.2, "", ""), f"{town} Homes", "", system, place)
    for _ in range(rng.choice((1, 2, 2))):
        area = names.town()
        pcn = add(("pcn", "nhs", "neighbourhood", "pcn", 0.7, "", ""), f"{area} PCN", icb,
                  system, place)  # fmt: skip
        for pattern in rng.sample(_PRACTICE_NAMES, k=rng.choice((2, 3, 3, 4))):
            add(("gp_practice", "nhs", "neighbourhood", "gp_practice", 0.8, "", ""),
                pattern.format(town=area), pcn, system, place)  # fmt: skip
    add(("vcse", "vcse", "neighbourhood", "vcse_charity", 0.5, "", ""),
        rng.choice(_CHARITY_NAMES).format(town=town), "", system, place)  # fmt: skip


def _synthetic_cross_ties(
    b: _Builder,
    rng: random.Random,
    orgs: list[str],
    system_of: dict[str, int],
    place_of: dict[str, int],
    system_orgs: dict[int, list[str]],
    place_orgs: dict[int, list[str]],
    people: int,
) -> None:
    """Ties across organisations: mostly within a place or system, mostly senior people."""
    weights = {
        org: list(_cumulative((b.ranks[p] + 1) ** 2 for p in b.members[org])) for org in orgs
    }

    def pick(org: str) -> int:
        members = b.members[org]
        (person,) = rng.choices(members, cum_weights=weights[org])
        return person

    senders = list(range(people))
    sender_weights = list(_cumulative((b.ranks[p] + 1) ** 2 for p in senders))
    wanted = round(people * 0.9)
    added = attempts = 0
    while added < wanted and attempts < wanted * 4:
        attempts += 1
        (source,) = rng.choices(senders, cum_weights=sender_weights)
        home = b.primary[source]
        roll = rng.random()
        if roll < 0.45 and place_of[home] >= 0:
            candidates = place_orgs[place_of[home]]
        elif roll < 0.9 and system_of[home] >= 0:
            candidates = system_orgs[system_of[home]]
        else:
            candidates = orgs
        other = rng.choice(candidates)
        if other == home:
            continue
        kind = rng.choices(("collaborates", "trusts", "influences"), weights=(55, 22, 23))[0]
        added += b.tie(source, pick(other), kind, cross=True)


def _cumulative(values) -> list[int]:
    total, out = 0, []
    for value in values:
        total += value
        out.append(total)
    return out


# --- Validation --------------------------------------------------------------------


def validate(dataset: Dataset) -> None:
    """Check every rule the database enforces, naming the row; raises ValueError."""
    names = set()
    for org in dataset.organisations:
        if not org.name or org.name in names:
            raise ValueError(f"Organisation {org.name!r}: the name is blank or repeated.")
        names.add(org.name)
        if org.tier not in TIERS or org.sector not in SECTORS:
            raise ValueError(f"Organisation {org.name!r}: unknown tier or sector.")
        if org.ods_code and not (org.ods_code.isalnum() and org.ods_code.isupper()):
            raise ValueError(f"Organisation {org.name!r}: ODS code {org.ods_code!r} is invalid.")
    codes = [o.ods_code for o in dataset.organisations if o.ods_code]
    if len(codes) != len(set(codes)):
        raise ValueError("Two organisations share an ODS code.")
    parents = {o.name: o.parent for o in dataset.organisations}
    for org in dataset.organisations:
        seen, node = {org.name}, org.parent
        while node:
            if node not in parents:
                raise ValueError(f"Organisation {org.name!r}: parent {node!r} does not exist.")
            if node in seen:
                raise ValueError(f"Organisation {org.name!r}: the parents form a cycle.")
            seen.add(node)
            node = parents[node]
    refs = set()
    for person in dataset.people:
        if not person.ref or not person.name or person.ref in refs:
            raise ValueError(f"Person {person.ref!r}: blank or repeated ref or name.")
        if person.seniority not in RANK:
            raise ValueError(f"Person {person.ref!r}: unknown seniority {person.seniority!r}.")
        refs.add(person.ref)
    primaries: dict[str, int] = dict.fromkeys(refs, 0)
    pairs = set()
    for aff in dataset.affiliations:
        where = f"Affiliation of {aff.person_ref!r} with {aff.organisation!r}"
        if aff.person_ref not in refs or aff.organisation not in names:
            raise ValueError(f"{where}: unknown person or organisation.")
        if (aff.person_ref, aff.organisation) in pairs:
            raise ValueError(f"{where}: repeated.")
        pairs.add((aff.person_ref, aff.organisation))
        primaries[aff.person_ref] += aff.is_primary
        if aff.start_date and aff.end_date and aff.end_date < aff.start_date:
            raise ValueError(f"{where}: ends before it starts.")
    wrong = sorted(ref for ref, count in primaries.items() if count != 1)
    if wrong:
        raise ValueError(f"Person {wrong[0]!r}: needs exactly one primary affiliation.")
    ties = set()
    for tie in dataset.relationships:
        where = f"Relationship {tie.source_ref!r} -> {tie.target_ref!r} ({tie.kind})"
        if tie.source_ref not in refs or tie.target_ref not in refs:
            raise ValueError(f"{where}: unknown person.")
        if tie.source_ref == tie.target_ref:
            raise ValueError(f"{where}: a self-tie.")
        if tie.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind.")
        if (tie.source_ref, tie.target_ref, tie.kind) in ties:
            raise ValueError(f"{where}: repeated.")
        ties.add((tie.source_ref, tie.target_ref, tie.kind))
        if not 1 <= tie.strength <= 5:
            raise ValueError(f"{where}: strength {tie.strength} is outside 1-5.")
        if tie.trust is not None and not 1 <= tie.trust <= 5:
            raise ValueError(f"{where}: trust {tie.trust} is outside 1-5.")
        if tie.start_date and tie.end_date and tie.end_date < tie.start_date:
            raise ValueError(f"{where}: ends before it starts.")
    forums = set()
    for forum in dataset.forums:
        if not forum.name or forum.name in forums:
            raise ValueError(f"Forum {forum.name!r}: the name is blank or repeated.")
        forums.add(forum.name)
        if forum.kind not in FORUM_KINDS or forum.tier not in TIERS:
            raise ValueError(f"Forum {forum.name!r}: unknown kind or tier.")
        if forum.host and forum.host not in names:
            raise ValueError(f"Forum {forum.name!r}: host {forum.host!r} does not exist.")
    seats = set()
    for seat in dataset.forum_members:
        where = f"Seat of {seat.person_ref!r} on {seat.forum!r}"
        if seat.forum not in forums or seat.person_ref not in refs:
            raise ValueError(f"{where}: unknown forum or person.")
        if (seat.forum, seat.person_ref) in seats:
            raise ValueError(f"{where}: repeated.")
        seats.add((seat.forum, seat.person_ref))
        if seat.seat not in SEATS:
            raise ValueError(f"{where}: unknown seat {seat.seat!r}.")
        if seat.start_date and seat.end_date and seat.end_date < seat.start_date:
            raise ValueError(f"{where}: ends before it starts.")
