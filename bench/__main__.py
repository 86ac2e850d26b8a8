"""`python -m bench [all|NAME ...]`: run benchmarks, merge their figures into results.json."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import bus, completion, notify, quote_pdf, quotes_list, signing, ui
from bench.figures import Figure, print_figures

BENCHMARKS: dict[str, Callable[[], Awaitable[list[Figure]]]] = {
    "bus": bus.run,
    "notify": notify.run,
    "ui": ui.run,
    "signing": signing.run,
    "completion": completion.run,
    "quote_pdf": quote_pdf.run,
    "quotes_list": quotes_list.run,
}
RESULTS = Path(__file__).parent / "results.json"


def main(names: list[str]) -> None:
    if not names or names == ["all"]:
        names = list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; known: {sorted(BENCHMARKS)}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names:
        print(f"== {name}", flush=True)
        figures = asyncio.run(BENCHMARKS[name]())
        print_figures(figures)
        results[name] = [figure.as_json() for figure in figures]
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
