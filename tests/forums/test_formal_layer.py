"""The formal layer in score runs: an option, off by default, never touching informal runs."""

import pytest

from stakeholders import score_runs
from stakeholders.analysis.inputs import DEFAULT_OPTIONS, Options, options_key
from stakeholders.forums.reads import forum_ties
from stakeholders.models import Boundary, PersonScore, ScoreRun

pytestmark = pytest.mark.django_db


def degrees(run):
    return dict(
        PersonScore.objects.filter(run=run, boundary=Boundary.ORGANISATION).values_list(
            "person__name", "degree_out"
        )
    )


def test_seats_today_become_mutual_ties_weighted_by_forums_shared(workspace, forum_map):
    people = forum_map["people"]
    ties = forum_ties(workspace_id=workspace.pk)
    # Hana and Cyril share two forums; Bea's seat has ended.
    assert [(t.source, t.target, t.strength) for t in ties] == [
        tuple(sorted((people["Hana"].pk, people["Cyril"].pk))) + (2,)
    ]


def test_the_informal_run_ignores_forums_and_keeps_its_key(workspace, forum_map):
    informal = ScoreRun.objects.get(workspace=workspace, options_key=options_key(DEFAULT_OPTIONS))
    assert degrees(informal)["Hana"] == 0
    formal = score_runs.score_run_execute(workspace_id=workspace.pk, options=Options(formal=True))
    assert formal.options == {**informal.options, "formal": True}
    assert degrees(formal)["Hana"] == 1
    # Scoring informal and formal leaves the informal run as it was.
    again = score_runs.score_run_execute(workspace_id=workspace.pk)
    assert again.pk == informal.pk
    assert degrees(again)["Hana"] == 0


def test_the_informal_run_reads_no_seats(workspace, forum_map, monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("an informal run read forum seats")

    monkeypatch.setattr(score_runs, "forum_ties", refuse)
    score_runs.score_run_execute(workspace_id=workspace.pk, force=True)


def test_the_score_command_scores_informal_and_formal_on_request(workspace, forum_map):
    import io

    from django.core.management import call_command

    call_command("score", "--workspace", workspace.slug, "--formal", stdout=io.StringIO())
    formal = ScoreRun.objects.get(
        workspace=workspace, options_key=options_key(Options(formal=True))
    )
    assert degrees(formal)["Hana"] == 1
