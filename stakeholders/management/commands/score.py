import datetime

from django.core.checks import Tags
from django.core.checks.registry import registry
from django.core.management.base import CommandError

from stakeholders.analysis import KINDS, Options
from stakeholders.management.output import OutputCommand
from stakeholders.models import RunStatus, Workspace
from stakeholders.score_runs import score_run_execute


class Command(OutputCommand):
    help = "Compute and store a workspace's scores now (normally a background task does this)."
    # Every system check but the URL conf's, which imports every page's view (about a
    # tenth of a second) for a command that serves no page (#16).
    requires_system_checks = sorted(registry.tags_available() - {Tags.urls})

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument(
            "--kinds", help=f"comma-separated relationship kinds ({', '.join(sorted(KINDS))})"
        )
        parser.add_argument("--min-strength", type=int, default=1, choices=range(1, 6))
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--formal",
            action="store_true",
            help="informal and formal: also tie people who share a forum (a separate run)",
        )
        parser.add_argument(
            "--force", action="store_true", help="recompute even if the data has not changed"
        )

    def handle(self, *, workspace: str, kinds, min_strength, as_of, force, formal=False, **_):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        kind_set = None
        if kinds:
            kind_set = frozenset(k.strip() for k in kinds.split(",") if k.strip())
            unknown = sorted(kind_set - KINDS)
            if unknown:
                raise CommandError(
                    f"--kinds: unknown kind {', '.join(unknown)}; use {', '.join(sorted(KINDS))}."
                )
        options = Options(kinds=kind_set, min_strength=min_strength, as_of=as_of, formal=formal)
        run = score_run_execute(workspace_id=ws.pk, options=options, force=force)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Score run {run.pk} failed: {run.error}")
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in run.timings.items())
        self.stdout.write(
            f"Scores for {ws.slug}: run {run.pk}, {run.people_count} people, "
            f"{run.relationships_count} relationships ({timings or 'unchanged'})."
        )
