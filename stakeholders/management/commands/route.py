"""`manage.py route`: the most trusted routes between two people, as CSV on stdout."""

from typing import IO

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from stakeholders.exports.tables import write_csv
from stakeholders.management.commands.export_csv import write_stdout
from stakeholders.management.output import OutputCommand
from stakeholders.models import Workspace
from stakeholders.scenarios.choices import BadChoice
from stakeholders.scenarios.routes import part_words, route_rows, routes_by_ref


class Command(OutputCommand):
    help = (
        "Print the most trusted route from one person to another, and up to three "
        "alternatives sharing no go-between, as CSV (one row per hop; route 1 is the most "
        "trusted). People are named by their ref."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--from", required=True, dest="source", metavar="REF")
        parser.add_argument("--to", required=True, dest="target", metavar="REF")

    def handle(self, *, workspace: str, source: str, target: str, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        try:
            answer = routes_by_ref(
                workspace=ws, source_ref=source, target_ref=target, today=timezone.localdate()
            )
        except BadChoice as refused:
            raise CommandError(str(refused)) from None
        if not answer.routes:
            self.stderr.write(
                f"No route from {source} to {target}: no chain of recorded relationships "
                "joins them. " + " ".join(part_words(person, part) for person, part in answer.parts)
            )

        def write(out: IO[str]) -> None:
            write_csv(route_rows(answer), out)

        write_stdout(write, self.stdout._out)
