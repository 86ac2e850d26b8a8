"""The command line of a document generated from the contracts (``asyncapi``,
``event_docs``): write it to a file, or check that the committed file is current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def write(path: Path, text: str) -> bool:
    """Write ``text`` to ``path``; False when it already held exactly that."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def run(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    render: Callable[[], str],
    make_target: str,
) -> int:
    """``prog [--output FILE] [--check]``: the document on standard output, written to
    FILE, or FILE checked (1 and the ``make`` target to run when it is out of date)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    parser.add_argument(
        "--check", action="store_true", help="only check that --output is up to date"
    )
    arguments = parser.parse_args(argv)
    if arguments.output is None:
        sys.stdout.write(render())
        return 0
    if arguments.check:
        current = arguments.output.is_file() and arguments.output.read_text("utf-8") == render()
        if not current:
            print(f"{arguments.output} is out of date: run `{make_target}`", file=sys.stderr)
        return 0 if current else 1
    changed = write(arguments.output, render())
    print(f"{'wrote' if changed else 'unchanged:'} {arguments.output}")
    return 0
