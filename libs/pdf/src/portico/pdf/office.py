"""Word, ODT and RTF documents converted to PDF by LibreOffice headless, in a process group
of its own with its own profile, a wall-clock timeout and an address-space limit."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from portico.pdf.errors import DocumentRefused
from portico.pdf.limits import Limits

_EXTENSIONS = {"docx": "docx", "odt": "odt", "doc": "doc", "rtf": "rtf"}


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_to_pdf(data: bytes, kind: str, limits: Limits) -> bytes:
    """The PDF LibreOffice makes of ``data``; refused ``converter_missing`` without
    LibreOffice, ``conversion_timeout`` past the time limit, ``conversion_failed`` when it
    makes no PDF (a damaged file, or the memory limit reached)."""
    soffice = soffice_path()
    if soffice is None:
        raise DocumentRefused("converter_missing")
    with tempfile.TemporaryDirectory(prefix="portico-pdf-") as folder:
        work = Path(folder)
        source = work / f"document.{_EXTENSIONS[kind]}"
        source.write_bytes(data)
        out = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nodefault",
            "--nolockcheck",
            "--nologo",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ]
        environment = {**os.environ, "HOME": str(work)}
        process = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=work,
            start_new_session=True,
            preexec_fn=_memory_limit(limits.conversion_memory_bytes),
        )
        try:
            _, errors = process.communicate(timeout=limits.conversion_seconds)
        except subprocess.TimeoutExpired as error:
            raise DocumentRefused(
                "conversion_timeout", limit=int(limits.conversion_seconds)
            ) from error
        finally:
            # LibreOffice's launcher may leave its worker behind: end the whole group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        converted = out / "document.pdf"
        if process.returncode != 0 or not converted.is_file():
            detail = errors.decode(errors="replace")[-500:].strip()
            raise DocumentRefused(
                "conversion_failed", detail=f"exit {process.returncode}: {detail}"
            )
        return converted.read_bytes()


def _memory_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply
