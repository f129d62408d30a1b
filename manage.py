#!/usr/bin/env python
import atexit
import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_map.settings")
    # At exit the cyclic collector would walk every object Django and the app have
    # made (a fifth of `manage.py check`'s time); frozen, they are left to the
    # operating system. Commands close their own files, so nothing waits on it.
    atexit.register(gc.freeze)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
