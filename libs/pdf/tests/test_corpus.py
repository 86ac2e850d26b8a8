"""Every file of the shared corpus (real-world PDFs, images, office documents) is either
accepted and then renders all its pages, or refused with a reason: never another error, a
hang, or more than its time. Skipped without the corpus, failed then when
PORTICO_REQUIRE_INTEGRATION=1."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from portico.kit.testing.backends import unavailable
from portico.pdf import DocumentRefused, Limits, normalise_isolated, run_isolated
from portico.pdf.office import soffice_path
from portico.pdf.testing import accept_and_render, corpus_path

# Licences and notes, not documents.
_NOT_DOCUMENTS = {".md", ".json"}
_OFFICE = {".docx", ".odt", ".doc", ".rtf"}
LIMITS = Limits(isolated_seconds=60)
# One small width: every page renders (the widths a service uses cost more, prove no more).
PREVIEW_WIDTHS = (300,)


def _corpus_files() -> list[Path]:
    return sorted(
        path
        for path in corpus_path().rglob("*")
        if path.is_file()
        and not path.name.startswith("LICENSE")
        and path.suffix.lower() not in _NOT_DOCUMENTS
    )


def _outcome(path: Path) -> tuple[str, str, float]:
    """(outcome, detail, seconds) of one file, normalised then rendered in a child process
    limited as ``normalise_isolated`` limits its own."""
    started = time.monotonic()
    try:
        kind, pages, rendered = run_isolated(
            LIMITS.isolated_seconds,
            LIMITS.isolated_memory_bytes,
            accept_and_render,
            path.read_bytes(),
            LIMITS,
            PREVIEW_WIDTHS,
        )
    except DocumentRefused as refusal:
        return f"refused: {refusal.code}", refusal.detail[:120], time.monotonic() - started
    assert rendered == pages * len(PREVIEW_WIDTHS), path
    return f"accepted: {kind}", f"{pages} pages", time.monotonic() - started


def test_every_corpus_file_is_accepted_and_rendered_or_refused() -> None:
    if not corpus_path().is_dir():
        unavailable(f"the corpus is not at {corpus_path()}")
    office = soffice_path() is not None
    files = _corpus_files()
    assert len(files) > 100
    if not office:
        files = [path for path in files if path.suffix.lower() not in _OFFICE]
    # Two at a time: the work is in child processes, one a core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(_outcome, files))
    tally: Counter[str] = Counter()
    for path, (outcome, detail, took) in zip(files, outcomes, strict=True):
        tally[outcome] += 1
        if outcome.startswith("refused"):
            print(f"{path.relative_to(corpus_path())}: {outcome} ({detail})")
        assert took < 2 * LIMITS.isolated_seconds + 10, path
    print("corpus tally:", dict(sorted(tally.items())))
    slowest = sorted(zip((o[2] for o in outcomes), files, strict=True))[-3:]
    print("slowest:", [(round(took, 1), path.name) for took, path in slowest])
    accepted = sum(count for outcome, count in tally.items() if outcome.startswith("accepted"))
    # The corpus is mostly usable documents: refusing most of it is a bug, not caution.
    assert accepted > 0.9 * len(files)
    # One accepted file through normalise_isolated itself (all went through its guard).
    accepted_files = (
        path
        for path, (outcome, _, _) in zip(files, outcomes, strict=True)
        if outcome.startswith("accepted")
    )
    first = next(accepted_files)
    assert normalise_isolated(first.read_bytes(), LIMITS).page_count >= 1
    if not office:
        unavailable("LibreOffice (soffice) is not installed: the office files were skipped")
