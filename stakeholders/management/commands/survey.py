"""`manage.py survey`: a survey's responses (or its response rates) as CSV on stdout."""

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from stakeholders.exports.tables import write_csv
from stakeholders.management.commands.export_csv import write_stdout
from stakeholders.management.output import OutputCommand
from stakeholders.models import Survey, Workspace
from stakeholders.surveys.tracking import rate_rows, response_rows, survey_tracking


class Command(OutputCommand):
    help = (
        "Print a survey's responses as CSV: one row per invited person, as the tracking page "
        "downloads them (or, with --rates, the response rate per organisation). Without "
        "--survey, lists the workspace's surveys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--survey", type=int, metavar="ID", help="the survey's number")
        parser.add_argument(
            "--rates", action="store_true", help="response rate per organisation instead"
        )

    def handle(self, *, workspace: str, survey: int | None, rates: bool, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        if survey is None:
            rows = [("Survey", "Title", "Closes")] + [
                (s.pk, s.title, timezone.localtime(s.closes_at).isoformat(timespec="minutes"))
                for s in Survey.objects.filter(workspace=ws).order_by("pk")
            ]
            write_stdout(lambda out: write_csv(rows, out), self.stdout)
            return
        chosen = Survey.objects.filter(workspace=ws, pk=survey).first()
        if chosen is None:
            raise CommandError(f"No survey {survey} in workspace '{workspace}'.")
        tracking = survey_tracking(chosen)
        rows = rate_rows(tracking) if rates else response_rows(tracking)
        write_stdout(lambda out: write_csv(rows, out), self.stdout)
