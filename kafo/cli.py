"""The `kafo` command line: Django's management commands under the Kafo settings.

Two-word commands read naturally (`kafo identity link FILE`, `kafo declarations import FILE`):
they run the management command named by both words joined with `_`.
"""

import os
import sys


def _join_two_word_command(args: list[str]) -> list[str]:
    if len(args) >= 3 and not args[1].startswith("-") and not args[2].startswith("-"):
        from django.core.management import get_commands

        joined = f"{args[1]}_{args[2]}"
        if joined in get_commands():
            return [args[0], joined, *args[3:]]
    return args


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args = list(sys.argv if argv is None else ["kafo", *argv])
    if args[1:2] == ["demo"]:
        # The demo serves plain http on loopback: development transport settings, DEBUG off.
        os.environ.setdefault("KAFO_ENV", "development")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    execute_from_command_line(_join_two_word_command(args))


if __name__ == "__main__":
    main()
