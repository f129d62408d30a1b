"""Build the load-test workspace, its users and its first scores; write the plan as JSON.

`python -m loadtest.prepare --people 2000 --out DIR/plan.json` (DATABASE_URL must name
the throwaway load-test database). Each editor gets its own disjoint set of existing
ties to change, so the last successful write to a tie is that editor's last one.
"""

import argparse
import io
import json
import os
import secrets
import sys
from pathlib import Path

import django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--workspace", default="loadtest")
    parser.add_argument("--editors", type=int, default=5)
    parser.add_argument("--ties-per-editor", type=int, default=300)
    parser.add_argument("--contested", type=int, default=3, help="ties every editor changes")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from stakeholders.models import Membership, Person, Relationship, Role, Workspace
    from stakeholders.score_runs import score_run_execute

    # seed_demo's advice about the demo user does not apply here.
    call_command(
        "seed_demo", people=args.people, workspace=args.workspace, reset=True, stdout=io.StringIO()
    )
    workspace = Workspace.objects.get(slug=args.workspace)
    users = get_user_model().objects
    password = secrets.token_urlsafe(16)

    def member(username: str, role: str, staff: bool) -> str:
        user, _ = users.get_or_create(username=username, defaults={"is_staff": staff})
        user.is_staff = staff
        user.set_password(password)
        user.save()
        Membership.objects.update_or_create(user=user, workspace=workspace, defaults={"role": role})
        return username

    viewer = member("load-viewer", Role.VIEWER, staff=False)
    editors = [member(f"load-editor-{i}", Role.EDITOR, staff=True) for i in range(args.editors)]

    people = list(Person.objects.filter(workspace=workspace).values_list("pk", flat=True))
    ties = list(
        Relationship.objects.filter(source__workspace=workspace)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    need = args.editors * args.ties_per_editor + args.contested
    if len(ties) < need:
        print(f"error: {len(ties)} ties, need {need}", file=sys.stderr)
        return 1
    run = score_run_execute(workspace_id=workspace.pk)
    print(
        f"Workspace {workspace.slug!r}: {len(people):,} people, {len(ties):,} ties; "
        f"first scores computed ({run.status}, {sum(run.timings.values()):.1f}s)."
    )
    plan = {
        "workspace": workspace.slug,
        "password": password,
        "viewer": viewer,
        "editors": {
            name: ties[i :: args.editors][: args.ties_per_editor] for i, name in enumerate(editors)
        },
        # Changed by every editor at once: optimistic locking must refuse stale saves.
        "contested": ties[-args.contested :] if args.contested else [],
        "first_run": run.pk,
        "people": people,
        "kinds": ["collaborates", "trusts", "reports_to", "influences"],
    }
    args.out.write_text(json.dumps(plan))
    args.out.chmod(0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
