"""Blob storage: S3-compatible in the distributed mode, a local folder in the embedded one."""

from portico.kit.settings import PorticoSettings
from portico.kit.store.base import BlobNotFound, BlobStore, InvalidBlobKey, StoredBlob

__all__ = ["BlobNotFound", "BlobStore", "InvalidBlobKey", "StoredBlob", "create_store"]


def create_store(settings: PorticoSettings, service: str) -> BlobStore:
    if settings.s3_bucket:
        from portico.kit.store.s3 import S3BlobStore

        return S3BlobStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            region=settings.s3_region,
            prefix=service,
        )
    from portico.kit.store.local import LocalBlobStore

    return LocalBlobStore(settings.data_dir / "blobs" / service)
