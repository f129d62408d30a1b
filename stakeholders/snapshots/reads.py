"""Reads for the snapshot pages: plain rows from a fixed number of queries."""

import datetime
from dataclasses import dataclass

from stakeholders.models import (
    PairScore,
    Person,
    PersonScore,
    RunStatus,
    ScoreRun,
    Snapshot,
    Workspace,
)
from stakeholders.snapshots.changes import PairFigures, PersonFigures, Side


@dataclass(frozen=True)
class SnapshotRow:
    id: int
    name: str
    as_of: datetime.date
    status: str
    status_label: str
    taken_by: str
    created_at: datetime.datetime
    people: int | None
    relationships: int | None
    fingerprint: str
    error: bool

    @property
    def working(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def ready(self) -> bool:
        return self.status == RunStatus.SUCCEEDED


def snapshot_rows(*, workspace: Workspace) -> list[SnapshotRow]:
    """Every snapshot of the workspace, newest date first (one query)."""
    labels = dict(RunStatus.choices)
    rows = Snapshot.objects.filter(workspace=workspace).values_list(
        "pk", "name", "as_of", "status", "taken_by__username", "created_at",
        "run__people_count", "run__relationships_count", "fingerprint", "error",
    )  # fmt: skip
    return [
        SnapshotRow(
            id=pk,
            name=name,
            as_of=as_of,
            status=status,
            status_label=labels[status],
            taken_by=user or "",
            created_at=created,
            people=people,
            relationships=ties,
            fingerprint=fingerprint,
            error=bool(error),
        )  # fmt: skip
        for pk, name, as_of, status, user, created, people, ties, fingerprint, error in rows
    ]


def ready_snapshot(*, workspace: Workspace, snapshot_id: int) -> Snapshot | None:
    """The workspace's snapshot with this id whose scores are ready, with its run."""
    return (
        Snapshot.objects.filter(
            workspace=workspace, pk=snapshot_id, status=RunStatus.SUCCEEDED, run__isnull=False
        )
        .select_related("run")
        .first()
    )


def run_side(*, run: ScoreRun, boundary: str) -> Side:
    """One run's figures under `boundary`, for a comparison (two queries)."""
    people = {
        person: PersonFigures(broker_score=score, groups_reached=reached)
        for person, score, reached in PersonScore.objects.filter(
            run=run, boundary=boundary
        ).values_list("person_id", "broker_score", "groups_reached")
    }
    pairs = {
        (a, b): PairFigures(
            relationships=ties, mean_trust=trust, carriers=carriers, single_point_of_failure=spof
        )
        for a, b, ties, trust, carriers, spof in PairScore.objects.filter(
            run=run, boundary=boundary
        ).values_list(
            "group_a",
            "group_b",
            "relationships",
            "mean_trust",
            "carriers",
            "single_point_of_failure",
        )  # fmt: skip
    }
    return Side(people=people, pairs=pairs, summary=(run.summary or {}).get(boundary, {}))


def people_names(*, workspace: Workspace) -> dict[int, tuple[str, str]]:
    """Every person's (ref, name) by id (one query)."""
    return {
        pk: (ref, name)
        for pk, ref, name in Person.objects.filter(workspace=workspace).values_list(
            "pk", "ref", "name"
        )
    }


def broker_history(
    *, workspace: Workspace, person_id: int, boundary: str
) -> list[tuple[str, datetime.date, float]]:
    """One person's broker score in each ready snapshot, oldest date first (one query)."""
    rows = (
        PersonScore.objects.filter(
            person_id=person_id,
            boundary=boundary,
            run__snapshot__workspace=workspace,
            run__snapshot__status=RunStatus.SUCCEEDED,
        )
        .order_by("run__snapshot__as_of", "run__snapshot__pk")
        .values_list("run__snapshot__name", "run__snapshot__as_of", "broker_score")
    )
    return list(rows)
