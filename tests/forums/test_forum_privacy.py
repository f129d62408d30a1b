"""Erasure and subject access cover forum seats."""

import csv
import io
import zipfile

import pytest

from stakeholders.models import ForumMembership
from stakeholders.privacy.erasure import person_erase
from stakeholders.privacy.subject_access import subject_access_zip

pytestmark = pytest.mark.django_db


def test_erasure_removes_the_persons_seats_and_their_history(workspace, owner, forum_map):
    hana = forum_map["people"]["Hana"]
    seat_ids = list(hana.forum_memberships.values_list("pk", flat=True))
    assert seat_ids and ForumMembership.history.filter(person_id=hana.pk).exists()
    erasure = person_erase(workspace=workspace, person=hana, erased_by=owner)
    assert not ForumMembership.objects.filter(pk__in=seat_ids).exists()
    assert not ForumMembership.history.filter(person_id=hana.pk).exists()
    assert erasure.pk
    # Other people's seats stay.
    assert ForumMembership.objects.filter(person=forum_map["people"]["Cyril"]).count() == 2


def test_subject_access_lists_the_persons_seats_and_their_history(workspace, owner, forum_map):
    hana = forum_map["people"]["Hana"]
    pack = zipfile.ZipFile(
        io.BytesIO(subject_access_zip(workspace=workspace, person=hana, generated_by=owner))
    )
    seats = list(csv.reader(io.StringIO(pack.read("forum_seats.csv").decode("utf-8-sig"))))
    assert seats[0] == ["Forum", "Seat", "Start date", "End date"]
    assert sorted(r[:2] for r in seats[1:]) == [
        ["Fenwick Board", "Chair"],
        ["Marsh Team", "Voting member"],
    ]
    history = pack.read("history.csv").decode("utf-8-sig")
    assert "Forum seat" in history and "Fenwick Board" in history
    assert "forum_seats.csv" in pack.read("README.txt").decode()
