"""A completed document never stays pending: two signers finishing at once complete it once,
a completion lost with its process is found by the sweep, the store down or a failing
time-stamping authority is retried and then shown as failed with its reason, which staff
retry; and verification tells a genuine, a modified and a foreign PDF apart."""

from __future__ import annotations

import asyncio
import io
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfWriter
from sqlalchemy import update

from portico.contracts.events.signing import DocumentCompleted
from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext
from portico.kit.testing.polling import wait_until
from portico.kit.testing.services import RunningPortico
from portico.pdf.testing import pdf_with_text, pdftotext
from portico.pdf.timestamping import running_tsa
from portico.pdf.verify import verify_pdf
from portico.signing.models import Submission
from portico.signing.submissions import completion
from portico.signing.submissions.completion import COMPLETE, STUCK_AFTER, sweep_completions
from portico.signing.testing import (
    CLIENT_VALUES,
    FIELDS,
    SIGNING,
    SUBMISSIONS,
    drawn_signature,
    field,
    link_of,
    make_client,
    make_template,
    replica_ready,
    send_to,
)

EMBEDDED = pytest.mark.backends("embedded")
ONE_SIGNER = [f for f in FIELDS if f["role"] == "Client"]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_JOBS_RETRY_DELAYS", "[0.1, 0.2]")


async def signed_by_client(
    portico: RunningPortico,
    admin: dict[str, str],
    fields: list[dict[str, Any]] = ONE_SIGNER,
    *,
    extra: dict[str, Any] | None = None,
) -> str:
    """A one-signer submission, sent and signed: its completion has started."""
    client = await make_client(portico, admin)
    template = await make_template(portico, fields)
    await replica_ready(portico, template, client)
    submission = (await send_to(portico, template, client)).json()
    token = await link_of(portico, submission["id"], "ines@lumiere.example")
    values = CLIENT_VALUES | {"Signature": {"image": drawn_signature()}} | (extra or {})
    submitted = await portico.http.post(f"{SIGNING}/{token}/submit", json={"values": values})
    assert submitted.status_code == 200, submitted.text
    return str(submission["id"])


async def detail(portico: RunningPortico, submission_id: str) -> dict[str, Any]:
    response = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}", headers=portico.headers("staff")
    )
    found: dict[str, Any] = response.json()
    return found


async def completion_is(portico: RunningPortico, submission_id: str, state: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        found = await detail(portico, submission_id)
        return found if found["completion"] == state else None

    found: dict[str, Any] = await wait_until(reached, 60)
    return found


@EMBEDDED
async def test_two_signers_finishing_at_the_same_moment_complete_it_once(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    client = await make_client(portico, admin)
    template = await make_template(portico, ordered=False)
    await replica_ready(portico, template, client)
    submission = (await send_to(portico, template, client)).json()
    client_token = await link_of(portico, submission["id"], "ines@lumiere.example")
    company_token = await link_of(portico, submission["id"], "lea@studio.example")
    answers = await asyncio.gather(
        portico.http.post(
            f"{SIGNING}/{client_token}/submit",
            json={"values": CLIENT_VALUES | {"Signature": {"typed": "Inès Roy"}}},
        ),
        portico.http.post(
            f"{SIGNING}/{company_token}/submit",
            json={"values": {"Countersignature": {"typed": "Léa Bernard"}}},
        ),
    )
    assert [answer.status_code for answer in answers] == [200, 200]
    await completion_is(portico, submission["id"], "done")
    await asyncio.sleep(0.5)
    completed = portico.events.of_type(DocumentCompleted.event_type, subject=submission["id"])
    assert len(completed) == 1


@EMBEDDED
async def test_a_completion_lost_with_its_process_is_found_by_the_sweep(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    runtime = portico.runtime("signing")
    assert runtime.jobs is not None
    handlers = runtime.jobs.jobs
    real = handlers[COMPLETE]

    async def lost(context: JobContext, job: Job) -> None:
        """The process died mid-way: the job ended and nothing was recorded."""

    handlers[COMPLETE] = lost  # type: ignore[index]
    try:
        submission_id = await signed_by_client(portico, admin)
        await asyncio.sleep(0.5)
        assert (await detail(portico, submission_id))["completion"] == "pending"
    finally:
        handlers[COMPLETE] = real  # type: ignore[index]
    # Not yet stuck: the sweep leaves it to its job.
    context = runtime.jobs.context
    sweep = Job(
        id="s", kind=completion.SWEEP, payload={}, tries=1, is_last_try=False, run_at=utcnow()
    )
    await sweep_completions(context, sweep)
    await asyncio.sleep(0.3)
    assert (await detail(portico, submission_id))["completion"] == "pending"
    async with runtime.database.transaction() as tx:
        await tx.execute(
            update(Submission).values(completion_changed_at=utcnow() - STUCK_AFTER - timedelta(1))
        )
    await sweep_completions(context, sweep)
    done = await completion_is(portico, submission_id, "done")
    assert done["completed_sha256"]
    assert len(portico.events.of_type(DocumentCompleted.event_type, subject=submission_id)) == 1


@EMBEDDED
async def test_the_store_down_during_completion_is_retried(
    portico: RunningPortico, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = portico.runtime("signing").store
    real_put = store.put
    failures = {"left": 2}

    async def flaky_put(key: str, *args: Any, **kwargs: Any) -> Any:
        if key.startswith("submissions/") and "completed-" in key and failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionError("the blob store is unreachable")
        return await real_put(key, *args, **kwargs)

    monkeypatch.setattr(store, "put", flaky_put)
    submission_id = await signed_by_client(portico, admin)
    done = await completion_is(portico, submission_id, "done")
    assert failures["left"] == 0 and done["completion_error"] is None


@EMBEDDED
async def test_a_seal_carries_a_trusted_time_and_a_failing_authority_is_reported_then_retried(
    portico: RunningPortico, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_tsa("error") as tsa:
        monkeypatch.setenv("PORTICO_SIGNING_TSA_URL", tsa.url)
        submission_id = await signed_by_client(portico, admin)
        failed = await completion_is(portico, submission_id, "failed")
        assert "TimestampFailed" in failed["completion_error"]
        # Never an unsealed or untimed document meanwhile.
        missing = await portico.http.get(
            f"{SUBMISSIONS}/{submission_id}/completed.pdf", headers=portico.headers("staff")
        )
        assert missing.status_code == 404
        tsa.behaviour = "stamp"
        retried = await portico.http.post(
            f"{SUBMISSIONS}/{submission_id}/complete", headers=portico.headers("staff")
        )
        assert retried.status_code == 200, retried.text
        await completion_is(portico, submission_id, "done")
    pdf = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}/completed.pdf", headers=portico.headers("staff")
    )
    report = await asyncio.to_thread(verify_pdf, pdf.content)
    assert report.intact and report.valid and report.timestamp is not None
    assert report.timestamp_valid


@EMBEDDED
async def test_verification_tells_genuine_modified_and_foreign_pdfs_apart(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    submission_id = await signed_by_client(portico, admin)
    await completion_is(portico, submission_id, "done")
    pdf = (
        await portico.http.get(
            f"{SUBMISSIONS}/{submission_id}/completed.pdf", headers=portico.headers("staff")
        )
    ).content

    async def verify(content: bytes, name: str = "document.pdf") -> Any:
        return await portico.http.post(
            "/api/signing/v1/verify", files={"file": (name, content, "application/pdf")}
        )

    genuine = (await verify(pdf)).json()
    assert genuine["verdict"] == "genuine"
    assert genuine["submission_id"] == submission_id
    assert [s["name"] for s in genuine["signers"]] == ["Inès Roy"]
    assert genuine["seal"]["ours"] and genuine["seal"]["intact"]

    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Title": "Changed afterwards"})
    buffer = io.BytesIO()
    writer.write(buffer)
    modified = (await verify(buffer.getvalue())).json()
    assert modified["verdict"] == "modified" and modified["submission_id"] is None

    foreign = (await verify(pdf_with_text("A contract from elsewhere"))).json()
    assert foreign["verdict"] == "unknown" and foreign["seal"]["sealed"] is False

    not_pdf = await verify(b"hello", "notes.txt")
    assert not_pdf.status_code == 422
    assert not_pdf.json()["errors"][0]["field"] == "file"


@EMBEDDED
async def test_values_in_every_script_print_on_the_completed_pdf(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    """Accents, Arabic, Hebrew, Japanese and Korean given through the signing link, and a
    signature typed in Arabic (in a handwriting font that has the script), come back out of
    the sealed PDF's text (Arabic drawn in its joined presentation forms, which
    compatibility normalisation reads back as the letters typed)."""
    words = {
        "City": "Épernay-sur-Saône",
        "Arabic": "شركة النور",
        "Hebrew": "חברת האור",
        "Japanese": "東京都渋谷区",
        "Korean": "서울특별시",
    }
    fields = [
        *ONE_SIGNER,
        *(
            field(name, y=0.70 + 0.05 * index, w=0.5)
            for index, name in enumerate(["Arabic", "Hebrew", "Japanese", "Korean"])
        ),
    ]
    typed = "نور الهدى"
    submission_id = await signed_by_client(
        portico, admin, fields, extra=words | {"Signature": {"typed": typed}}
    )
    await completion_is(portico, submission_id, "done")
    pdf = await portico.http.get(
        f"{SUBMISSIONS}/{submission_id}/completed.pdf", headers=portico.headers("staff")
    )
    text = pdftotext(pdf.content, page=0)
    for name, value in words.items():
        assert unicodedata.normalize("NFKC", value) in text, name
    assert unicodedata.normalize("NFKC", typed) in text, "the typed signature"
