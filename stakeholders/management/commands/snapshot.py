import argparse
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from stakeholders.management.output import OutputCommand
from stakeholders.models import RunStatus, Snapshot, Workspace
from stakeholders.snapshots.compute import snapshot_execute
from stakeholders.snapshots.services import snapshot_create


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD") from None


class Command(OutputCommand):
    help = (
        "Take a named snapshot: the map's scores as they were on a date (default today), "
        "frozen and never pruned. Suits a monthly or quarterly cron job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True, help='e.g. "ICB board, March 2027"')
        parser.add_argument(
            "--as-of", type=_date, metavar="YYYY-MM-DD", help="the date to score (default today)"
        )

    def handle(self, *, workspace: str, name: str, as_of, **_):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        try:
            snapshot = snapshot_create(workspace=ws, name=name, as_of=as_of, enqueue=False)
        except ValidationError as exc:
            problems = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise CommandError(f"--name/--as-of: {problems}") from None
        status = snapshot_execute(snapshot_id=snapshot.pk)
        snapshot = Snapshot.objects.select_related("run").get(pk=snapshot.pk)
        if status != RunStatus.SUCCEEDED:
            raise CommandError(f"Snapshot '{snapshot.name}' failed: {snapshot.error}")
        run = snapshot.run
        self.stdout.write(
            f"Snapshot '{snapshot.name}' of {ws.slug} as of {snapshot.as_of.isoformat()}: "
            f"{run.people_count} people, {run.relationships_count} relationships in force, "
            f"data fingerprint {snapshot.fingerprint[:12]}."
        )
