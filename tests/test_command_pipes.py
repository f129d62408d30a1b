"""Commands piped into another program stop quietly when it stops reading.

`manage.py export_csv brokers --workspace demo | head -3` ended in a BrokenPipeError
traceback. Each command here runs in a real process whose stdout is a pipe with its
reading end already closed, the harshest case of `| head`.
"""

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import stakeholders.management.commands as commands
from stakeholders.management.output import READER_GONE_STATUS, OutputCommand

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
BUNDLE = Path(__file__).resolve().parent / "imports" / "fixtures" / "bundle_good"


@pytest.fixture(scope="module")
def environ(tmp_path_factory) -> dict[str, str]:
    """A throwaway SQLite database with synthetic workspaces: `pipes`, and `pipes-big`,
    whose relationships export is far larger than a pipe's buffer (64 KB)."""
    database = tmp_path_factory.mktemp("pipes") / "db.sqlite3"
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "x",
        "DEBUG": "false",
    }
    for args in (
        ["migrate", "-v", "0"],
        ["seed_demo", "--people", "60", "--workspace", "pipes"],
        ["seed_demo", "--people", "1500", "--workspace", "pipes-big"],
    ):
        subprocess.run([sys.executable, MANAGE, *args], env=env, check=True, capture_output=True)
    return env


def _run_into_closed_pipe(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, MANAGE, *args],
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [
        ["export_csv", "people", "--workspace", "pipes"],
        ["export_csv", "relationships", "--workspace", "pipes", "--extra-columns"],
        ["export_graph", "--workspace", "pipes", "--format", "graphml"],
        ["route", "--workspace", "pipes", "--from", "S-000001", "--to", "S-000002"],
        ["import_map", str(BUNDLE), "--workspace", "pipes-copy", "--dry-run"],
    ],
    ids=lambda args: args[0] + ("-" + args[1] if args[1].isalpha() else ""),
)
def test_a_command_whose_reader_goes_away_stops_quietly(environ, args):
    finished = _run_into_closed_pipe(args, environ)

    assert finished.returncode in {0, READER_GONE_STATUS}, finished.stderr
    assert "Traceback" not in finished.stderr
    assert "BrokenPipeError" not in finished.stderr


def test_a_reader_that_stops_after_three_lines_ends_the_export_quietly(environ):
    """`| head -3`: the reader goes away while the command is still writing."""
    process = subprocess.Popen(
        [sys.executable, MANAGE, "export_csv", "relationships", "--workspace", "pipes-big"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait()

    assert lines[0].startswith(b"\xef\xbb\xbfSource")
    # Still writing when the reader went (the export is larger than the pipe holds).
    assert process.returncode == READER_GONE_STATUS
    assert "Traceback" not in stderr


# Long-running workers, never piped into another program: they log rather than print.
WORKERS = {"db_worker"}


def test_every_command_stops_quietly_when_its_reader_goes_away():
    names = [module.name for module in pkgutil.iter_modules(commands.__path__)]

    for name in set(names) - WORKERS:
        command = importlib.import_module(f"{commands.__name__}.{name}").Command
        assert issubclass(command, OutputCommand), name
