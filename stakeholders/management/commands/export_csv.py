"""Export a workspace's data or scores as CSV (UTF-8 with BOM, formula-safe)."""

import datetime
import io
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from stakeholders.exports.tables import (
    DATA_KINDS,
    FORUM_DATA_KINDS,
    SCORE_KINDS,
    export_filename,
    export_rows,
    notes_rows,
    table_qualifiers,
    write_csv,
)
from stakeholders.forums.reads import FORUMS_KIND, seats_and_influence, seats_rows
from stakeholders.management.output import OutputCommand
from stakeholders.models import Boundary, RunStatus, Workspace
from stakeholders.selectors import ScoresChoice, choice_status
from stakeholders.snapshots.comparison import (
    Moment,
    brokers_change_rows,
    comparison,
    comparison_partnership_rows,
    snapshot_named,
)


def write_atomically(path: Path, write: Callable[[IO[str]], None]) -> None:
    """Write a file completely or not at all: a temporary file renamed into place."""
    directory = path.parent
    if not directory.is_dir():
        raise CommandError(f"{directory} is not a directory.")
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_stdout(write: Callable[[IO[str]], None], stream: IO[str]) -> None:
    """Write to a console as UTF-8 whatever the locale; to a text buffer (tests) as is."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        write(stream)
        return
    stream.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    write(out)
    out.flush()
    out.detach()


class Command(OutputCommand):
    help = (
        "Export a workspace's data or scores as CSV (UTF-8 with BOM, ISO dates, formula-safe). "
        "people, organisations, affiliations and relationships can be imported again with "
        "import_map; brokers, scores, partnerships and key-people need scores (run `score` first). "
        "forum-list and forum-members import again as forums.csv and forum_members.csv; forums "
        "is the Seats and influence table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=[*SCORE_KINDS, *DATA_KINDS, *FORUM_DATA_KINDS, FORUMS_KIND]
        )
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument(
            "--boundary",
            choices=Boundary.values,
            default=Boundary.ORGANISATION,
            help="what counts as a group for the scores (default: organisation)",
        )
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--output", metavar="FILE", help="write here instead of stdout")
        where.add_argument(
            "--output-dir",
            metavar="DIR",
            help="write <slug>-<kind>-<YYYY-MM-DD>.csv and its -notes.csv into DIR",
        )
        parser.add_argument(
            "--notes", metavar="FILE", help="also write a notes CSV: provenance and column meanings"
        )
        parser.add_argument(
            "--extra-columns",
            action="store_true",
            help="add read-only columns (organisations: People; affiliations: Primary; "
            "relationships: Source name, Target name); import_map does not accept them",
        )
        parser.add_argument(
            "--compare-to",
            metavar="SNAPSHOT",
            help="brokers: add change columns (score and rank then, and the change) against "
            "this snapshot, named or numbered; partnerships: the comparison page's whole map "
            "and partnerships that moved since it (as its compare-partnerships.csv)",
        )
        parser.add_argument(
            "--snapshot",
            metavar="SNAPSHOT",
            help="scored tables and forums: the scores frozen in this snapshot, named or "
            "numbered (as the pages' ?snapshot=)",
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="scored tables and forums: the scores of the network in force on that date "
            "(as the pages' ?as_of=; worked out here if not stored yet)",
        )
        parser.add_argument(
            "--formal",
            action="store_true",
            help="scored tables: informal and formal scores, people sharing a forum seat tied "
            "(as the pages' ?layer=formal; worked out here if not stored yet)",
        )
        parser.add_argument(
            "--with-notes",
            action="store_true",
            help="people only: add the free-text Notes column (editors' notes about each "
            "person), which import_map reads back; left out unless asked for",
        )

    def handle(self, *, kind: str, workspace: str, boundary: str, **options) -> None:
        extras = options["extra_columns"]
        with_notes = options["with_notes"]
        if extras and kind not in DATA_KINDS:
            raise CommandError(f"--extra-columns applies to {', '.join(DATA_KINDS)} only.")
        if with_notes and kind != "people":
            raise CommandError("--with-notes applies to people only.")
        if kind == FORUMS_KIND and (options["notes"] or options["output_dir"]):
            raise CommandError("forums has no notes file: use --output FILE, or stdout.")
        compare_to = options.get("compare_to")
        if compare_to is not None and kind not in ("brokers", "partnerships"):
            raise CommandError("--compare-to applies to brokers and partnerships only.")
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug '{workspace}'.")
        choice = _scores_choice(ws, kind, options)
        then = None
        if compare_to is not None:
            snapshot = snapshot_named(workspace=ws, name_or_id=compare_to)
            if snapshot is None:
                raise CommandError(f"--compare-to: no snapshot '{compare_to}' in '{workspace}'.")
            if snapshot.run is None:
                raise CommandError(
                    f"--compare-to: snapshot '{snapshot.name}' has no scores "
                    f"({snapshot.get_status_display().lower()})."
                )
            then = snapshot.run
        run = choice_status(workspace=ws, choice=choice).run
        dated_kinds = (*SCORE_KINDS, FORUMS_KIND)  # the tables --as-of and --snapshot choose
        if kind in dated_kinds and choice.snapshot is not None and run is None:
            raise CommandError(
                f"--snapshot: snapshot '{choice.snapshot.name}' has no scores "
                f"({choice.snapshot.get_status_display().lower()})."
            )
        dated_or_formal = not choice.is_today and choice.snapshot is None
        if (
            kind in dated_kinds
            and dated_or_formal
            and (run is None or (kind == "key-people" and not run.key_people))
        ):
            # Worked out here, as a worker does for a page that asks for them (the engine
            # is imported only then: every other export starts without it).
            from stakeholders.score_runs import score_run_execute

            self.stderr.write("Working out the scores asked for ...")
            run = score_run_execute(
                workspace_id=ws.pk, options=choice.options, as_of=choice.as_of, force=True
            )
            if run is None or run.status != RunStatus.SUCCEEDED:
                error = run.error if run is not None else ""
                raise CommandError(f"The scores asked for could not be worked out. {error}")
        if kind in SCORE_KINDS and run is None:
            raise CommandError(
                f"Workspace '{workspace}' has no scores yet: run "
                f"`python manage.py score --workspace {workspace}` first."
            )
        if kind == "key-people" and not run.key_people:
            if choice.snapshot is not None:
                raise CommandError(
                    f"--snapshot: snapshot '{choice.snapshot.name}' was taken before key "
                    "people were worked out."
                )
            raise CommandError(
                f"The scores of workspace '{workspace}' are from before key people were worked "
                f"out: run `python manage.py score --workspace {workspace}` first."
            )
        now = timezone.now()

        def data(out: IO[str]) -> None:
            if kind == FORUMS_KIND:
                # Seats and influence (issue #18): the page's tables, with a Table column.
                page = seats_and_influence(workspace=ws, run=run, on=choice.day)
                write_csv(seats_rows(page), out)
                return
            if then is not None and kind == "partnerships":
                # The comparison page's whole map and partnership tables, as its download.
                page = comparison(
                    workspace=ws,
                    then=Moment(label=snapshot.name, as_of=snapshot.as_of, run=then),
                    now=Moment(
                        label="Now", as_of=timezone.localdate(run.created_at), run=run, current=True
                    ),
                    boundary=boundary,
                )
                write_csv(comparison_partnership_rows(page), out)
                return
            if then is not None:
                write_csv(brokers_change_rows(run=run, then=then, boundary=boundary), out)
                return
            rows = export_rows(
                kind,
                workspace=ws,
                run=run,
                boundary=boundary,
                extras=extras,
                with_notes=with_notes,
                today=timezone.localdate(now),
            )
            write_csv(rows, out)

        def notes(out: IO[str]) -> None:
            rows: Iterable[tuple] = notes_rows(
                kind,
                workspace=ws,
                run=run,
                boundary=boundary,
                extras=extras,
                now=now,
                with_notes=with_notes,
            )
            write_csv(rows, out)

        if options["output_dir"]:
            directory = Path(options["output_dir"])
            day = timezone.localdate(now)
            # Scored tables are named for their boundary, as downloads from the pages are.
            named = {"workspace": ws, "kind": kind, "day": day}
            if kind in SCORE_KINDS:
                named["qualifiers"] = table_qualifiers(boundary=boundary) + choice.file_qualifiers()
            data_path = directory / export_filename(**named)
            notes_path = directory / export_filename(**named, notes=True)
            if options["notes"]:
                raise CommandError("--notes cannot be used with --output-dir (it writes notes).")
            write_atomically(data_path, data)
            write_atomically(notes_path, notes)
            self.stderr.write(f"Wrote {data_path} and {notes_path}.")
            return
        if options["output"]:
            write_atomically(Path(options["output"]), data)
        else:
            write_stdout(data, self.stdout._out)
        if options["notes"]:
            write_atomically(Path(options["notes"]), notes)


def _scores_choice(workspace: Workspace, kind: str, options: dict) -> ScoresChoice:
    """Which scores --snapshot, --as-of and --formal ask for (today's when none), checked."""
    given = [f"--{o.replace('_', '-')}" for o in ("snapshot", "as_of", "formal") if options[o]]
    if not given:
        return ScoresChoice()
    if options["formal"] and kind not in SCORE_KINDS:
        raise CommandError(f"--formal applies to the scored tables only: {', '.join(SCORE_KINDS)}.")
    if kind not in (*SCORE_KINDS, FORUMS_KIND):
        raise CommandError(
            f"{given[0]} applies to the scored tables and forums only: "
            f"{', '.join((*SCORE_KINDS, FORUMS_KIND))}."
        )
    if options["compare_to"] is not None:
        raise CommandError(
            f"--compare-to compares today's scores: it cannot be used with {given[0]}."
        )
    if options["snapshot"] is None:
        as_of = options["as_of"]
        if as_of is not None and as_of > timezone.localdate():
            raise CommandError(
                f"--as-of: {as_of.isoformat()} is still to come; choose today or earlier."
            )
        return ScoresChoice(as_of=options["as_of"], formal=options["formal"])
    if len(given) > 1:
        raise CommandError(
            "--snapshot holds its own scores: it cannot be used with --as-of or --formal."
        )
    snapshot = snapshot_named(workspace=workspace, name_or_id=options["snapshot"])
    if snapshot is None:
        raise CommandError(
            f"--snapshot: no snapshot '{options['snapshot']}' in '{workspace.slug}'."
        )
    return ScoresChoice(snapshot=snapshot)
