"""Relationship start and end dates: import, export, admin, history."""

import csv
import datetime
import io
from pathlib import Path
from textwrap import dedent

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from stakeholders.models import Relationship
from tests.factories import PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

ORGS = "name,short_name,kind,sector,tier,parent,ods_code\nTrust A,,acute_trust,nhs,system,,\n"
PEOPLE = "ref,name,seniority,organisation\nP1,Ann,manager,Trust A\nP2,Bob,manager,Trust A\n"


def _bundle(directory: Path, relationships: str) -> Path:
    for name, text in {"organisations": ORGS, "people": PEOPLE}.items():
        (directory / f"{name}.csv").write_text(text, encoding="utf-8")
    (directory / "relationships.csv").write_text(dedent(relationships).lstrip(), encoding="utf-8")
    return directory


def test_import_reads_start_and_end_dates(tmp_path):
    _bundle(
        tmp_path,
        """\
        source,target,kind,strength,start_date,end_date
        P1,P2,trusts,4,2024-04-01,2026-03-31
        P2,P1,trusts,3,,
        """,
    )
    call_command("import_map", str(tmp_path), "--workspace", "dated", stdout=io.StringIO())
    ended = Relationship.objects.get(source__ref="P1")
    assert ended.start_date == datetime.date(2024, 4, 1)
    assert ended.end_date == datetime.date(2026, 3, 31)
    undated = Relationship.objects.get(source__ref="P2")
    assert undated.start_date is None and undated.end_date is None
    assert ended.history.first().end_date == datetime.date(2026, 3, 31)


def test_import_refuses_an_end_before_the_start_naming_the_row(tmp_path):
    _bundle(
        tmp_path,
        """\
        source,target,kind,strength,start_date,end_date
        P1,P2,trusts,4,2026-04-01,2026-03-31
        """,
    )
    with pytest.raises(CommandError) as failure:
        call_command("import_map", str(tmp_path), "--workspace", "dated", stdout=io.StringIO())
    assert "relationships.csv" in str(failure.value)
    assert "end_date" in str(failure.value)
    assert "The end date cannot be before the start date: start 2026-04-01, end 2026-03-31." in str(
        failure.value
    )
    assert not Relationship.objects.exists()


def test_export_carries_the_dates(workspace, tmp_path):
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    RelationshipFactory(
        source=a, target=b, start_date=datetime.date(2024, 4, 1), end_date=datetime.date(2025, 1, 2)
    )
    out = io.StringIO()
    call_command("export_csv", "relationships", "--workspace", workspace.slug, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[0]["Start date"] == "2024-04-01" and rows[0]["End date"] == "2025-01-02"


def test_the_database_refuses_an_end_before_the_start(workspace):
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(
            source=a, target=b, start_date=datetime.date(2026, 1, 2),
            end_date=datetime.date(2026, 1, 1),
        )  # fmt: skip


def test_admin_shows_and_edits_the_dates(client, workspace, editor):
    editor.is_staff = True
    editor.save()
    tie = RelationshipFactory(
        source=PersonFactory(workspace=workspace), target=PersonFactory(workspace=workspace),
        end_date=datetime.date(2025, 3, 31),
    )  # fmt: skip
    client.force_login(editor)
    listing = client.get("/admin/stakeholders/relationship/")
    assert listing.status_code == 200
    assert "… to 2025-03-31" in listing.content.decode()
    page = client.get(f"/admin/stakeholders/relationship/{tie.pk}/change/")
    assert 'name="start_date"' in page.content.decode()
    assert 'name="end_date"' in page.content.decode()
