"""Helpers over azure-storage-blob: reads and deletes that treat a missing blob as an answer, not an error."""

from __future__ import annotations

import contextlib

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobProperties, ContainerClient


def read_if_present(container: ContainerClient, name: str) -> bytes | None:
    try:
        return container.download_blob(name).readall()
    except ResourceNotFoundError:
        return None


def delete_if_present(container: ContainerClient, name: str) -> None:
    """Delete the blob and its snapshots; a blob already gone (a re-delivered event) is fine."""
    with contextlib.suppress(ResourceNotFoundError):
        container.delete_blob(name, delete_snapshots="include")


def list_blobs(container: ContainerClient, prefix: str) -> list[BlobProperties]:
    """The blobs whose names start with `prefix` (name, last_modified, size...): one listing of one prefix."""
    return list(container.list_blobs(name_starts_with=prefix))
