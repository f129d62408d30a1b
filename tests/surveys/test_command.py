"""`manage.py survey`: the responses and rates the tracking page shows, as CSV."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.surveys.editor_world import build_world


def _run(*args) -> list[str]:
    out = io.StringIO()
    call_command("survey", *args, stdout=out)
    # The command's BOM comes through the test's output wrapper as a line of its own.
    return [line for line in out.getvalue().lstrip("\ufeff").splitlines() if line]


@pytest.fixture
def world(workspace, editor):
    return build_world(workspace, editor)


def test_lists_the_surveys(world, workspace):
    lines = _run("--workspace", workspace.slug)
    assert lines[0] == "Survey,Title,Closes"
    assert lines[1].startswith(f"{world.survey.pk},Working together 2027,")


def test_prints_a_row_per_invited_person(world, workspace):
    lines = _run("--workspace", workspace.slug, "--survey", str(world.survey.pk))
    assert lines[0] == "Ref,Name,Organisation,Status,Consent given,Submitted on,Ties reported"
    assert len(lines) == 1 + 6
    ada = next(line for line in lines if ",Ada Example," in line)
    assert ",Northgate Hospital,Submitted,Yes," in ada


def test_prints_the_rate_per_organisation(world, workspace):
    lines = _run("--workspace", workspace.slug, "--survey", str(world.survey.pk), "--rates")
    assert lines[0] == "Organisation,Invited,Submitted,Response rate,Level"
    assert "Northgate Hospital,4,1,0.25,warning" in lines
    assert "Southfield Council,2,1,0.5,warning" in lines


def test_unknown_workspace_or_survey_is_a_clear_error(world, workspace, other_workspace):
    with pytest.raises(CommandError, match="No workspace with slug 'nope'"):
        _run("--workspace", "nope")
    with pytest.raises(CommandError, match=f"No survey {world.survey.pk} in workspace"):
        _run("--workspace", other_workspace.slug, "--survey", str(world.survey.pk))
