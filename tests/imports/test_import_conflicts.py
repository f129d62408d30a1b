"""Confirming an import never overwrites, unannounced, an edit made after its preview."""

import pytest
from django.contrib.messages import get_messages
from django.db import transaction

from stakeholders.models import ImportPreviewStatus, Person, Relationship
from stakeholders.services import record_version_claim
from tests.factories import PersonFactory
from tests.imports.test_import_views import (
    confirm_url,
    good_files,
    preview_url,
    upload,
)

pytestmark = pytest.mark.django_db


def _edit(record, **values) -> None:
    """Save as an editor does (data entry claims the version the form loaded)."""
    record.refresh_from_db()
    with transaction.atomic():
        record_version_claim(instance=record, expected_version=record.version)
        for name, value in values.items():
            setattr(record, name, value)
        record.save()


def _imported(client, workspace) -> None:
    _, preview = upload(client, workspace, good_files())
    client.post(confirm_url(preview))
    assert Person.objects.filter(workspace=workspace).count() == 5


def _people_csv(job_title_of_p002: str) -> dict[str, bytes]:
    files = good_files()
    files["people.csv"] = files["people.csv"].replace(
        b"P002,Ben Okafor,Director of strategy", f"P002,Ben Okafor,{job_title_of_p002}".encode()
    )
    return {"people.csv": files["people.csv"]}


def _refused(client, preview, *, names: str) -> str:
    history = Person.history.count(), Relationship.history.count()
    response = client.post(confirm_url(preview))
    assert response.status_code == 302 and response["Location"] == preview_url(preview)
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert message.startswith("Nothing was imported: records it would change were edited")
    assert (Person.history.count(), Relationship.history.count()) == history  # nothing written
    preview.refresh_from_db()
    assert preview.status == ImportPreviewStatus.PENDING
    page = client.get(preview_url(preview)).content.decode()
    assert "The workspace changed after this check: nothing was imported" in page
    assert names in page
    assert "Confirm and import" not in page
    return page


def test_an_edit_to_a_record_the_import_changes_stops_the_confirm(client, workspace, editor):
    client.force_login(editor)
    _imported(client, workspace)
    _, preview = upload(client, workspace, _people_csv("Director of integration"))
    ben = Person.objects.get(ref="P002")
    _edit(ben, job_title="Interim chief executive")

    page = _refused(client, preview, names="Person &#x27;P002&#x27; was changed after this check")
    # The file the record comes from: several of its rows can make one record, so no row.
    row = page.split("Person &#x27;P002&#x27;")[0].rsplit("<tr", 1)[1]
    assert "<bdi>people.csv</bdi>" in row

    ben.refresh_from_db()
    assert ben.job_title == "Interim chief executive"


def test_an_edit_to_a_record_the_preview_showed_unchanged_stops_the_confirm(
    client, workspace, editor
):
    # The import would set it back to the file's value: as much an overwrite.
    client.force_login(editor)
    _imported(client, workspace)
    _, preview = upload(client, workspace, good_files())
    carys = Person.objects.get(ref="P003")
    _edit(carys, job_title="Director of adult social care")

    _refused(client, preview, names="Person &#x27;P003&#x27; was changed after this check")

    carys.refresh_from_db()
    assert carys.job_title == "Director of adult social care"


def test_a_record_deleted_after_the_preview_is_not_brought_back(client, workspace, editor):
    client.force_login(editor)
    _imported(client, workspace)
    _, preview = upload(client, workspace, {"relationships.csv": good_files()["relationships.csv"]})
    Relationship.objects.get(source__ref="P001", target__ref="P002").delete()

    deleted = "Relationship &#x27;P001 -&gt; P002 (collaborates)&#x27; was deleted after this"
    _refused(client, preview, names=deleted)
    assert not Relationship.objects.filter(source__ref="P001", target__ref="P002").exists()


def test_a_record_added_after_the_preview_is_not_overwritten(client, workspace, editor):
    client.force_login(editor)
    _, preview = upload(client, workspace, good_files())  # P001 is new here
    PersonFactory(workspace=workspace, ref="P001", name="Amira Shah-Jones")

    _refused(client, preview, names="Person &#x27;P001&#x27; was added after this check")
    assert Person.objects.get(ref="P001").name == "Amira Shah-Jones"


def test_edits_elsewhere_in_the_workspace_do_not_stop_the_confirm(client, workspace, editor):
    client.force_login(editor)
    _imported(client, workspace)
    other = PersonFactory(workspace=workspace, ref="Z999")
    _, preview = upload(client, workspace, _people_csv("Director of integration"))
    _edit(other, job_title="Somewhere else")

    response = client.post(confirm_url(preview))

    assert response["Location"] == workspace.get_absolute_url()
    assert Person.objects.get(ref="P002").job_title == "Director of integration"


def test_a_new_preview_after_the_edit_imports(client, workspace, editor):
    client.force_login(editor)
    _imported(client, workspace)
    _, stale = upload(client, workspace, _people_csv("Director of integration"))
    _edit(Person.objects.get(ref="P002"), job_title="Interim chief executive")
    client.post(confirm_url(stale))

    _, fresh = upload(client, workspace, _people_csv("Director of integration"))
    page = client.get(preview_url(fresh)).content.decode()
    assert "Confirm and import" in page  # shows the edit it overwrites as a change
    response = client.post(confirm_url(fresh))

    assert response["Location"] == workspace.get_absolute_url()
    assert Person.objects.get(ref="P002").job_title == "Director of integration"
