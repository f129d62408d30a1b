"""Commands whose output may be piped into another program (`export_csv ... | head -3`).

When the reader closes the pipe, the next write fails with BrokenPipeError. Every
command here derives from OutputCommand, which then stops quietly, as a command-line
tool stopped by SIGPIPE does: no traceback, exit status 141.
"""

import os
import sys

from django.core.management.base import BaseCommand

# 128 + SIGPIPE (13): what a shell reports for a command that SIGPIPE stopped.
READER_GONE_STATUS = 141


class OutputCommand(BaseCommand):
    """A management command that stops quietly when the reader of its output goes away."""

    def execute(self, *args, **options):
        try:
            output = super().execute(*args, **options)
            # Anything still buffered fails here rather than at exit, where Python would
            # print "Exception ignored ... BrokenPipeError".
            self.stdout.flush()
        except BrokenPipeError:
            _stdout_to_devnull()
        else:
            return output
        # Outside the except clause the traceback has gone, and with it the command's
        # frames: their cursors and files close now, while the database is still open.
        raise SystemExit(READER_GONE_STATUS)


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so that nothing left to flush fails again.

    As the Python documentation advises (signal module, "Note on SIGPIPE").
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a file descriptor (a test's buffer): nothing will flush
