"""``normalise`` in a child process with an address-space limit and a wall-clock timeout,
so a hostile file (a decompression bomb, a parser's endless loop) costs a refusal, never a
hung worker or an exhausted machine."""

from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection
from typing import Any

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits
from portico.pdf.normalise import NormalisedDocument, normalise

# A fork server: one clean process (no threads, no event loop) that imported the pipeline
# once, forked for each document, so a child starts in milliseconds rather than the second
# a fresh interpreter takes to import pypdf, PDFium, Pillow and reportlab.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["portico.pdf.normalise"])


def normalise_isolated(data: bytes, limits: Limits | None = None) -> NormalisedDocument:
    """What ``normalise(data, limits)`` returns, computed in a fresh child process limited
    to ``limits.isolated_memory_bytes`` of address space and ``limits.isolated_seconds``;
    a child that runs out of either, or dies, is a refusal (``damaged``)."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(data))
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, data, limits), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limits.isolated_seconds):
            raise DocumentRefused(
                "damaged", detail=f"not read within {limits.isolated_seconds:g} s"
            )
        try:
            outcome, value = receiver.recv()
        except (EOFError, OSError) as error:
            raise DocumentRefused(
                "damaged", detail=f"the reading process ended ({child.exitcode})"
            ) from error
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "refused":
        raise value
    assert isinstance(value, NormalisedDocument)
    return value


def _child(sender: Connection, data: bytes, limits: Limits) -> None:
    memory = limits.isolated_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    result: tuple[str, Any]
    try:
        result = ("ok", normalise(data, limits))
    except DocumentRefused as refusal:
        result = ("refused", refusal)
    except MemoryError:
        result = ("refused", DocumentRefused("damaged", detail="out of memory"))
    sender.send(result)
    sender.close()
