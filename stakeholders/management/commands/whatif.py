"""`manage.py whatif`: what if some people leave, as the what-if page's tables in CSV."""

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from stakeholders.exports.tables import write_csv
from stakeholders.management.commands.export_csv import write_stdout
from stakeholders.management.output import OutputCommand
from stakeholders.models import Boundary, Person, Workspace
from stakeholders.scenarios.choices import BadChoice
from stakeholders.scenarios.leaves import whatif_answer, whatif_question, whatif_rows
from stakeholders.scenarios.room import organisations_by_name
from stakeholders.scenarios.whatif_compute import whatif_result
from stakeholders.selectors import current_run


class Command(OutputCommand):
    help = (
        "What if some people leave: every table of the what-if page (before and after, links "
        "that would break, who could step in, partnership health, broker score risers) as one "
        "CSV with a Table column on stdout. Computed now, on the data as it stands."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument(
            "--leaves",
            default="",
            metavar="REF[,REF...]",
            help="the refs of the people who leave, separated by commas",
        )
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            metavar="ORG",
            help="everyone whose role at this organisation is current leaves (a merger or a "
            "closure), by short name or full name (repeat); with or without --leaves",
        )
        parser.add_argument(
            "--boundary",
            choices=Boundary.values,
            default=Boundary.ORGANISATION,
            help="what counts as a group for the links and scores (default: organisation)",
        )

    def handle(
        self, *, workspace: str, leaves: str, organisation: list[str], boundary: str, **_
    ) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        refs = list(dict.fromkeys(ref.strip() for ref in leaves.split(",") if ref.strip()))
        if not refs and not organisation:
            raise CommandError(
                "--leaves: give the ref of at least one person (or an --organisation)."
            )
        found = dict(Person.objects.filter(workspace=ws, ref__in=refs).values_list("ref", "pk"))
        unknown = [ref for ref in refs if ref not in found]
        if unknown:
            raise CommandError(
                f"No one in workspace '{workspace}' has the ref {', '.join(unknown)}."
            )
        people = set(found.values())
        if organisation:
            # As the page asks it: everyone whose affiliation there is current today.
            try:
                ids = organisations_by_name(workspace=ws, names=organisation)
            except BadChoice as refused:
                raise CommandError(f"--organisation: {refused}") from None
            question = whatif_question(
                workspace=ws, people=(), organisations=tuple(ids), today=timezone.localdate()
            )
            people.update(question.ids)
        if not people:
            # As the page's download refuses it: an answer in which nobody leaves.
            raise CommandError(
                "--organisation: nobody is at the organisation chosen now, so nobody leaves "
                "with it."
            )
        result = whatif_result(
            workspace_id=ws.pk, run=current_run(workspace_id=ws.pk), people=people
        )
        answer = whatif_answer(workspace=ws, result=result, boundary=boundary)
        write_stdout(lambda out: write_csv(whatif_rows(answer), out), self.stdout._out)
