"""The `quotelens` command: one entry point, one module per subcommand.

Each module in `quotelens.commands` defines `NAME`, `HELP`, `add_arguments(parser)`
and `run(args) -> int`; heavy imports stay inside `run` so `--help` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("extract", "eval", "serve", "ingest", "watch", "worker", "export", "ask", "bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quotelens",
        description="Find who said what in news articles: quotes, speakers, an API and a chat bot.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"quotelens.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"quotelens.commands.{name}":
                raise
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
