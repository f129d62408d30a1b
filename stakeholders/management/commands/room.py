"""`manage.py room`: who to put in the room to reach chosen organisations, as CSV on stdout."""

from typing import IO

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from stakeholders.exports.tables import write_csv
from stakeholders.management.commands.export_csv import write_stdout
from stakeholders.management.output import OutputCommand
from stakeholders.models import Sector, Tier, Workspace
from stakeholders.scenarios.choices import BadChoice
from stakeholders.scenarios.room import (
    DEFAULT_MIN_STRENGTH,
    RoomQuestion,
    organisations_by_name,
    people_by_ref,
    room_page,
    room_rows,
)
from stakeholders.selectors import current_run


class Command(OutputCommand):
    help = (
        "Print the smallest set of people who together reach every organisation named (and, "
        "with --size, the best set of that many), as CSV: one row per person in each, the "
        "Room column saying which. Found exactly, as an integer programme."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            metavar="ORG",
            help="an organisation the room must reach, by short name or full name (repeat)",
        )
        parser.add_argument(
            "--sector", action="append", default=[], choices=Sector.values, help="a whole sector"
        )
        parser.add_argument(
            "--tier", action="append", default=[], choices=Tier.values, help="a whole tier"
        )
        parser.add_argument("--size", type=int, metavar="K", help="also the best room of K people")
        parser.add_argument(
            "--min-strength",
            type=int,
            default=DEFAULT_MIN_STRENGTH,
            metavar="N",
            help="weakest tie (1-5) through which someone reaches an organisation (default 3)",
        )
        parser.add_argument(
            "--include", action="append", default=[], metavar="REF", help="must be in the room"
        )
        parser.add_argument(
            "--exclude", action="append", default=[], metavar="REF", help="must not be in it"
        )

    def handle(self, *, workspace: str, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        if not (options["organisation"] or options["sector"] or options["tier"]):
            raise CommandError("Name at least one --organisation (or --sector or --tier).")
        today = timezone.localdate()
        try:
            question = RoomQuestion(
                organisations=tuple(
                    organisations_by_name(workspace=ws, names=options["organisation"])
                ),
                sectors=tuple(options["sector"]),
                tiers=tuple(options["tier"]),
                size=options["size"],
                min_strength=options["min_strength"],
                include=people_by_ref(
                    workspace=ws, refs=options["include"], today=today, option="--include"
                ),
                exclude=people_by_ref(
                    workspace=ws, refs=options["exclude"], today=today, option="--exclude"
                ),
            )
            page = room_page(
                workspace=ws, run=current_run(workspace_id=ws.pk), question=question, today=today
            )
        except BadChoice as refused:
            raise CommandError(str(refused)) from None
        answer = page.answer
        for unreachable in answer.unreachable:
            self.stderr.write(
                f"Cannot be reached: {unreachable.target.label}. {unreachable.reason}"
            )
        if not answer.smallest.optimal:
            self.stderr.write("The solver ran out of time: the room may not be the smallest.")
        if answer.best is not None and not answer.best.optimal:
            self.stderr.write(
                "The solver ran out of time: the room of that size may not be the best."
            )

        def write(out: IO[str]) -> None:
            write_csv(room_rows(answer), out)

        write_stdout(write, self.stdout._out)
