"""Rotating the seal of signed quotes without downtime: ``rotate-seal`` puts a new key in
use for the next acceptance while the service runs; a quote signed before keeps its seal,
still valid. An organisation's own certificate can be imported, its password from the
environment."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from portico.kit.testing.services import RunningPortico
from portico.pdf import create_seal_key, load_seal_key, verify_pdf
from portico.pdf.testing import pdfsig
from portico.quotes.seal import ROTATE_SEAL
from portico.quotes.testing import ONLINE

from .test_online_quotes import ACCEPT, BROWSER, esignature, offered

pytestmark = pytest.mark.backends("embedded")


async def signed_proof(portico: RunningPortico, admin: dict[str, str]) -> bytes:
    _client, _quote, token = await offered(portico, admin)
    accepted = await portico.http.post(f"{ONLINE}/{token}/accept", json=ACCEPT, headers=BROWSER)
    assert accepted.status_code == 200, accepted.text
    proof = await portico.http.get(f"{ONLINE}/{token}/pdf")
    assert proof.status_code == 200
    return proof.content


async def sealed_by(pdf: bytes) -> str | None:
    """The fingerprint of the certificate ``pdf`` is sealed under (pyHanko runs its own
    event loop: off ours)."""
    return (await asyncio.to_thread(verify_pdf, pdf)).signer_fingerprint


def rotate(**given: str | None) -> argparse.Namespace:
    return argparse.Namespace(
        pkcs12=given.get("pkcs12"),
        password_env=given.get("password_env") or "PORTICO_QUOTES_SEAL_PASSWORD",
    )


async def test_a_rotated_seal_signs_the_next_quotes_and_the_earlier_stay_valid(
    portico: RunningPortico,
    admin: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await esignature(portico, admin, on=False)
    first = await signed_proof(portico, admin)
    before = await sealed_by(first)

    runtime = portico.runtime("quotes")
    await ROTATE_SEAL.run(runtime, rotate())
    assert "quotes are now sealed under" in capsys.readouterr().out
    second = await signed_proof(portico, admin)
    generated = await sealed_by(second)
    assert generated is not None and generated != before

    # The organisation's own certificate, its file encrypted, the password in the
    # environment (never on the command line, where `ps` shows it).
    own = create_seal_key("Studio Nord", password=b"s3cret")
    path = tmp_path / "studio.p12"
    path.write_bytes(own)
    monkeypatch.setenv("PORTICO_QUOTES_SEAL_PASSWORD", "s3cret")
    await ROTATE_SEAL.run(runtime, rotate(pkcs12=str(path)))
    third = await signed_proof(portico, admin)
    assert await sealed_by(third) == load_seal_key(own, b"s3cret").fingerprint

    for proof in (first, second, third):
        assert "Signature is Valid." in pdfsig(proof)


async def test_a_file_that_cannot_seal_changes_nothing(
    portico: RunningPortico,
    admin: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await esignature(portico, admin, on=False)
    before = await sealed_by(await signed_proof(portico, admin))
    path = tmp_path / "wrong.p12"
    path.write_bytes(create_seal_key("Studio Nord", password=b"right"))
    monkeypatch.setenv("PORTICO_QUOTES_SEAL_PASSWORD", "wrong")
    with pytest.raises(SystemExit, match="cannot rotate the seal"):
        await ROTATE_SEAL.run(portico.runtime("quotes"), rotate(pkcs12=str(path)))
    with pytest.raises(SystemExit, match="cannot rotate the seal"):
        await ROTATE_SEAL.run(
            portico.runtime("quotes"), rotate(pkcs12=str(tmp_path / "missing.p12"))
        )
    after = await sealed_by(await signed_proof(portico, admin))
    assert after == before
