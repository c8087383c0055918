"""A small Function App written with the plain azure.functions decorators, for driving the devhost end to end.

Its blob and timer functions record every invocation in Azurite (container `e2e-results`), so a test can
count how often the host called them, across host restarts.
"""

from __future__ import annotations

import contextlib
import json
import os

import azure.functions as func
from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import BlobServiceClient, ContainerClient

RESULTS = "e2e-results"

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
# The devhost reads the repository's host.json, whose routePrefix is empty (the app serves its web client
# at `/`), so these routes carry their api/ prefix themselves, as function_app.py's do.


def _results() -> ContainerClient:
    container = BlobServiceClient.from_connection_string(os.environ["AzureWebJobsStorage"]).get_container_client(
        RESULTS
    )
    with contextlib.suppress(ResourceExistsError):
        container.create_container()
    return container


def record(log_name: str, line: str) -> None:
    """Append one line to an append blob: one line per invocation."""
    blob = _results().get_blob_client(log_name)
    with contextlib.suppress(ResourceExistsError):
        blob.create_append_blob(if_none_match="*")
    blob.append_block(line + "\n")


@app.route(route="api/items/{item_id}", methods=["GET"])
def get_item(req: func.HttpRequest) -> func.HttpResponse:
    body = {"item_id": req.route_params["item_id"], "q": req.params.get("q"), "url": req.url}
    return func.HttpResponse(json.dumps(body), mimetype="application/json", headers={"x-sample": "item"})


@app.route(route="api/files/{*path}", methods=["GET", "PUT"])
def files(req: func.HttpRequest) -> func.HttpResponse:
    path = req.route_params.get("path", "")
    if req.method == "PUT":
        return func.HttpResponse(f"stored {len(req.get_body())} bytes at {path}", status_code=201)
    return func.HttpResponse(f"file {path}")


@app.route(route="api/boom", methods=["GET"])
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("a crash must come back as a bare 500")


@app.blob_trigger(arg_name="drop", path="e2e-drop/{name}", connection="AzureWebJobsStorage")
def on_drop(drop: func.InputStream) -> None:
    blob_name = drop.name.split("/", 1)[1]
    record(f"invocations/{blob_name}.log", f"{drop.length} {drop.uri}")
    if "poison" in blob_name:
        raise ValueError("this blob always fails")
    _results().upload_blob(f"done/{blob_name}", drop.read(), overwrite=True)


@app.timer_trigger(arg_name="timer", schedule="%E2E_TIMER_SCHEDULE%", run_on_startup=False)
def write_marker(timer: func.TimerRequest) -> None:
    record(f"timer/{os.environ['E2E_MARKER']}.log", f"past_due={timer.past_due}")


@app.timer_trigger(arg_name="timer", schedule="*/1 * * * * *", run_on_startup=True)
def tick(timer: func.TimerRequest) -> None:
    record(f"tick/{os.environ['E2E_MARKER']}.log", f"past_due={timer.past_due}")


@app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *")
def failing_timer(timer: func.TimerRequest) -> None:
    raise RuntimeError("a failed run must give a non-zero exit")
