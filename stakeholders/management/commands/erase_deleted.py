"""Erase what records deleted before deletes took their history along left behind.

Each deleted person is erased as from their page (history, admin log lines, import
previews and old scores that mention them), with an erasure record made by --by.
Organisations, affiliations and relationships lose their history, and workspaces
deleted earlier everything they held. It prints counts and record ids, never names.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from stakeholders.management.output import OutputCommand
from stakeholders.models import Affiliation, Organisation, Relationship, Workspace
from stakeholders.privacy.deletion import history_erase, leftover_history
from stakeholders.privacy.erasure import deleted_people, deleted_person_erase


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class Command(OutputCommand):
    help = (
        "Erase the change history that people, organisations, affiliations, relationships "
        "and workspaces deleted before deletes took their history along left behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the account each erasure is recorded as made by (required unless --dry-run)",
        )
        parser.add_argument(
            "--workspace",
            metavar="SLUG",
            help="only this workspace (default: every workspace, and deleted workspaces)",
        )
        parser.add_argument(
            "--ref",
            action="append",
            default=[],
            help="only the deleted person once recorded under this ref (repeatable)",
        )
        parser.add_argument(
            "--id",
            action="append",
            default=[],
            type=int,
            dest="ids",
            help="only the deleted person with this record id (repeatable)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, erase nothing")

    def handle(self, *, by, workspace, ref, ids, dry_run, **_):
        chosen = bool(ref or ids)
        if chosen and not workspace:
            raise CommandError("--ref and --id need --workspace.")
        user = None
        if not dry_run:
            if not by:
                raise CommandError("Give --by USERNAME: every erasure records who made it.")
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No account with username '{by}'.")
        if workspace:
            workspaces = list(Workspace.objects.filter(slug=workspace))
            if not workspaces:
                raise CommandError(f"No workspace with slug '{workspace}'.")
        else:
            workspaces = list(Workspace.objects.order_by("slug"))
        erase, remove = ("would erase", "would remove") if dry_run else ("erased", "removed")
        for ws in workspaces:
            people = deleted_people(workspace=ws)
            if chosen:
                people = sorted(
                    set(deleted_people(workspace=ws, refs=tuple(ref)) if ref else ())
                    | (set(ids) & set(people))
                )
                if not people:
                    raise CommandError(
                        f"Nobody deleted from {ws.slug} has history under that ref or id."
                    )
            erasures = []
            for person_id in people if not dry_run else ():
                erasure = deleted_person_erase(workspace=ws, person_id=person_id, erased_by=user)
                erasures.append(str(erasure.pk))
            line = f"{ws.slug}: {erase} {_count(len(people), 'deleted person', 'deleted people')}"
            if erasures:
                line += f" (erasure records {', '.join(erasures)})"
            if not chosen:
                left = leftover_history(workspace=ws)
                if not dry_run:
                    with transaction.atomic():
                        history_erase(deleted=left)
                line += (
                    f"; {remove} the history of "
                    f"{_count(len(left.get(Organisation, ())), 'organisation')}, "
                    f"{_count(len(left.get(Affiliation, ())), 'affiliation')} and "
                    f"{_count(len(left.get(Relationship, ())), 'relationship')}"
                )
            self.stdout.write(line + ".")
        if not workspace:
            gone = leftover_history().get(Workspace, set())
            if not dry_run:
                with transaction.atomic():
                    history_erase(deleted={Workspace: gone})
            self.stdout.write(
                f"Deleted workspaces: {remove} the history of {_count(len(gone), 'workspace')}."
            )
