"""Export a workspace's map as GEXF 1.3 or GraphML for Gephi, yEd or networkx."""

from pathlib import Path
from typing import IO

from django.core.management.base import CommandError, CommandParser

from stakeholders.exports.tables import gexf_lines, graphml_lines
from stakeholders.management.commands.export_csv import write_atomically
from stakeholders.management.output import OutputCommand
from stakeholders.models import Boundary, Workspace
from stakeholders.selectors import current_run

FORMATS = {"gexf": gexf_lines, "graphml": graphml_lines}


class Command(OutputCommand):
    help = (
        "Export people as nodes (with their organisation, sector, tier and, when scored, every "
        "score for the boundary) and the relationships in force today as directed edges, as "
        "GEXF 1.3 or GraphML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--boundary",
            choices=Boundary.values,
            default=Boundary.ORGANISATION,
            help="whose scores to attach to the nodes (default: organisation)",
        )
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *, workspace: str, format: str, boundary: str, output, **_) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        run = current_run(workspace_id=ws.pk)
        if run is None:
            self.stderr.write(
                f"Workspace '{workspace}' has no scores yet: nodes carry no scores "
                f"(run `python manage.py score --workspace {workspace}` to add them)."
            )
        lines = FORMATS[format](workspace=ws, run=run, boundary=boundary)

        def write(out: IO[str]) -> None:
            out.writelines(lines)

        if output:
            write_atomically(Path(output), write)
        else:
            write(self.stdout._out)
