"""Tracking reads: counts, rates per organisation, names to review, in fixed queries."""

import pytest

from stakeholders.models import ResponseStatus
from stakeholders.surveys.tracking import (
    RESPONSES_HEADER,
    invitees,
    organisation_choices,
    response_rows,
    roster_choices,
    survey_summaries,
    survey_tracking,
)
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.surveys.editor_world import build_world


@pytest.fixture
def world(workspace):
    return build_world(workspace, UserFactory(username="maker"))


def test_tracking_counts_each_status(world):
    tracking = survey_tracking(world.survey)
    assert (tracking.invited, tracking.submitted, tracking.declined) == (6, 2, 1)
    assert (tracking.withdrawn, tracking.started, tracking.not_yet) == (1, 1, 1)
    assert tracking.percent == 33  # 2 of 6, rounded down
    assert tracking.level == "warning"


def test_tracking_rates_per_primary_organisation(world):
    rates = {
        o.name: (o.invited, o.submitted, o.percent, o.level)
        for o in survey_tracking(world.survey).organisations
    }
    assert rates == {
        "Northgate Hospital": (4, 1, 25, "warning"),
        "Southfield Council": (2, 1, 50, "warning"),
    }


def test_rates_caution_under_80_and_warning_under_65(workspace):
    from stakeholders.surveys.tracking import OrganisationRate

    assert OrganisationRate(id=1, name="A", invited=5, submitted=4).level == "ok"
    assert OrganisationRate(id=1, name="A", invited=100, submitted=79).level == "caution"
    assert OrganisationRate(id=1, name="A", invited=100, submitted=65).level == "caution"
    assert OrganisationRate(id=1, name="A", invited=100, submitted=64).level == "warning"


def test_tracking_rows_say_who_did_what(world):
    rows = {r.name: r for r in survey_tracking(world.survey).rows}
    assert rows["Ada Example"].status_label == "Submitted"
    assert rows["Ada Example"].ties == 1  # Eve; the unlisted name waits for review
    assert rows["Ada Example"].organisation == "Northgate Hospital"
    assert rows["Ada Example"].last_activity == rows["Ada Example"].submitted_at
    assert rows["Ben Example"].consent_given == "No"
    assert rows["Cat Example"].consent_given == "Yes"
    assert rows["Dev Example"].consent_given == ""
    assert rows["Dev Example"].last_activity is None
    assert not rows["Dev Example"].has_email
    assert rows["Fay Example"].status == ResponseStatus.WITHDRAWN
    assert rows["Fay Example"].ties == 0


def test_people_to_email_and_without_an_address(world):
    tracking = survey_tracking(world.survey)
    assert tracking.to_invite == 0  # Dev has no address; everyone else has answered somehow
    assert tracking.to_remind == 1  # Cat: started, with an address
    assert [r.name for r in tracking.without_email] == ["Dev Example"]


def test_names_waiting_for_review_say_who_named_them(world):
    [pending] = survey_tracking(world.survey).pending
    assert (pending.name, pending.organisation) == ("Zara Unlisted", "Hill PCN")
    assert pending.named_by == "Ada Example"
    assert pending.submitted


def test_tracking_reads_in_two_queries_whatever_the_size(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        survey_tracking(world.survey)
    for n in range(10):
        person = PersonFactory(workspace=world.survey.workspace, email=f"p{n}@example.nhs.uk")
        AffiliationFactory(person=person, organisation=world.northgate, is_primary=True)
        world.survey.responses.create(person=person, email=person.email, nonce=f"n{n}")
    with django_assert_num_queries(2):
        tracking = survey_tracking(world.survey)
    assert tracking.invited == 16


def test_summaries_count_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        [summary] = survey_summaries(world.survey.workspace_id)
    assert (summary.invited, summary.submitted, summary.percent, summary.is_open) == (
        6,
        2,
        33,
        True,
    )


def test_response_rows_one_per_person_header_first(world):
    rows = list(response_rows(survey_tracking(world.survey)))
    assert rows[0] == RESPONSES_HEADER
    ada = next(r for r in rows if r[1] == "Ada Example")
    assert ada[2:5] == ("Northgate Hospital", "Submitted", "Yes")
    assert len(ada[5]) == 10 and ada[6] == 1
    assert len(rows) == 7


def test_invitees_by_organisation_are_active_people_affiliated_now(world):
    gone = PersonFactory(workspace=world.survey.workspace, active=False)
    AffiliationFactory(person=gone, organisation=world.southfield, is_primary=True)
    names = {
        p.name for p in invitees(world.survey.workspace_id, organisation_ids=[world.southfield.pk])
    }
    assert names == {"Eve Example", "Fay Example"}
    assert len(invitees(world.survey.workspace_id)) == 6


def test_choices_for_the_forms(world):
    choices = {o.name: o.people for o in organisation_choices(world.survey.workspace_id)}
    assert choices == {"Northgate Hospital": 4, "Southfield Council": 2}
    roster = roster_choices(world.survey.workspace_id)
    assert ("Ada Example", "Northgate Hospital") in {(p.name, p.organisation) for p in roster}
