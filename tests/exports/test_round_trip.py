"""Export everything from the demo workspace, import it into an empty one: same data, same scores.

Both directions go through the code the product uses: `export_csv` and `import_map`
on the command line, and the download URLs and the upload, preview and confirm pages
in the browser. Rows are compared by their natural keys (names and refs), never by
primary key, and every stored score by person ref and group name.
"""

import datetime
import io
import math
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from stakeholders import demo, score_runs
from stakeholders.exports import tables as exports
from stakeholders.management.commands.seed_demo import workspace_populate
from stakeholders.models import (
    Affiliation,
    Boundary,
    ImportPreview,
    Organisation,
    PairScore,
    Person,
    PersonScore,
    Relationship,
    Role,
    RunStatus,
    Workspace,
)
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

# Scores equal to this: the runs read the same data in a different primary-key order.
TOLERANCE = 1e-12


@pytest.fixture
def original(db) -> Workspace:
    """The curated demo workspace, built the fast way (no history rows)."""
    workspace = WorkspaceFactory(slug="demo", name=demo.demo_dataset().name)
    workspace_populate(workspace=workspace, dataset=demo.demo_dataset(), history=False)
    # A leaver, notes, unknown trust, parents and ODS codes are what a copy could lose.
    people = Person.objects.filter(workspace=workspace)
    assert people.filter(active=False).exists() and people.exclude(notes="").exists()
    ties = Relationship.objects.filter(source__workspace=workspace)
    assert ties.filter(trust__isnull=True).exists() and ties.exclude(evidence="").exists()
    orgs = Organisation.objects.filter(workspace=workspace)
    assert orgs.filter(parent__isnull=False).exists() and orgs.exclude(ods_code="").exists()
    affiliations = Affiliation.objects.filter(person__workspace=workspace)
    assert affiliations.filter(end_date__isnull=False).exists()
    assert affiliations.filter(is_primary=False).exists()
    # Building it queued a recompute in the test's transaction; the tests score explicitly.
    transaction.get_connection().run_on_commit.clear()
    return workspace


def data(workspace: Workspace) -> dict[str, list[tuple]]:
    """Every stored field of every row, keyed by names and refs."""
    return {
        "organisations": sorted(
            Organisation.objects.filter(workspace=workspace).values_list(
                "name", "short_name", "kind", "sector", "tier", "parent__name", "ods_code"
            ),
            key=repr,
        ),
        "people": sorted(
            Person.objects.filter(workspace=workspace).values_list(
                "ref", "name", "job_title", "seniority", "notes", "active"
            )
        ),
        "affiliations": sorted(
            Affiliation.objects.filter(person__workspace=workspace).values_list(
                "person__ref",
                "organisation__name",
                "role_title",
                "is_primary",
                "start_date",
                "end_date",
            ),
            key=repr,
        ),
        "relationships": sorted(
            Relationship.objects.filter(source__workspace=workspace).values_list(
                "source__ref", "target__ref", "kind", "strength", "trust", "observed_on", "evidence"
            ),
            key=repr,
        ),
    }


def _score_fields(model) -> list[str]:
    skip = {"id", "run", "person", "boundary"}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def scores(workspace: Workspace) -> tuple[dict, dict, dict]:
    """A fresh score run's person scores, pair scores and summaries, keyed by refs and names."""
    run = score_runs.score_run_execute(workspace_id=workspace.pk, force=True)
    assert run.status == RunStatus.SUCCEEDED, run.error
    org_names = {
        str(pk): name
        for pk, name in Organisation.objects.filter(workspace=workspace).values_list("pk", "name")
    }
    refs = dict(Person.objects.filter(workspace=workspace).values_list("pk", "ref"))

    def group(boundary: str, value: str) -> str:
        return org_names[value] if boundary == Boundary.ORGANISATION and value else value

    people = {}
    for score in PersonScore.objects.filter(run=run).select_related("person"):
        values = {name: getattr(score, name) for name in _score_fields(PersonScore)}
        values["group"] = group(score.boundary, score.group)
        for name in ("pairs_disconnected_if_leaves", "pairs_distant_if_leaves"):
            values[name] = sorted(sorted(group(score.boundary, g) for g in p) for p in values[name])
        people[(score.person.ref, score.boundary)] = values
    pairs = {}
    for pair in PairScore.objects.filter(run=run):
        values = {name: getattr(pair, name) for name in _score_fields(PairScore)}
        a, b = group(pair.boundary, pair.group_a), group(pair.boundary, pair.group_b)
        if a > b:  # the same pair, the other way round: A to B is now B to A
            a, b = b, a
            values["arcs_a_to_b"], values["arcs_b_to_a"] = pair.arcs_b_to_a, pair.arcs_a_to_b
        values["group_a"], values["group_b"] = a, b
        for name in ("failure_people", "disconnecting_people"):
            values[name] = sorted(refs[pk] for pk in values[name])
        pairs[(pair.boundary, a, b)] = values
    summaries = {}
    for boundary, summary in run.summary.items():
        summaries[boundary] = {
            **summary,
            "groups": sorted(group(boundary, str(g)) for g in summary["groups"]),
        }
    return people, pairs, summaries


def assert_same(expected: dict, actual: dict, what: str) -> None:
    """Equal keys; equal values, floats to within TOLERANCE."""
    assert sorted(actual) == sorted(expected), f"{what}: different rows"
    differences = []
    for key, values in expected.items():
        for name, value in values.items():
            other = actual[key][name]
            if isinstance(value, float) and isinstance(other, float):
                same = math.isclose(value, other, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
            else:
                same = value == other
            if not same:
                differences.append((key, name, value, other))
    assert differences == [], f"{what}: {len(differences)} values differ"


def assert_same_scores(original: Workspace, copy: Workspace) -> None:
    people, pairs, summaries = scores(original)
    copy_people, copy_pairs, copy_summaries = scores(copy)
    assert len(people) == 3 * Person.objects.filter(workspace=original).count()
    assert pairs, "the demo has partnerships"
    assert_same(people, copy_people, "person scores")
    assert_same(pairs, copy_pairs, "pair scores")
    assert_same(summaries, copy_summaries, "summaries")


# --- On the command line -----------------------------------------------------------


def export_bundle(workspace: Workspace, directory: Path) -> Path:
    """Every data kind through `export_csv`, named as a bundle; people with their notes."""
    directory.mkdir()
    for kind in exports.DATA_KINDS:
        notes = ["--with-notes"] if kind == "people" else []
        call_command(
            "export_csv",
            kind,
            "--workspace",
            workspace.slug,
            "--output",
            directory / f"{kind}.csv",
            *notes,
        )
    return directory


def test_command_line_round_trip_keeps_every_field_and_every_score(original, tmp_path):
    bundle = export_bundle(original, tmp_path / "bundle")
    out = io.StringIO()

    call_command("import_map", bundle, "--workspace", "demo-copy", stdout=out)

    copy = Workspace.objects.get(slug="demo-copy")
    before, after = data(original), data(copy)
    assert all(before.values())
    for kind in before:
        assert after[kind] == before[kind], kind
    assert_same_scores(original, copy)


def test_exporting_the_copy_gives_the_same_files(original, tmp_path):
    first = export_bundle(original, tmp_path / "first")
    call_command("import_map", first, "--workspace", "demo-copy", stdout=io.StringIO())
    second = export_bundle(Workspace.objects.get(slug="demo-copy"), tmp_path / "second")

    for kind in exports.DATA_KINDS:
        name = f"{kind}.csv"
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


def test_importing_the_export_into_its_own_workspace_changes_nothing(original, tmp_path):
    bundle = export_bundle(original, tmp_path / "bundle")
    before = data(original)

    out = io.StringIO()
    call_command("import_map", bundle, "--workspace", original.slug, stdout=out)

    assert data(original) == before
    for line in out.getvalue().splitlines()[1:-1]:
        assert " 0 created, 0 updated," in line, line


def test_awkward_values_survive_the_round_trip(workspace, tmp_path):
    """What the demo does not have: no primary organisation, quoted and formula-like text."""
    icb = OrganisationFactory(
        workspace=workspace, name="=ICB", short_name="", kind="icb", ods_code="QU9"
    )
    trust = OrganisationFactory(
        workspace=workspace, name="'Tis Trust", short_name="-T", parent=icb, tier="place"
    )
    OrganisationFactory(workspace=workspace, name='Zoë\'s Café, "Ltd"', kind="other")
    texts = ["=1+1", "'=quoted", "''=two", "'Tis", "-2", "@home", "+44 7700", "Ångström 🙂"]
    people = [
        PersonFactory(
            workspace=workspace,
            ref=f"X{i}",
            name=text,
            job_title=text,
            notes=f'{text}\r\nline two, "quoted"',
            active=i % 2 == 0,
        )
        for i, text in enumerate(texts)
    ]
    AffiliationFactory(person=people[0], organisation=trust, role_title="=Lead")
    # people[1]: secondary affiliations only, ended; people[2]: none at all.
    AffiliationFactory(
        person=people[1],
        organisation=icb,
        is_primary=False,
        role_title="",
        start_date=datetime.date(2020, 2, 29),
        end_date=datetime.date(2024, 3, 31),
    )
    for i, (source, target) in enumerate(zip(people, people[1:], strict=False)):
        RelationshipFactory(
            source=source,
            target=target,
            kind=["collaborates", "trusts", "reports_to", "influences"][i % 4],
            strength=1 + i % 5,
            trust=None if i % 3 == 0 else 1 + i % 5,
            observed_on=None if i % 2 else datetime.date(2019, 1, 1),
            evidence=texts[i],
        )
    transaction.get_connection().run_on_commit.clear()
    bundle = export_bundle(workspace, tmp_path / "bundle")

    call_command("import_map", bundle, "--workspace", "copy", stdout=io.StringIO())

    before, after = data(workspace), data(Workspace.objects.get(slug="copy"))
    assert all(before.values())
    for kind in before:
        assert after[kind] == before[kind], kind


# Longer than the csv module's default limit on a cell, 131,072 characters.
LONG_NOTES = 'Met at the board, "twice".\r\nAgreed the plan.\r\n' * 5_000 + "Next: June."


def long_texts(workspace: Workspace) -> None:
    """Notes and evidence as long as a person may write them: exports write them whole."""
    trust = OrganisationFactory(workspace=workspace, name="Trust A")
    first = PersonFactory(workspace=workspace, ref="P1", notes=LONG_NOTES)
    second = PersonFactory(workspace=workspace, ref="P2", notes="short")
    AffiliationFactory(person=first, organisation=trust)
    RelationshipFactory(source=first, target=second, evidence=LONG_NOTES[::-1])
    transaction.get_connection().run_on_commit.clear()


def test_notes_longer_than_the_csv_modules_cell_limit_survive_the_round_trip(workspace, tmp_path):
    assert len(LONG_NOTES) > 131_072
    long_texts(workspace)
    bundle = export_bundle(workspace, tmp_path / "bundle")

    call_command("import_map", bundle, "--workspace", "copy", stdout=io.StringIO())

    before, after = data(workspace), data(Workspace.objects.get(slug="copy"))
    for kind in before:
        assert after[kind] == before[kind], kind


# --- In the browser ------------------------------------------------------------------


def test_browser_round_trip_through_downloads_and_the_upload_pages(original, client, tmp_path):
    copy = WorkspaceFactory(slug="demo-copy", name="Demo copy")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, workspace=original, role=Role.EDITOR)
    MembershipFactory(user=user, workspace=copy, role=Role.EDITOR)
    client.force_login(user)

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for kind in exports.DATA_KINDS:
            url = reverse("stakeholders:export_csv", kwargs={"slug": original.slug, "kind": kind})
            response = client.get(url, {"notes": "yes"} if kind == "people" else {})
            assert response.status_code == 200
            bundle.writestr(f"{kind}.csv", b"".join(response.streaming_content))
    upload = io.BytesIO(archive.getvalue())
    upload.name = "demo.zip"

    response = client.post(
        reverse("stakeholders:import_upload", kwargs={"slug": copy.slug}), {"files": [upload]}
    )
    assert response.status_code == 302
    preview = ImportPreview.objects.get(workspace=copy)
    assert client.get(response["Location"]).status_code == 200
    response = client.post(
        reverse("stakeholders:import_confirm", kwargs={"slug": copy.slug, "token": preview.token})
    )
    assert response.status_code == 302

    before, after = data(original), data(copy)
    for kind in before:
        assert after[kind] == before[kind], kind
    assert_same_scores(original, copy)


def test_long_notes_survive_the_downloads_and_the_upload(workspace, client):
    long_texts(workspace)
    copy = WorkspaceFactory(slug="copy", name="Copy")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, workspace=workspace, role=Role.EDITOR)
    MembershipFactory(user=user, workspace=copy, role=Role.EDITOR)
    client.force_login(user)
    files = []
    for kind in exports.DATA_KINDS:
        url = reverse("stakeholders:export_csv", kwargs={"slug": workspace.slug, "kind": kind})
        response = client.get(url, {"notes": "yes"} if kind == "people" else {})
        files.append(
            SimpleUploadedFile(f"{kind}.csv", b"".join(response.streaming_content), "text/csv")
        )

    client.post(reverse("stakeholders:import_upload", kwargs={"slug": copy.slug}), {"files": files})
    preview = ImportPreview.objects.get(workspace=copy)
    assert preview.summary["errors"] == []
    client.post(
        reverse("stakeholders:import_confirm", kwargs={"slug": copy.slug, "token": preview.token})
    )

    before, after = data(workspace), data(copy)
    for kind in before:
        assert after[kind] == before[kind], kind
