"""Blob-trigger delivery against the session's Azurite, one scan at a time (`poll_once`), no threads."""

from __future__ import annotations

import json
import uuid

import azure.functions as func
import pytest
from azure.storage.blob import BlobClient, BlobServiceClient
from azure.storage.queue import QueueClient, TextBase64DecodePolicy

from devhost.blobs import HOSTS_CONTAINER, POISON_QUEUE, BlobFunction, BlobListener, Outcome
from devhost.routing import functions_of


class Drop:
    """A container of its own, a blob-trigger function on it, and a record of every call."""

    def __init__(self, connection: str, pattern: str = "{name}", annotation: type = func.InputStream) -> None:
        self.connection = connection
        self.container_name = f"drop-{uuid.uuid4().hex[:12]}"
        self.service = BlobServiceClient.from_connection_string(connection)
        self.container = self.service.create_container(self.container_name)
        self.calls: list = []
        self.failing: set[str] = set()
        app = func.FunctionApp()

        def ingest(upload) -> None:
            self.calls.append(upload)
            name = upload.name if isinstance(upload, func.InputStream) else None
            if name and name.split("/", 1)[1] in self.failing:
                raise ValueError("this upload is unusable")

        ingest.__annotations__["upload"] = annotation
        path = f"{self.container_name}/{pattern}"
        app.blob_trigger(arg_name="upload", path=path, connection="AzureWebJobsStorage")(ingest)
        self.function = BlobFunction.from_function(functions_of(app)[0], {"AzureWebJobsStorage": connection})

    def listener(self) -> BlobListener:
        """A fresh listener, as after a host restart: nothing remembered but what is in storage."""
        return BlobListener(self.function, self.connection, poison_threshold=5)

    def receipt(self, name: str) -> BlobClient:
        """Where the real host keeps it too: azure-webjobs-hosts/blobreceipts/<host>/<function>/<container>/<blob>."""
        path = f"blobreceipts/devhost/ingest/{self.container_name}/{name}"
        return self.service.get_blob_client(HOSTS_CONTAINER, path)

    def upload(self, name: str, data: bytes = b"pupil-id,year\n1,5\n", **kwargs) -> None:
        self.container.upload_blob(name, data, overwrite=True, **kwargs)


@pytest.fixture
def drop(azurite) -> Drop:
    return Drop(azurite.connection_string)


def test_a_new_blob_is_delivered_once_as_an_input_stream(drop):
    drop.upload("sch-1/upload-1.csv", metadata={"uploaded_by": "staff-9"})
    listener = drop.listener()
    assert listener.poll_once() == {"sch-1/upload-1.csv": Outcome.SUCCEEDED}
    assert listener.poll_once() == {}
    [stream] = drop.calls
    assert stream.name == f"{drop.container_name}/sch-1/upload-1.csv"
    assert stream.length == len(b"pupil-id,year\n1,5\n")
    assert stream.read() == b"pupil-id,year\n1,5\n"
    assert stream.metadata == {"uploaded_by": "staff-9"}
    assert stream.uri.endswith(f"/{drop.container_name}/sch-1/upload-1.csv")
    assert stream.blob_properties["ETag"].startswith('"')


def test_a_restarted_host_does_not_deliver_a_blob_again(drop):
    drop.upload("upload-1.csv")
    drop.listener().poll_once()
    assert drop.listener().poll_once() == {}
    assert len(drop.calls) == 1


def test_a_changed_blob_is_delivered_again(drop):
    drop.upload("upload-1.csv", b"first")
    listener = drop.listener()
    listener.poll_once()
    drop.upload("upload-1.csv", b"second")
    assert listener.poll_once() == {"upload-1.csv": Outcome.SUCCEEDED}
    assert [stream.read() for stream in drop.calls] == [b"first", b"second"]


def test_only_blobs_matching_the_path_pattern_are_delivered(azurite):
    drop = Drop(azurite.connection_string, pattern="incoming/{school_id}/{name}.csv")
    drop.upload("incoming/sch-1/a.csv")
    drop.upload("incoming/sch-1/a.txt")
    drop.upload("elsewhere/sch-1/b.csv")
    assert drop.listener().poll_once() == {"incoming/sch-1/a.csv": Outcome.SUCCEEDED}


def test_a_failing_blob_is_tried_five_times_then_sent_to_the_poison_queue(drop):
    drop.failing.add("bad.csv")
    drop.upload("bad.csv")
    listener = drop.listener()
    outcomes = [listener.poll_once().get("bad.csv") for _ in range(6)]
    assert outcomes == [Outcome.FAILED] * 4 + [Outcome.POISONED, None]
    assert len(drop.calls) == 5
    etag = drop.container.get_blob_client("bad.csv").get_blob_properties().etag
    assert _poison_messages(drop) == [
        {
            "Type": "blob",
            "FunctionId": "Host.Functions.ingest",
            "BlobType": "BlockBlob",
            "ContainerName": drop.container_name,
            "BlobName": "bad.csv",
            "ETag": etag,
        }
    ]
    assert drop.listener().poll_once() == {}
    assert len(drop.calls) == 5


def test_attempts_are_counted_across_restarts(drop):
    drop.failing.add("bad.csv")
    drop.upload("bad.csv")
    first = drop.listener()
    first.poll_once()
    first.poll_once()
    second = drop.listener()
    assert [second.poll_once().get("bad.csv") for _ in range(3)] == [Outcome.FAILED, Outcome.FAILED, Outcome.POISONED]
    assert len(drop.calls) == 5
    assert drop.receipt("bad.csv").get_blob_properties().metadata["attempts"] == "5"


def test_a_blob_another_host_is_delivering_is_left_to_it(drop):
    drop.upload("busy.csv")
    receipt = drop.receipt("busy.csv")
    receipt.upload_blob(b"", overwrite=True)
    lease = receipt.acquire_lease(lease_duration=15)
    try:
        assert drop.listener().poll_once() == {}
        assert drop.calls == []
    finally:
        lease.release()
    assert drop.listener().poll_once() == {"busy.csv": Outcome.SUCCEEDED}


def test_a_bytes_parameter_gets_the_content(azurite):
    drop = Drop(azurite.connection_string, annotation=bytes)
    drop.upload("raw.bin", b"\x00\x01")
    drop.listener().poll_once()
    assert drop.calls == [b"\x00\x01"]


def test_a_container_that_does_not_exist_yet_has_nothing_to_deliver(drop):
    drop.container.delete_container()
    assert drop.listener().poll_once() == {}


def _poison_messages(drop: Drop) -> list[dict]:
    queue = QueueClient.from_connection_string(
        drop.connection, POISON_QUEUE, message_decode_policy=TextBase64DecodePolicy()
    )
    messages = [json.loads(message.content) for message in queue.peek_messages(max_messages=32)]
    return [message for message in messages if message["ContainerName"] == drop.container_name]
