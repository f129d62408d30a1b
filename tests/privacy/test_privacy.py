"""Subject access, erasure and the retention setting (UK GDPR), through their URLs."""

import base64
import csv
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.urls import reverse

from stakeholders import score_runs
from stakeholders.models import (
    Affiliation,
    Erasure,
    ImportPreview,
    ImportPreviewStatus,
    PairScore,
    Person,
    PersonPosition,
    PersonScore,
    Relationship,
    ScoreRun,
    Workspace,
)
from stakeholders.score_runs import Options, current_run
from tests.dashboard.test_dashboard_views import build_map
from tests.factories import (
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
)

NAME = "Zebedee Quartermaine"
REF = "ZQ-7781"
EVIDENCE_OUT = "Kestrel frailty summit, March"
EVIDENCE_IN = "Heron discharge huddle notes"
EVIDENCE_GONE = "Plover winter pressures call"
NOTES = "Prefers Osprey briefings in person"


def url(name: str, workspace, pk: int | None = None) -> str:
    kwargs = {"slug": workspace.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"stakeholders:{name}", kwargs=kwargs)


def rescore(workspace) -> None:
    transaction.get_connection().run_on_commit.clear()
    score_runs.score_run_execute(workspace_id=workspace.pk)


@pytest.fixture
def subject(workspace, editor):
    """A scored map with one person whose data reaches every corner of the database."""
    m = build_map(workspace)
    broker = m["broker"]
    hospital = broker.affiliations.get().organisation
    council = m["people"]["Fenwick County Council"][0].affiliations.get().organisation
    person = PersonFactory(
        workspace=workspace,
        name=NAME,
        ref=REF,
        job_title="=HYPERLINK(1)",
        notes=NOTES,
        seniority="director",
    )
    person._history_user = editor
    person.job_title = '=HYPERLINK("x")'
    person.save()
    primary = AffiliationFactory(person=person, organisation=council, role_title="Place lead")
    primary._history_user = editor
    primary.role_title = "Director of place"
    primary.save()
    AffiliationFactory(person=person, organisation=hospital, is_primary=False, role_title="Adviser")
    RelationshipFactory(
        source=person, target=broker, kind="trusts", strength=4, evidence=EVIDENCE_OUT
    )
    RelationshipFactory(
        source=m["people"]["Fenwick Hospitals"][1], target=person, evidence=EVIDENCE_IN
    )
    # A tie deleted before the erasure: only its history rows remain.
    gone = RelationshipFactory(
        source=person, target=m["people"]["Fenwick Carers"][0], evidence=EVIDENCE_GONE
    )
    gone.delete()
    rescore(workspace)
    return {"person": person, "broker": broker, "hospital": hospital, "council": council, **m}


# --- Access -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["person_subject_access", "person_erase"])
def test_owner_only_pages_refuse_members_and_hide_from_others(
    client, workspace, subject, viewer, editor, outsider, name
):
    path = url(name, workspace, subject["person"].pk)
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(outsider)
    assert client.get(path).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(path).status_code == 403
        assert client.post(path, {"confirmation": REF}).status_code in (403, 405)
    assert Person.objects.filter(pk=subject["person"].pk).exists()


def test_another_workspaces_person_is_404_for_an_owner(client, workspace, owner, other_workspace):
    theirs = PersonFactory(workspace=other_workspace, name="Zara Southby", ref="S0001")
    client.force_login(owner)
    assert client.get(url("person_subject_access", workspace, theirs.pk)).status_code == 404
    assert client.get(url("person_erase", workspace, theirs.pk)).status_code == 404
    assert (
        client.post(
            url("person_erase", workspace, theirs.pk), {"confirmation": "S0001"}
        ).status_code
        == 404
    )
    assert Person.objects.filter(pk=theirs.pk).exists()
    assert not Erasure.objects.exists()


def test_person_page_offers_download_and_erase_to_owners_only(
    client, workspace, subject, viewer, editor, owner
):
    path = url("person_detail", workspace, subject["person"].pk)
    for member in (viewer, editor):
        client.force_login(member)
        page = client.get(path).content.decode()
        assert "subject-access.zip" not in page and "/erase/" not in page
    client.force_login(owner)
    page = client.get(path).content.decode()
    assert url("person_subject_access", workspace, subject["person"].pk) in page
    assert url("person_erase", workspace, subject["person"].pk) in page


# --- Subject access ------------------------------------------------------------------


def _csv(pack: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = pack.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_subject_access_zip_holds_everything_about_the_person(client, workspace, subject, owner):
    person = subject["person"]
    client.force_login(owner)
    response = client.get(url("person_subject_access", workspace, person.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert f"north-fenwick-subject-access-{person.pk}-" in disposition
    assert "Zebedee" not in disposition and REF not in disposition
    assert response["Cache-Control"].startswith("max-age=0")

    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(pack.namelist()) == sorted(
        [
            "README.txt",
            "person.csv",
            "affiliations.csv",
            "forum_seats.csv",
            "ties_out.csv",
            "ties_in.csv",
            "scores.csv",
            "survey_responses.csv",
            "survey_answers.csv",
            "survey_named_by.csv",
            "history.csv",
        ]
    )
    readme = pack.read("README.txt").decode()
    assert "North Fenwick ICS" in readme and "Generated by: owner" in readme
    assert f"ref {REF}" in readme and "Generated: 20" in readme
    assert "Broker score:" in readme  # column definitions for scores.csv

    person_rows = _csv(pack, "person.csv")
    assert person_rows[0] == ["Ref", "Name", "Job title", "Seniority", "Active", "Notes", "Email"]
    # Formula-safe: the job title starts with "=", so it gets a leading '.
    assert person_rows[1] == [REF, NAME, '\'=HYPERLINK("x")', "Director", "Yes", NOTES, ""]

    affiliations = _csv(pack, "affiliations.csv")
    assert affiliations[1][:3] == ["Fenwick County Council", "Director of place", "Primary"]
    assert affiliations[2][:3] == ["Fenwick Hospitals", "Adviser", "Secondary"]

    ties_out = _csv(pack, "ties_out.csv")
    assert len(ties_out) == 2
    assert ties_out[1][1:4] == ["Bridget Broker", "Trusts", "4"]
    evidence = ties_out[0].index("Evidence")
    assert ties_out[1][evidence] == EVIDENCE_OUT
    ties_in = _csv(pack, "ties_in.csv")
    assert ties_in[1][1] == "Fenwick Hospitals person 1" and ties_in[1][evidence] == EVIDENCE_IN

    scores = _csv(pack, "scores.csv")
    assert scores[0][:3] == ["Boundary", "Group", "Broker score"]
    assert sorted(row[0] for row in scores[1:]) == ["Organisation", "Sector", "Tier"]
    by_boundary = {row[0]: row for row in scores[1:]}
    assert by_boundary["Organisation"][1] == "Fenwick County Council"
    stored = PersonScore.objects.get(
        run=current_run(workspace_id=workspace.pk), person=person, boundary="organisation"
    )
    assert float(by_boundary["Organisation"][2]) == pytest.approx(stored.broker_score)

    history = _csv(pack, "history.csv")
    assert history[0] == [
        "Date",
        "User",
        "Record",
        "Record id",
        "Action",
        "Field",
        "Before",
        "After",
    ]
    changed = [r for r in history if r[4] == "Changed"]
    assert [
        "editor",
        "Person",
        str(person.pk),
        "Changed",
        "Job title",
        "'=HYPERLINK(1)",
        '\'=HYPERLINK("x")',
    ] == changed[0][1:]
    assert any(
        r[2] == "Affiliation"
        and r[5] == "Role title"
        and r[6] == "Place lead"
        and r[7] == "Director of place"
        for r in changed
    )
    # The tie deleted earlier is in the history, created and deleted, evidence and all.
    gone = [
        r
        for r in history
        if r[2] == "Relationship" and r[5] == "Evidence" and EVIDENCE_GONE in r[6:]
    ]
    assert [r[4] for r in gone] == ["Created", "Deleted"]
    assert any(r[5] == "Target" and r[7].startswith("Fenwick Carers person 0") for r in history)
    # Oldest first.
    assert [r[0] for r in history[1:]] == sorted(r[0] for r in history[1:])


def test_subject_access_without_scores_still_downloads(client, workspace, owner):
    person = PersonFactory(workspace=workspace, name="Unscored Person")
    client.force_login(owner)
    response = client.get(url("person_subject_access", workspace, person.pk))
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(_csv(pack, "scores.csv")) == 1  # the header only


# --- Erasure -------------------------------------------------------------------------


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _everywhere(needles: list[str]) -> list[str]:
    """Every (table, field) where a needle appears, over every model Django knows."""
    found = []
    folded = [n.casefold() for n in needles]
    for model in apps.get_models(include_auto_created=True):
        fields = _text_fields(model)
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if model is ImportPreview and field == "files":
                    text += "".join(
                        base64.b64decode(v).decode("utf-8", "replace") for v in value.values()
                    )
                hits = [n for n in folded if n in text.casefold()]
                if hits:
                    found.append(f"{model._meta.db_table}.{field}: {hits}")
    return found


def _more_traces(workspace, subject, owner) -> dict:
    """Import previews, admin log lines, an older run and a fragile pair naming the person."""
    person = subject["person"]
    bundle = f"ref,name\r\n{REF},{NAME}\r\n".encode()
    pending = ImportPreview.objects.create(
        workspace=workspace,
        user=owner,
        files={"people.csv": base64.b64encode(bundle).decode("ascii")},
        summary={"files": [{"name": "people.csv", "update": [REF]}]},
    )
    unrelated = ImportPreview.objects.create(
        workspace=workspace,
        user=owner,
        files={"people.csv": base64.b64encode(b"ref,name\r\nX1,Someone Else\r\n").decode()},
    )
    person_type = ContentType.objects.get_for_model(Person)
    org_type = ContentType.objects.get_for_model(subject["council"])
    LogEntry.objects.create(
        user=owner,
        content_type=person_type,
        object_id=str(person.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Notes"]}}]),
    )
    other_line = LogEntry.objects.create(
        user=owner,
        content_type=org_type,
        object_id=str(subject["council"].pk),
        object_repr="Fenwick County Council",
        action_flag=CHANGE,
        change_message=json.dumps(
            [{"added": {"name": "affiliation", "object": f"{NAME} at Fenwick County Council"}}]
        ),
    )
    # A run under other options (not the current one) that scored the person too.
    transaction.get_connection().run_on_commit.clear()
    older = score_runs.score_run_execute(workspace_id=workspace.pk, options=Options(min_strength=2))
    assert PersonScore.objects.filter(run=older, person=person).exists()
    pair = PairScore.objects.filter(run=current_run(workspace_id=workspace.pk)).first()
    pair.failure_people = [*pair.failure_people, person.pk]
    pair.save()
    return {"pending": pending, "unrelated": unrelated, "other_line": other_line, "pair": pair}


def test_erasure_leaves_no_trace_and_rescores(
    client, workspace, subject, owner, django_capture_on_commit_callbacks
):
    person = subject["person"]
    traces = _more_traces(workspace, subject, owner)
    needles = [NAME, REF, EVIDENCE_OUT, EVIDENCE_IN, EVIDENCE_GONE, NOTES]
    before = _everywhere(needles)
    # The search can fail: before erasure it finds the person in many places.
    for table in (
        "stakeholders_person.name",
        "stakeholders_historicalperson.name",
        "stakeholders_historicalrelationship.evidence",
        "django_admin_log.object_repr",
        "stakeholders_importpreview.files",
    ):
        assert any(hit.startswith(table) for hit in before), table
    old_run = current_run(workspace_id=workspace.pk)
    people_before = old_run.people_count

    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("person_erase", workspace, person.pk), {"confirmation": REF})
    assert response.status_code == 302
    assert response["Location"] == url("workspace_settings", workspace)

    assert _everywhere(needles) == []
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Person.history.filter(id=person.pk).exists()
    assert not Affiliation.history.filter(person_id=person.pk).exists()
    pk = person.pk
    assert not Relationship.history.filter(source_id=pk).exists()
    assert not Relationship.history.filter(target_id=pk).exists()
    assert not PersonPosition.objects.filter(person_id=pk).exists()

    erasure = Erasure.objects.get()
    assert erasure.workspace == workspace and erasure.erased_by == owner
    assert (erasure.affiliations_removed, erasure.relationships_removed) == (2, 2)

    # Scores were recomputed without them, and no older run survives.
    new_run = current_run(workspace_id=workspace.pk)
    assert new_run is not None and new_run.pk != old_run.pk
    assert new_run.people_count == people_before - 1
    assert not PersonScore.objects.filter(person_id=pk).exists()
    assert PersonScore.objects.filter(run=new_run, boundary="organisation").count() == (
        people_before - 1
    )
    assert list(ScoreRun.objects.filter(workspace=workspace)) == [new_run]

    traces["pending"].refresh_from_db()
    assert traces["pending"].files == {} and traces["pending"].status == ImportPreviewStatus.EXPIRED
    traces["unrelated"].refresh_from_db()
    assert traces["unrelated"].files and traces["unrelated"].status == ImportPreviewStatus.PENDING
    # The organisation's admin log line stays, without the name.
    traces["other_line"].refresh_from_db()
    assert "(erased)" in traces["other_line"].change_message
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(pk)
    ).exists()

    # The rest of the map is untouched.
    assert Person.objects.filter(pk=subject["broker"].pk).exists()
    assert Relationship.objects.filter(source=subject["broker"]).exists()


def test_erasure_inside_one_transaction_keeps_scores_of_the_current_run(workspace, subject, owner):
    """Before the recompute commits, the current run's pairs no longer point at them."""
    from stakeholders.privacy.erasure import person_erase

    person = subject["person"]
    current = current_run(workspace_id=workspace.pk)
    pair = PairScore.objects.filter(run=current).first()
    pair.failure_people = [person.pk]
    pair.disconnecting_people = [person.pk, subject["broker"].pk]
    pair.save()
    person_erase(workspace=workspace, person=person, erased_by=owner)
    pair.refresh_from_db()
    assert pair.failure_people == [] and pair.disconnecting_people == [subject["broker"].pk]
    assert ScoreRun.objects.filter(pk=current.pk).exists()


def test_erasure_confirmation_names_the_person_and_counts(client, workspace, subject, owner):
    client.force_login(owner)
    response = client.get(url("person_erase", workspace, subject["person"].pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Erase <bdi>{NAME}</bdi> (ref <bdi>{REF}</bdi>)" in page
    assert "their 2 affiliations" in page and "their 2 relationships" in page
    assert "This cannot be undone" in page


def test_erasure_page_lists_other_records_that_name_them(client, workspace, subject, owner):
    broker = subject["broker"]
    broker.notes = f"Close to {NAME} since 2019"
    broker.save()
    others = subject["people"]["Fenwick Hospitals"]
    RelationshipFactory(source=others[2], target=others[0], kind="trusts", evidence=f"Via {REF}")
    client.force_login(owner)
    page = client.get(url("person_erase", workspace, subject["person"].pk)).content.decode()
    section = page.split("Other records that mention them")[1]
    assert "<bdi>Bridget Broker</bdi></a>: <bdi>notes</bdi>" in section
    assert (
        "<bdi>Fenwick Hospitals person 2</bdi></a>: "
        "<bdi>evidence of a relationship with Fenwick Hospitals person 0</bdi>"
    ) in section
    # Their own ties are erased with them, so they are not listed.
    assert EVIDENCE_IN not in section and "person 1</bdi></a>" not in section


def test_erasure_leaves_other_workspaces_admin_log_alone(
    client, workspace, other_workspace, subject, owner
):
    theirs = OrganisationFactory(workspace=other_workspace, name="South Moor Trust")
    line = LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(theirs),
        object_id=str(theirs.pk),
        object_repr="South Moor Trust",
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "affiliation", "object": NAME}}]),
    )
    client.force_login(owner)
    client.post(url("person_erase", workspace, subject["person"].pk), {"confirmation": REF})
    assert not Person.objects.filter(pk=subject["person"].pk).exists()
    line.refresh_from_db()
    assert NAME in line.change_message  # a namesake elsewhere is not this person


@pytest.mark.parametrize("typed", ["", "Zebedee", "ZQ-7782", "someone else"])
def test_erasure_needs_the_ref_or_full_name(client, workspace, subject, owner, typed):
    client.force_login(owner)
    response = client.post(
        url("person_erase", workspace, subject["person"].pk), {"confirmation": typed}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "ref or full name" in page
    assert Person.objects.filter(pk=subject["person"].pk).exists()
    assert not Erasure.objects.exists()


def test_erasure_accepts_the_name_in_any_case_and_spacing(client, workspace, subject, owner):
    client.force_login(owner)
    response = client.post(
        url("person_erase", workspace, subject["person"].pk),
        {"confirmation": "  zebedee   QUARTERMAINE "},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=subject["person"].pk).exists()
    page = client.get(response["Location"]).content.decode()
    assert "The person was erased, with 2 affiliations and 2 relationships" in page
    assert NAME not in page


def test_erasures_listed_for_owners_without_names(client, workspace, subject, owner, editor):
    client.force_login(owner)
    client.post(url("person_erase", workspace, subject["person"].pk), {"confirmation": REF})
    page = client.get(url("workspace_settings", workspace)).content.decode()
    table = page.split("<h2>Erasures</h2>")[1]
    assert "<bdi>owner</bdi>" in table
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>' in table
    assert NAME not in page and REF not in page


def test_erasure_admin_is_read_only_and_scoped(
    client, workspace, other_workspace, subject, owner, editor
):
    from stakeholders.privacy.erasure import person_erase

    person_erase(workspace=workspace, person=subject["person"], erased_by=owner)
    theirs = PersonFactory(workspace=other_workspace, name="Zara Southby")
    other_owner = UserFactory(username="southowner")
    person_erase(workspace=other_workspace, person=theirs, erased_by=other_owner)
    ours = Erasure.objects.get(workspace=workspace)
    for user in (owner, editor):
        user.is_staff = True
        user.save()
    client.force_login(owner)
    changelist = client.get(reverse("admin:stakeholders_erasure_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert "North Fenwick ICS" in body and "South Moor ICS" not in body and "southowner" not in body
    detail = client.get(reverse("admin:stakeholders_erasure_change", args=[ours.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    theirs_erasure = Erasure.objects.get(workspace=other_workspace)
    assert client.get(
        reverse("admin:stakeholders_erasure_change", args=[theirs_erasure.pk])
    ).status_code in (302, 403, 404)
    assert client.get(reverse("admin:stakeholders_erasure_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:stakeholders_erasure_delete", args=[ours.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Erasure.objects.filter(pk=ours.pk).exists()
    client.force_login(editor)  # editors manage data, not people's rights
    assert client.get(reverse("admin:stakeholders_erasure_changelist")).status_code == 403


# --- Retention -----------------------------------------------------------------------


def test_settings_page_is_for_owners(client, workspace, viewer, editor, outsider, owner):
    path = url("workspace_settings", workspace)
    assert client.get(path).status_code == 302
    client.force_login(outsider)
    assert client.get(path).status_code == 404
    assert client.post(path, {"retention_months": "3"}).status_code == 404
    for member in (viewer, editor):
        client.force_login(member)
        assert client.get(path).status_code == 403
        assert client.post(path, {"retention_months": "3"}).status_code == 403
    workspace.refresh_from_db()
    assert workspace.retention_months == 24
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 200
    assert 'name="retention_months"' in response.content.decode()
    assert 'value="24"' in response.content.decode()


@pytest.mark.parametrize(("typed", "stored"), [("12", 12), ("1", 1), ("240", 240), ("", None)])
def test_owner_sets_retention(client, workspace, owner, typed, stored):
    client.force_login(owner)
    response = client.post(url("workspace_settings", workspace), {"retention_months": typed})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.retention_months == stored
    # Recorded in the history, with who did it.
    latest = workspace.history.latest()
    assert latest.retention_months == stored and latest.history_user == owner
    page = client.get(response["Location"]).content.decode()
    assert ("now flagged as stale" if stored else "no longer flagged as stale") in page


@pytest.mark.parametrize("typed", ["0", "241", "-3", "twelve", "1.5"])
def test_bad_retention_is_a_clear_400(client, workspace, owner, typed):
    client.force_login(owner)
    response = client.post(url("workspace_settings", workspace), {"retention_months": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "1 to 240" in page or "whole number" in page
    workspace.refresh_from_db()
    assert workspace.retention_months == 24


def test_retention_service_refuses_out_of_range(workspace):
    from django.core.exceptions import ValidationError

    from stakeholders.privacy.erasure import workspace_retention_update

    with pytest.raises(ValidationError):
        workspace_retention_update(workspace=workspace, retention_months=241)
    workspace_retention_update(workspace=workspace, retention_months=6)
    assert Workspace.objects.get(pk=workspace.pk).retention_months == 6
