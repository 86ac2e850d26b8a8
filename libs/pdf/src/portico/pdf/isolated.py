"""The pipeline's work in a child process with an address-space limit and a wall-clock
timeout, so a hostile file (a decompression bomb, a parser's endless loop) costs a
refusal, never a hung worker or an exhausted machine."""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits
from portico.pdf.normalise import NormalisedDocument, normalise

P = ParamSpec("P")
R = TypeVar("R")

# A fork server: one clean process (no threads, no event loop) that imported the pipeline
# once, forked for each document, so a child starts in milliseconds rather than the second
# a fresh interpreter takes to import pypdf, PDFium, Pillow and reportlab. A child still
# imports the parent's main module first when that is a plain module run with ``-m`` (not a
# package's ``__main__``): Portico's entry points are packages' ``__main__`` for that reason.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["portico.pdf"])


def normalise_isolated(data: bytes, limits: Limits | None = None) -> NormalisedDocument:
    """What ``normalise(data, limits)`` returns, computed in a child process limited to
    ``limits.isolated_memory_bytes`` of address space and ``limits.isolated_seconds``;
    a child that runs out of either, or dies, is a refusal (``damaged``)."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentRefused("too_large", limit=limits.max_bytes, count=len(data))
    return run_isolated(
        limits.isolated_seconds, limits.isolated_memory_bytes, normalise, data, limits
    )


def run_isolated(
    seconds: float,
    memory_bytes: int,
    function: Callable[P, R],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """``function(*args, **kwargs)`` in a child process (a module-level function, its
    arguments and result pickled): its ``DocumentRefused`` raised here, and any other end
    (an error, out of memory, killed, past ``seconds``) raised as ``damaged``. A preview
    of an untrusted page: ``run_isolated(30, 2**30, render_page, pdf, 0, 1200)``."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(
        target=_child, args=(sender, memory_bytes, function, args, kwargs), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise DocumentRefused("damaged", detail=f"not done within {seconds:g} s")
        try:
            outcome, value = receiver.recv()
        except (EOFError, OSError) as error:
            child.join(5)
            raise DocumentRefused(
                "damaged", detail=f"the process reading it ended ({child.exitcode})"
            ) from error
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if outcome == "ok":
        result: R = value
        return result
    assert isinstance(value, DocumentRefused)
    raise value


def _child(
    sender: Connection,
    memory_bytes: int,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    result: tuple[str, Any]
    try:
        result = ("ok", function(*args, **kwargs))
    except DocumentRefused as refusal:
        result = ("refused", refusal)
    except MemoryError:
        result = ("refused", DocumentRefused("damaged", detail="out of memory"))
    except (Exception, RecursionError) as error:
        result = ("refused", DocumentRefused("damaged", detail=repr(error)[:500]))
    sender.send(result)
    sender.close()
