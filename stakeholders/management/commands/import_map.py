"""Import a map into a workspace: a directory of CSV files, a zip of them, a workbook or a
Kumu map, read as the import page reads an upload."""

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from stakeholders.imports.bundle import BUNDLE_FILES, BundlePlan, bundle_import
from stakeholders.imports.uploads import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ZIP_SUFFIX,
    UploadPlan,
    file_read,
    upload_import,
)
from stakeholders.imports.workbooks import WORKBOOK_SUFFIX
from stakeholders.management.output import OutputCommand

_KINDS = f"a directory, a {ZIP_SUFFIX} file or an {WORKBOOK_SUFFIX} workbook"


class Command(OutputCommand):
    help = (
        f"Import any of {', '.join(BUNDLE_FILES[:-1])} and {BUNDLE_FILES[-1]} from PATH "
        "into a workspace (created if new). PATH is a directory of those CSV files, a zip "
        "of them, or one Excel workbook (.xlsx) with a sheet for each; a directory or zip "
        "holding a Kumu map's Elements.csv and Connections.csv is converted as the import "
        "page converts it. Every file is checked first; on any problem nothing is written. "
        f"The import page's limits ({MAX_UPLOAD_BYTES // (1024 * 1024)} MB, {MAX_ROWS:,} "
        "rows a file) do not apply here. The format is in README.md (Importing a map from "
        "CSV files)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            metavar="PATH",
            help=f"{_KINDS} holding the files (no size or row limits)",
        )
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

    def handle(self, *args, path: str, workspace: str, name: str, dry_run: bool, **options):
        files = self._read(Path(path))
        try:
            planned = self._import(files, workspace=workspace, name=name, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError(f"--workspace/--name: {' '.join(exc.messages)}") from None
        if planned.errors or planned.plan is None:
            count = len(planned.errors)
            lines = [
                f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
                *(str(error) for error in planned.errors),
            ]
            raise CommandError("\n".join(lines))
        plan = planned.plan
        if name and plan.workspace_exists and name != plan.workspace_name:
            self.stdout.write("--name ignored: the workspace exists and keeps its name.")
        self._report(plan, planned, dry_run=dry_run, verbosity=options["verbosity"])

    def _import(
        self, files: dict[str, bytes], *, workspace: str, name: str, dry_run: bool
    ) -> UploadPlan:
        if any(file.casefold() not in BUNDLE_FILES for file in files):
            # A workbook, a Kumu map or an unknown file is planned as an upload is, so that
            # problems name the sheet or the Kumu file, and an unknown file is named as the
            # import page names it.
            return upload_import(
                workspace_slug=workspace,
                files=files,
                dry_run=dry_run,
                workspace_name=name,
                limited=False,
            )
        plan = bundle_import(
            workspace_slug=workspace, files=files, dry_run=dry_run, workspace_name=name
        )
        return UploadPlan(errors=plan.errors, plan=plan)

    def _read(self, path: Path) -> dict[str, bytes]:
        if path.is_dir():
            return self._read_directory(path)
        suffix = path.suffix.casefold()
        if not path.exists():
            raise CommandError(f"{path} is not {_KINDS}: nothing is there.")
        if not path.is_file() or suffix not in (ZIP_SUFFIX, WORKBOOK_SUFFIX):
            raise CommandError(
                f"{path} is not {_KINDS}. For CSV files, give the directory holding them."
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} cannot be read: {exc.strerror}.") from None
        if suffix == WORKBOOK_SUFFIX:
            # Read when planned (upload_plan), as an uploaded workbook is.
            return {str(path): data}
        read = file_read(name=str(path), data=io.BytesIO(data), limited=False)
        if read.errors:
            raise CommandError("\n".join(str(error) for error in read.errors))
        return read.files

    def _read_directory(self, directory: Path) -> dict[str, bytes]:
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

    def _report(
        self, plan: BundlePlan, planned: UploadPlan, *, dry_run: bool, verbosity: int
    ) -> None:
        state = "exists" if plan.workspace_exists else "created"
        if dry_run and not plan.workspace_exists:
            state = "would be created"
        self.stdout.write(f"Workspace {plan.workspace_slug} ({plan.workspace_name}): {state}")
        if planned.kumu:
            self.stdout.write("Read as a Kumu map, as the import page describes.")
        for note in planned.notes:
            self.stdout.write(note)
        verb = "would be " if dry_run else ""
        for file, summary in plan.summaries.items():
            source = f" (sheet {planned.sheets[file]})" if file in planned.sheets else ""
            self.stdout.write(
                f"{file}{source}: {len(summary.created)} {verb}created, "
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
