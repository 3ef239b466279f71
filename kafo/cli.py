"""The `kafo` command line: Django's management commands under the Kafo settings.

`kafo demo` builds the demo database and serves it; `kafo <command> --help` for the rest.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["kafo", *argv])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
