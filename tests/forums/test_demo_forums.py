"""The demo's forums, and the divergence built in on purpose: a top broker with no seat."""

import io

import pytest
from django.core.management import call_command

from stakeholders import demo, score_runs
from stakeholders.analysis.forums import HIGH_BROKER_SCORE
from stakeholders.forums import reads
from stakeholders.models import Forum, ForumKind, ForumMembership, Person, Seat, Workspace
from stakeholders.selectors import current_run


def test_forum_codes_match_the_models():
    assert set(demo.FORUM_KINDS) == set(ForumKind.values)
    assert set(demo.SEATS) == set(Seat.values)


def test_validate_names_a_bad_seat():
    dataset = demo.demo_dataset()
    bad = demo.ForumMemberRow(dataset.forums[0].name, "NF-0001", "observer", None, None)
    broken = demo.Dataset(
        dataset.name,
        dataset.organisations,
        dataset.people,
        dataset.affiliations,
        dataset.relationships,
        dataset.forums,
        (*dataset.forum_members, bad),
    )
    with pytest.raises(ValueError, match="unknown seat 'observer'"):
        demo.validate(broken)


@pytest.mark.django_db
def test_the_demo_has_realistic_forums_and_an_informal_broker_with_no_seat():
    call_command("seed_demo", stdout=io.StringIO())
    ws = Workspace.objects.get(slug=demo.DEMO_SLUG)
    kinds = sorted(Forum.objects.filter(workspace=ws).values_list("kind", flat=True))
    assert kinds == sorted(
        [
            "icb_board",
            "integrated_care_partnership",
            "health_and_wellbeing_board",
            "place_partnership_board",
            "neighbourhood_team",
            "neighbourhood_team",
        ]
    )
    assert ForumMembership.objects.filter(forum__workspace=ws).count() >= 30

    score_runs.score_run_execute(workspace_id=ws.pk)
    page = reads.seats_and_influence(workspace=ws, run=current_run(workspace_id=ws.pk))
    influencer = Person.objects.get(
        workspace=ws,
        job_title=demo.HIDDEN_INFLUENCER_TITLE,
        affiliations__organisation__name=demo.PRACTICE,
    )
    unseated = {row.person.pk: row for row in page.brokers_without_seat}
    assert influencer.pk in unseated
    assert unseated[influencer.pk].broker_score >= HIGH_BROKER_SCORE
    assert not influencer.forum_memberships.exists()
    # Every forum has members today, and the joint director is a joint appointment.
    assert all(f.members for f in page.forums)
    assert any(j.person.name for j in page.joint_appointments)
