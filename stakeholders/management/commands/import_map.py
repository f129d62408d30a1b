"""Import a CSV bundle (a directory of up to six CSV files) into a workspace."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from stakeholders.imports.bundle import BUNDLE_FILES, BundlePlan, bundle_import
from stakeholders.management.output import OutputCommand


class Command(OutputCommand):
    help = (
        f"Import any of {', '.join(BUNDLE_FILES[:-1])} and {BUNDLE_FILES[-1]} from DIR "
        "into a workspace (created if new). Every file is checked first; on any problem "
        "nothing is written. The format is in README.md (Importing a map from CSV files)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="directory holding the CSV files")
        parser.add_argument(
            "--workspace", required=True, metavar="SLUG", help="the workspace to import into"
        )
        parser.add_argument(
            "--name", default="", help="name for a new workspace (default: the slug, titled)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and report what would change, write nothing",
        )

    def handle(self, *args, directory: str, workspace: str, name: str, dry_run: bool, **options):
        files = self._read_directory(Path(directory))
        try:
            plan = bundle_import(
                workspace_slug=workspace, files=files, dry_run=dry_run, workspace_name=name
            )
        except ValidationError as exc:
            raise CommandError(f"--workspace/--name: {' '.join(exc.messages)}") from None
        if plan.errors:
            count = len(plan.errors)
            lines = [
                f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
                *(str(error) for error in plan.errors),
            ]
            raise CommandError("\n".join(lines))
        if name and plan.workspace_exists and name != plan.workspace_name:
            self.stdout.write("--name ignored: the workspace exists and keeps its name.")
        self._report(plan, dry_run=dry_run, verbosity=options["verbosity"])

    def _read_directory(self, directory: Path) -> dict[str, bytes]:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        # Every CSV file is passed on, so that a misspelt name is reported, not skipped.
        files = {
            path.name: path.read_bytes()
            for path in sorted(directory.iterdir())
            # Hidden files (e.g. macOS "._people.csv" in unzipped archives) are not data.
            if path.is_file() and path.suffix.casefold() == ".csv" and not path.name.startswith(".")
        }
        if not files:
            raise CommandError(
                f"{directory} holds no CSV files: expected one or more of "
                f"{', '.join(BUNDLE_FILES)}."
            )
        return files

    def _report(self, plan: BundlePlan, *, dry_run: bool, verbosity: int) -> None:
        state = "exists" if plan.workspace_exists else "created"
        if dry_run and not plan.workspace_exists:
            state = "would be created"
        self.stdout.write(f"Workspace {plan.workspace_slug} ({plan.workspace_name}): {state}")
        verb = "would be " if dry_run else ""
        for file, summary in plan.summaries.items():
            self.stdout.write(
                f"{file}: {len(summary.created)} {verb}created, "
                f"{len(summary.updated)} {verb}updated, {len(summary.unchanged)} unchanged"
            )
            if verbosity >= 2:
                for status in ("created", "updated", "unchanged"):
                    for key in getattr(summary, status):
                        self.stdout.write(f"  {status}: {key}")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Import complete."))
