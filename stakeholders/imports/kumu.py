"""A Kumu map exported as CSV (Elements.csv and Connections.csv), converted to our bundle.

Kumu is a network-mapping tool. Its elements become organisations and people, its
connections affiliations and relationships. Every converted cell remembers the Kumu
cell it came from, so that the bundle importer's problems can be shown where the
uploader can fix them.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.text import slugify

from stakeholders.imports.bundle import (
    AFFILIATIONS,
    KIND_CHOICES,
    ORGANISATIONS,
    PEOPLE,
    RELATIONSHIP_KIND_CHOICES,
    RELATIONSHIPS,
    ImportError_,
    _column_letter,
    _normalise,
    case_hint,
    csv_records,
    repeated_column,
    separator_problem,
)
from stakeholders.imports.invisible import invisible_hint
from stakeholders.models import (
    Organisation,
    OrganisationKind,
    Person,
    RelationshipKind,
    Seniority,
    Workspace,
)
from stakeholders.text import strip_refused, text_problem

KUMU_ELEMENTS = "Elements.csv"
KUMU_CONNECTIONS = "Connections.csv"
KUMU_CHANGE_REASON = "Imported from a Kumu map"  # history, as bundle.CHANGE_REASON
# Kumu's sheets as CSV; Google Sheets names them "<spreadsheet> - Elements.csv".
_KUMU_NAME = re.compile(r"(?:.* - )?(elements|connections)\.csv", re.IGNORECASE)
_ORGANISATION_TYPES = {"organisation", "organization", "org"}
DEFAULT_STRENGTH = "3"

Location = tuple[str, int, str]  # Kumu file, row, column


# --- Reading the sheets ---------------------------------------------------------


def kumu_sheet(name: str) -> str | None:
    """Which Kumu sheet a file is by its name, "elements" or "connections"; else None."""
    match = _KUMU_NAME.fullmatch(name)
    return None if match is None else match[1].casefold()


@dataclass
class _KumuTable:
    file: str
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row, column -> value)
    columns: dict[str, str]  # normalised column -> the name in the file

    def locations(self, row: int) -> dict[str, Location]:
        """Where each cell of a row is, by normalised column."""
        return {column: (self.file, row, name) for column, name in self.columns.items()}


def _kumu_records(name: str, text: str, errors: list[ImportError_]) -> list[list[str]] | None:
    """A sheet's CSV records, or None if it cannot be read or is empty."""
    records = csv_records(name, text, errors)
    if records is None:
        return None
    if not records:
        errors.append(ImportError_(name, 1, None, "the file is empty."))
        return None
    return records


def _kumu_header(
    name: str, header: list[str], errors: list[ImportError_]
) -> tuple[dict[str, int], dict[str, str], bool]:
    """Each normalised column's position and name in the file, and whether one is repeated."""
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    repeated = False
    for index, raw in enumerate(header):
        key = _normalise(raw)
        if not key:
            continue
        if key in positions:
            # Which copy holds the data is anyone's guess: reading the first could
            # import the wrong one without a word.
            errors.append(
                ImportError_(name, 1, raw.strip(), repeated_column(positions[key], index))
            )
            repeated = True
            continue
        positions[key] = index
        columns[key] = raw.strip()
    return positions, columns, repeated


def _kumu_table(
    name: str, text: str, required: Iterable[str], errors: list[ImportError_]
) -> _KumuTable | None:
    """A sheet's non-blank rows by normalised column; None if it lacks a required column."""
    records = _kumu_records(name, text, errors)
    if records is None:
        return None
    if (problem := separator_problem(records[0])) is not None:
        errors.append(ImportError_(name, 1, None, problem))
        return None
    bad_header = False
    for index, raw in enumerate(records[0]):
        if (problem := text_problem(raw, subject="The column name")) is not None:
            errors.append(ImportError_(name, 1, _column_letter(index), problem))
            bad_header = True
    if bad_header:
        return None
    positions, columns, repeated = _kumu_header(name, records[0], errors)
    missing = [column for column in required if _normalise(column) not in positions]
    for column in missing:
        errors.append(ImportError_(name, 1, column, "this required column is missing."))
    if missing or repeated:
        return None
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        values = {k: cells[i] if i < len(cells) else "" for k, i in positions.items()}
        for column, value in values.items():
            if (problem := text_problem(value)) is not None:
                errors.append(ImportError_(name, number, columns[column], problem))
                # Refused; messages that quote the cell later must stay storable.
                values[column] = strip_refused(value)
        rows.append((number, values))
    return _KumuTable(name, rows, columns)


def _kumu_sheets(
    elements: tuple[str, str],
    connections: tuple[str, str] | None,
    errors: list[ImportError_],
) -> tuple[_KumuTable, _KumuTable | None] | None:
    """Both sheets read, each reporting its own problems; None if either cannot be used."""
    elements_name, elements_text = elements
    table = _kumu_table(elements_name, elements_text, ("Label", "Type"), errors)
    ctable = None
    if connections is not None:
        ctable = _kumu_table(connections[0], connections[1], ("From", "To"), errors)
    if table is None or (connections is not None and ctable is None):
        return None
    return table, ctable


# --- The bundle made ------------------------------------------------------------


@dataclass
class _Generated:
    """A bundle file made from a Kumu map, with where each of its cells came from."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    locations: list[dict[str, Location]] = field(default_factory=list)

    def add(self, values: dict[str, str], locations: dict[str, Location]) -> None:
        """Add a row of values by column, with the Kumu cell each came from."""
        self.rows.append([values.get(column, "") for column in self.columns])
        self.locations.append(locations)

    def csv_bytes(self) -> bytes:
        """The file as UTF-8 CSV, header first."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")


@dataclass
class KumuBundle:
    """Bundle files converted from a Kumu map, where their cells came from, and notes."""

    files: dict[str, bytes]
    locations: dict[str, list[dict[str, Location]]]
    notes: list[str]


# --- Elements: organisations and people -----------------------------------------


@dataclass
class _Existing:
    """What the workspace holds already: the values a blank cell in the sheet leaves."""

    # organisation name -> (kind, sector, tier)
    organisations: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    seniority: dict[str, str] = field(default_factory=dict)  # person ref -> seniority


@dataclass
class _Person:
    """A person element: their people.csv row and the organisations they connect to."""

    ref: str
    row: int
    values: dict[str, str]
    locations: dict[str, Location]
    # (organisation label, person's cell, organisation's cell), in the Connections' order
    organisations: list[tuple[str, Location, Location]] = field(default_factory=list)
    # A connection of theirs names no element: it may be the organisation they lack.
    unresolved: bool = False


@dataclass
class _Elements:
    """The Elements sheet mapped: organisations.csv, and the people by label."""

    file: str
    label_column: str
    organisations: _Generated = field(
        default_factory=lambda: _Generated(["name", "kind", "sector", "tier"])
    )
    organisation_labels: set[str] = field(default_factory=set)
    people: dict[str, _Person] = field(default_factory=dict)
    refs: dict[str, tuple[str, int]] = field(default_factory=dict)  # ref -> (label, row)
    refused: set[str] = field(default_factory=set)  # labels whose element is an error

    def folded(self) -> dict[str, str]:
        """Each element's Label by its casefolded Label, for "did you mean" hints."""
        return {label.casefold(): label for label in [*self.organisation_labels, *self.people]}


def _existing(workspace: Workspace | None) -> _Existing:
    """The workspace's organisations and people, whose values stand where the sheet is blank."""
    if workspace is None:
        return _Existing()
    organisations = {
        name: (kind, sector, tier)
        for name, kind, sector, tier in Organisation.objects.filter(
            workspace=workspace
        ).values_list("name", "kind", "sector", "tier")
    }
    seniority = dict(Person.objects.filter(workspace=workspace).values_list("ref", "seniority"))
    return _Existing(organisations, seniority)


def _organisation_kind(kind_type: str) -> str | None:
    """The organisation kind an element's normalised Type makes; None for a person."""
    # "Other" is a kind too, but an element typed "Other" is no more an organisation
    # than one typed "Project": only a named kind makes one.
    named_kind = KIND_CHOICES.lookup.get(kind_type, OrganisationKind.OTHER)
    if kind_type in _ORGANISATION_TYPES or named_kind != OrganisationKind.OTHER:
        return named_kind
    return None


def _add_organisation(
    elements: _Elements,
    values: dict[str, str],
    here: dict[str, Location],
    kind: str,
    old: tuple[str, str, str] | None,
) -> None:
    """Map an organisation element; what it leaves blank keeps the existing value."""
    if kind == OrganisationKind.OTHER and old:
        kind = old[0]
    elements.organisations.add(
        {
            "name": values["label"],
            "kind": kind,
            "sector": values.get("sector") or (old[1] if old else "other"),
            "tier": values.get("tier") or (old[2] if old else "place"),
        },
        {
            "name": here["label"],
            "kind": here["type"],
            "sector": here.get("sector", here["label"]),
            "tier": here.get("tier", here["label"]),
        },
    )
    elements.organisation_labels.add(values["label"])


def _person_ref(
    elements: _Elements, label: str, number: int, errors: list[ImportError_]
) -> str | None:
    """The slug of a person's Label as their ref, unless it is empty or taken."""
    ref = slugify(label, allow_unicode=True)[: Person._meta.get_field("ref").max_length]
    if not ref:
        errors.append(
            ImportError_(
                elements.file,
                number,
                elements.label_column,
                f"'{label}' has no letters or digits to make a ref from.",
            )
        )
        elements.refused.add(label)
        return None
    if ref in elements.refs:
        other, other_row = elements.refs[ref]
        errors.append(
            ImportError_(
                elements.file,
                number,
                elements.label_column,
                f"'{label}' would get the same ref ('{ref}') as '{other}' on row "
                f"{other_row}. Make the labels differ by more than case and punctuation.",
            )
        )
        elements.refused.add(label)
        return None
    elements.refs[ref] = (label, number)
    return ref


def _add_person(
    elements: _Elements,
    number: int,
    values: dict[str, str],
    here: dict[str, Location],
    existing: _Existing,
    errors: list[ImportError_],
) -> None:
    """Map a person element; their organisations come from the Connections sheet."""
    label = values["label"]
    ref = _person_ref(elements, label, number, errors)
    if ref is None:
        return
    seniority = values.get("seniority") or existing.seniority.get(ref, Seniority.MANAGER)
    elements.people[label] = _Person(
        ref=ref,
        row=number,
        values={"ref": ref, "name": label, "seniority": seniority},
        locations={
            "ref": here["label"],
            "name": here["label"],
            "seniority": here.get("seniority", here["label"]),
        },
    )


def _map_elements(table: _KumuTable, existing: _Existing, errors: list[ImportError_]) -> _Elements:
    """Sort the elements into organisations and people, each Label used once."""
    elements = _Elements(table.file, table.columns["label"])
    seen: dict[str, int] = {}
    for number, values in table.rows:
        label = values["label"]
        if not label:
            errors.append(
                ImportError_(table.file, number, elements.label_column, "a Label is needed.")
            )
            continue
        if label in seen:
            errors.append(
                ImportError_(
                    table.file,
                    number,
                    elements.label_column,
                    f"duplicate: '{label}' is already on row {seen[label]}.",
                )
            )
            continue
        seen[label] = number
        here = table.locations(number)
        kind = _organisation_kind(_normalise(values["type"]))
        if kind is None:
            _add_person(elements, number, values, here, existing, errors)
        else:
            _add_organisation(elements, values, here, kind, existing.organisations.get(label))
    return elements


# --- Connections: affiliations and relationships --------------------------------


@dataclass
class _Connections:
    """The Connections sheet mapped: relationships.csv and what it leaves out."""

    relationships: _Generated
    # (source ref, target ref, kind) -> the row that made it
    ties: dict[tuple[str, str, str], int] = field(default_factory=dict)
    between_organisations: int = 0


def _connection_ends(
    table: _KumuTable,
    number: int,
    values: dict[str, str],
    elements: _Elements,
    folded: dict[str, str],
    errors: list[ImportError_],
) -> tuple[str, str]:
    """A connection's From and To labels, each reported if it names no element.

    An element refused in its own sheet is not reported again here: its row says why.
    """

    def known(label: str) -> bool:
        return label in elements.people or label in elements.organisation_labels

    ends = []
    for end in ("from", "to"):
        label = values[end]
        if not known(label) and label not in elements.refused:
            message = (
                "This field cannot be blank."
                if not label
                else f"there is no element '{label}' in {elements.file}."
                + case_hint(label, folded, keys="Labels")
                + invisible_hint(label, known)
            )
            errors.append(ImportError_(table.file, number, table.columns[end], message))
        ends.append(label)
    return ends[0], ends[1]


def _add_relationship(
    connections: _Connections,
    ends: tuple[_Person, _Person],
    values: dict[str, str],
    here: dict[str, Location],
    errors: list[ImportError_],
) -> None:
    """Map a person -> person connection; the same kind between the same two only once."""
    source, target = ends
    kind = RELATIONSHIP_KIND_CHOICES.lookup.get(
        _normalise(values.get("type", "")), RelationshipKind.COLLABORATES
    )
    file, number, from_column = here["from"]
    key = (source.ref, target.ref, kind)
    if key in connections.ties:
        errors.append(
            ImportError_(
                file,
                number,
                from_column,
                f"duplicate: this connection ({kind}) is already on row {connections.ties[key]}.",
            )
        )
        return
    connections.ties[key] = number
    connections.relationships.add(
        {
            "source": source.ref,
            "target": target.ref,
            "kind": kind,
            "strength": values.get("strength") or DEFAULT_STRENGTH,
            "evidence": values.get("description", ""),
        },
        {
            "source": here["from"],
            "target": here["to"],
            "kind": here.get("type", here["from"]),
            "strength": here.get("strength", here["from"]),
            "evidence": here.get("description", here["from"]),
        },
    )


def _map_connections(
    table: _KumuTable | None, elements: _Elements, errors: list[ImportError_]
) -> _Connections:
    """Relationships between people; a person's organisations noted on the person."""
    columns = ["source", "target", "kind", "strength"]
    if table is None:
        return _Connections(_Generated(columns))
    if "description" in table.columns:
        columns.append("evidence")
    connections = _Connections(_Generated(columns))
    organisations, people = elements.organisation_labels, elements.people
    folded = elements.folded()
    for number, values in table.rows:
        here = table.locations(number)
        source, target = _connection_ends(table, number, values, elements, folded, errors)
        if source in organisations and target in organisations:
            connections.between_organisations += 1
        elif source in people and target in organisations:
            people[source].organisations.append((target, here["from"], here["to"]))
        elif source in organisations and target in people:
            people[target].organisations.append((source, here["to"], here["from"]))
        elif source in people and target in people:
            _add_relationship(connections, (people[source], people[target]), values, here, errors)
        elif source in people or target in people:
            people[source if source in people else target].unresolved = True
    return connections


def _people_files(elements: _Elements, errors: list[ImportError_]) -> tuple[_Generated, _Generated]:
    """people.csv with each person's first organisation, affiliations.csv with the others."""
    people = _Generated(["ref", "name", "seniority", "organisation"])
    affiliations = _Generated(["person", "organisation"])
    for label, person in elements.people.items():
        if not person.organisations:
            if person.unresolved:
                continue  # the connection that names no element is reported; it may be this
            errors.append(
                ImportError_(
                    elements.file,
                    person.row,
                    elements.label_column,
                    f"'{label}' is a person with no connection to an organisation. Connect "
                    "them to their organisation in the Connections sheet (e.g. 'works at'): "
                    "every person needs a primary organisation.",
                )
            )
            continue
        (primary, _, primary_at), *others = person.organisations
        people.add(
            {**person.values, "organisation": primary},
            {**person.locations, "organisation": primary_at},
        )
        given = {primary}
        for organisation, person_at, org_at in others:
            if organisation in given:
                continue  # the same affiliation drawn twice ("works at", "member of")
            given.add(organisation)
            affiliations.add(
                {"person": person.ref, "organisation": organisation},
                {"person": person_at, "organisation": org_at},
            )
    return people, affiliations


# --- Converting -----------------------------------------------------------------


def _notes(between_organisations: int) -> list[str]:
    """What the uploader should know about the conversion that is not an error."""
    if not between_organisations:
        return []
    plural = "s" if between_organisations != 1 else ""
    return [
        f"{between_organisations} connection{plural} between two "
        "organisations will not be imported: the map records ties between people."
    ]


def _bundle(generated: dict[str, _Generated], notes: list[str]) -> KumuBundle:
    """The generated files that have rows, with where each of their cells came from."""
    made = {name: g for name, g in generated.items() if g.rows}
    return KumuBundle(
        files={name: g.csv_bytes() for name, g in made.items()},
        locations={name: g.locations for name, g in made.items()},
        notes=notes,
    )


def kumu_to_bundle(
    *,
    workspace: Workspace | None,
    elements: tuple[str, str],
    connections: tuple[str, str] | None,
    errors: list[ImportError_],
) -> KumuBundle | None:
    """Convert Kumu's Elements and Connections sheets (name, text) into bundle files.

    Organisations: elements whose Type is "Organisation" or an organisation kind.
    Everyone else is a person (ref = slug of the Label). A person -> organisation
    connection is an affiliation (the first one primary), a person -> person
    connection a relationship. Problems of the sheets themselves go to `errors`.
    """
    sheets = _kumu_sheets(elements, connections, errors)
    if sheets is None:
        return None
    element_table, connection_table = sheets
    mapped = _map_elements(element_table, _existing(workspace), errors)
    connected = _map_connections(connection_table, mapped, errors)
    people, affiliations = _people_files(mapped, errors)
    generated = {
        ORGANISATIONS: mapped.organisations,
        PEOPLE: people,
        AFFILIATIONS: affiliations,
        RELATIONSHIPS: connected.relationships,
    }
    return _bundle(generated, _notes(connected.between_organisations))


def kumu_error(error: ImportError_, bundle: KumuBundle) -> ImportError_:
    """An error in a converted file, placed at the Kumu cell it came from."""
    rows = bundle.locations.get(error.file)
    if rows is None or error.row is None or not 2 <= error.row < len(rows) + 2:
        return error
    cells = rows[error.row - 2]
    file, row, column = cells.get(error.column or "") or next(iter(cells.values()))
    return ImportError_(file, row, column, error.message)
