"""A template's files in the blob store: the original, the normalised PDF, page previews.

They live under ``documents/<sha256 of the original>/``, so a duplicated template and the
same file uploaded twice share them. An upload is read in a child process with its own
memory and time limits (``portico.pdf.ingest_isolated``): a hostile file costs a refusal,
never the API.
The request stores the first page's previews, and a job renders the others in batches,
counting them in ``previews_ready``, so the editor shows page 1 at once and the rest as
they come. Each batch is rendered in a child process with the same limits as the upload
(``run_isolated``): a later page that explodes in memory or never ends costs that batch,
not the worker. A job removes a document's files once no template uses them.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from portico.kit.jobs import Job, JobContext, JobTable
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.pdf import (
    IngestedDocument,
    Limits,
    PagePreview,
    ingest_isolated,
    render_pages,
    run_isolated,
)
from portico.signing.models import Submission, Template
from portico.signing.settings import SigningSettings, signing_settings

DELETE_DOCUMENT = "signing.delete_document"
RENDER_PREVIEWS = "signing.render_previews"
# Pages rendered per child process: the PDF crosses to it once per batch.
PREVIEW_BATCH = 10


def document_key(original: bytes) -> str:
    return "documents/" + hashlib.sha256(original).hexdigest()


def original_key(key: str) -> str:
    return f"{key}/original"


def pdf_key(key: str) -> str:
    return f"{key}/document.pdf"


def preview_key(key: str, index: int, width: int) -> str:
    return f"{key}/previews/{index}-{width}.webp"


def limits_of(settings: SigningSettings) -> Limits:
    return Limits(
        max_bytes=settings.max_upload_mib * 1024 * 1024,
        max_pages=settings.max_pages,
        max_image_pixels=settings.max_image_megapixels * 1_000_000,
        conversion_seconds=settings.conversion_seconds,
        isolated_seconds=settings.conversion_seconds + 30,
    )


def ingest_upload(data: bytes, settings: SigningSettings) -> IngestedDocument:
    """Read the upload in a child process (blocking: call it from a thread)."""
    return ingest_isolated(data, limits_of(settings), settings.preview_widths)


async def store_document(
    store: BlobStore, key: str, original: bytes, content_type: str, prepared: IngestedDocument
) -> None:
    """Put the files (again: the same upload twice writes the same bytes)."""
    await store.put(original_key(key), original, content_type=content_type)
    await store.put(pdf_key(key), prepared.pdf, content_type="application/pdf")
    for preview in prepared.first_previews:
        await store.put(
            preview_key(key, preview.index, preview.width_px),
            preview.webp,
            content_type="image/webp",
        )


async def enqueue_previews(tx: Transaction, template: Template) -> None:
    if template.previews_ready < template.page_count:
        payload = {"document_key": template.document_key}
        await tx.enqueue(RENDER_PREVIEWS, payload, key=f"previews:{template.id}")


async def enqueue_deletion(tx: Transaction, key: str) -> None:
    """Remove the files once no template uses them, after a grace: a template being made
    from the same file, or duplicated, at this very moment keeps them."""
    grace = timedelta(seconds=signing_settings().document_grace_seconds)
    await tx.enqueue(DELETE_DOCUMENT, {"document_key": key}, run_at=datetime.now(UTC) + grace)


def _render_batch(pdf: bytes, start: int, stop: int, widths: tuple[int, ...]) -> list[PagePreview]:
    return list(render_pages(pdf, widths, pages=range(start, stop)))


async def render_previews(context: JobContext, job: Job) -> None:
    assert context.store is not None
    key = job.payload["document_key"]
    settings = signing_settings()
    widths, limits = settings.preview_widths, limits_of(settings)
    async with context.database.sessions() as session:
        ready = await session.scalar(
            select(func.min(Template.previews_ready)).where(Template.document_key == key)
        )
        sizes = await session.scalar(
            select(Template.page_sizes).where(Template.document_key == key).limit(1)
        )
    if ready is None or sizes is None:
        return  # every template of it was deleted meanwhile
    pdf = await context.store.read(pdf_key(key))
    for start in range(max(ready, 1), len(sizes), PREVIEW_BATCH):
        stop = min(start + PREVIEW_BATCH, len(sizes))
        previews = await asyncio.to_thread(
            run_isolated,
            limits.isolated_seconds,
            limits.isolated_memory_bytes,
            _render_batch,
            pdf,
            start,
            stop,
            widths,
        )
        for preview in previews:
            await context.store.put(
                preview_key(key, preview.index, preview.width_px),
                preview.webp,
                content_type="image/webp",
            )
        async with context.database.transaction() as tx:
            await tx.execute(
                update(Template)
                .where(Template.document_key == key, Template.previews_ready < stop)
                .values(previews_ready=stop)
            )


async def delete_document(context: JobContext, job: Job) -> None:
    assert context.store is not None
    key = job.payload["document_key"]
    async with context.database.sessions() as session:
        used = await session.scalar(
            select(func.count()).select_from(Template).where(Template.document_key == key)
        )
        # A submission keeps the files it was sent with, whatever became of its template.
        used = used or await session.scalar(
            select(func.count()).select_from(Submission).where(Submission.document_key == key)
        )
    if not used:  # a template made from the same file since keeps them
        await context.store.delete_prefix(f"{key}/")


JOBS: JobTable = {RENDER_PREVIEWS: render_previews, DELETE_DOCUMENT: delete_document}
