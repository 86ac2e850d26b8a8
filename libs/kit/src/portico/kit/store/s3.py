"""Blobs on S3-compatible storage (MinIO, S3, moto), through boto3 off the event loop.

Content up to one part is a single PUT; larger content is streamed as a multipart upload
(8 MiB parts), so memory stays bounded by one part whatever the file's size. The SHA-256
is computed while streaming and recorded in the object's metadata.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from portico.kit.store.base import CHUNK, BlobNotFound, Content, StoredBlob, check_key, chunks_of

PART_SIZE = 8 << 20


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
        connect_timeout: float = 5.0,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        # One client for the process: boto3 clients are thread-safe, sessions are not.
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
            config=Config(
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                signature_version="s3v4",
                connect_timeout=connect_timeout,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        self._bucket_ready: asyncio.Lock | None = None
        self._bucket_exists = False

    def _object(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def _call(self, operation: str, **arguments: Any) -> Any:
        return await asyncio.to_thread(getattr(self.client, operation), **arguments)

    async def _ensure_bucket(self) -> None:
        if self._bucket_exists:
            return
        if self._bucket_ready is None:
            self._bucket_ready = asyncio.Lock()
        async with self._bucket_ready:
            if self._bucket_exists:
                return
            try:
                await self._call("head_bucket", Bucket=self.bucket)
            except ClientError as exc:
                if _status(exc) != 404:
                    raise
                try:
                    await self._call("create_bucket", Bucket=self.bucket)
                except ClientError as create_error:
                    code = create_error.response.get("Error", {}).get("Code")
                    if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            self._bucket_exists = True

    async def put(
        self, key: str, content: Content, *, content_type: str = "application/octet-stream"
    ) -> StoredBlob:
        name = self._object(key)
        await self._ensure_bucket()
        digest = hashlib.sha256()
        parts = _parts(chunks_of(content), PART_SIZE)
        first = await anext(parts, b"")
        second = await anext(parts, None)
        if second is None:
            digest.update(first)
            sha = digest.hexdigest()
            await self._call(
                "put_object",
                Bucket=self.bucket,
                Key=name,
                Body=first,
                ContentType=content_type,
                Metadata={"sha256": sha},
            )
            return StoredBlob(key=key, size=len(first), sha256=sha, content_type=content_type)
        upload = await self._call(
            "create_multipart_upload", Bucket=self.bucket, Key=name, ContentType=content_type
        )
        upload_id = upload["UploadId"]
        size = 0
        completed = []
        try:
            number = 0
            async for part in _prepend((first, second), parts):
                number += 1
                digest.update(part)
                size += len(part)
                uploaded = await self._call(
                    "upload_part",
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                )
                completed.append({"PartNumber": number, "ETag": uploaded["ETag"]})
            await self._call(
                "complete_multipart_upload",
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": completed},
            )
        except BaseException:
            await self._call(
                "abort_multipart_upload", Bucket=self.bucket, Key=name, UploadId=upload_id
            )
            raise
        sha = digest.hexdigest()
        # Metadata can only be set when the object is written: copy it onto itself.
        await self._call(
            "copy_object",
            Bucket=self.bucket,
            Key=name,
            CopySource={"Bucket": self.bucket, "Key": name},
            Metadata={"sha256": sha},
            MetadataDirective="REPLACE",
            ContentType=content_type,
        )
        return StoredBlob(key=key, size=size, sha256=sha, content_type=content_type)

    async def stat(self, key: str) -> StoredBlob:
        try:
            head = await self._call("head_object", Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if _status(exc) == 404:
                raise BlobNotFound(key) from None
            raise
        return StoredBlob(
            key=key,
            size=int(head["ContentLength"]),
            sha256=head.get("Metadata", {}).get("sha256", ""),
            content_type=head.get("ContentType", "application/octet-stream"),
        )

    async def stream(self, key: str, *, chunk_size: int = CHUNK) -> AsyncIterator[bytes]:
        try:
            response = await self._call("get_object", Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if _status(exc) == 404:
                raise BlobNotFound(key) from None
            raise
        body = response["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, chunk_size):
                yield chunk
        finally:
            body.close()

    async def read(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(key)])

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Bucket=self.bucket, Key=self._object(key))

    async def delete_prefix(self, prefix: str) -> int:
        name = self._object(prefix.rstrip("/")) + "/"
        deleted = 0
        paginator = self.client.get_paginator("list_objects_v2")
        pages = await asyncio.to_thread(
            lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=name))
        )
        for page in pages:
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:
                await self._call(
                    "delete_objects", Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
                )
                deleted += len(objects)
        return deleted

    async def keys(self, prefix: str) -> list[str]:
        name = self._object(prefix.rstrip("/")) + "/"
        paginator = self.client.get_paginator("list_objects_v2")
        pages = await asyncio.to_thread(
            lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=name))
        )
        found = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return sorted(key.removeprefix(self.prefix) for key in found)

    async def download_url(
        self, key: str, *, expires_in: int = 300, filename: str | None = None
    ) -> str | None:
        parameters = {"Bucket": self.bucket, "Key": self._object(key)}
        if filename:
            parameters["ResponseContentDisposition"] = (
                f"attachment; filename*=UTF-8''{quote(filename)}"
            )
        url: str = await self._call(
            "generate_presigned_url",
            ClientMethod="get_object",
            Params=parameters,
            ExpiresIn=expires_in,
        )
        return url

    async def ready(self) -> bool:
        try:
            await self._ensure_bucket()
        except (BotoCoreError, ClientError):
            return False
        return True


async def _parts(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """Regroup chunks into parts of ``size`` bytes (the last one may be smaller)."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


async def _prepend(head: tuple[bytes, ...], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for part in head:
        yield part
    async for part in rest:
        yield part


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
