import io
import sys

from django.core.management.base import BaseCommand, CommandError

from stakeholders.exports import scores_rows, write_csv
from stakeholders.models import Boundary, Workspace
from stakeholders.scoring import current_run

EXPORTERS = {"scores": scores_rows}


class Command(BaseCommand):
    help = "Export a workspace's data or scores as CSV (UTF-8 with BOM, formula-safe)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTERS))
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--boundary", choices=Boundary.values, default=Boundary.ORGANISATION)
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *, kind: str, workspace: str, boundary: str, output, **_):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        run = current_run(workspace_id=ws.pk)
        if run is None:
            raise CommandError(
                f"Workspace '{workspace}' has no scores yet: run "
                f"`python manage.py score --workspace {workspace}` first."
            )
        rows = EXPORTERS[kind](run=run, boundary=boundary)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                write_csv(rows, out)
        else:
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            write_csv(rows, out)
            out.flush()
            out.detach()
