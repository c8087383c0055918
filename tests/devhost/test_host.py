import logging
import os
import socket

import azure.functions as func
import pytest

from devhost.appsettings import ConfigurationError
from devhost.host import FunctionHost, load_app
from devhost.ports import busy_ports_message, holder

ENVIRON = {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "NIGHTLY": "0 0 2 * * *"}


def _app() -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="pupils/{pupil_id}", methods=["GET"])
    def pupil_get(req):
        return None

    @app.blob_trigger(arg_name="upload", path="mis-uploads/{school_id}/{name}", connection="AzureWebJobsStorage")
    def roster_ingest(upload):
        return None

    @app.timer_trigger(arg_name="timer", schedule="%NIGHTLY%")
    def retention(timer):
        return None

    @app.queue_trigger(arg_name="message", queue_name="jobs", connection="AzureWebJobsStorage")
    def jobs(message):
        return None

    return app


def test_every_trigger_is_indexed(tmp_path):
    host = FunctionHost(_app(), root=tmp_path, environ=ENVIRON)
    assert [route.function_name for route in host.http_routes] == ["pupil_get"]
    assert [blob.name for blob in host.blob_functions] == ["roster_ingest"]
    assert host.blob_functions[0].path.container == "mis-uploads"
    assert host.timer("Retention").schedule.expression == "0 0 2 * * *"
    assert host.unsupported == [("jobs", "queueTrigger")]


def test_the_startup_listing_names_each_function_with_its_trigger_and_url(tmp_path, caplog):
    host = FunctionHost(_app(), root=tmp_path, environ=ENVIRON)
    with caplog.at_level(logging.INFO, logger="devhost"):
        host.describe("http://127.0.0.1:7071")
    messages = [record.getMessage() for record in caplog.records]
    assert "pupil_get: [GET] http://127.0.0.1:7071/api/pupils/{pupil_id}" in messages
    assert any(m.startswith("roster_ingest: blobTrigger (mis-uploads/{school_id}/{name}") for m in messages)
    assert any(m.startswith("retention: timerTrigger (0 0 2 * * * UTC, next ") for m in messages)
    assert any(m.startswith("jobs: queueTrigger is not supported") for m in messages)


def test_functions_in_error_are_all_named(tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        FunctionHost(_app(), root=tmp_path, environ={})
    message = str(caught.value)
    assert "'roster_ingest'" in message and "'AzureWebJobsStorage'" in message
    assert "'retention'" in message and "'NIGHTLY'" in message


def test_an_unknown_timer_lists_the_known_ones(tmp_path):
    host = FunctionHost(_app(), root=tmp_path, environ=ENVIRON)
    with pytest.raises(ConfigurationError, match=r"no timer function named 'nope' \(timer functions: retention\)"):
        host.timer("nope")


def test_the_app_is_imported_from_module_and_attribute():
    assert load_app("tests.e2e.sample_app:app").get_functions
    with pytest.raises(ConfigurationError, match="module:attribute"):
        load_app("function_app")
    with pytest.raises(ConfigurationError, match="not a FunctionApp"):
        load_app("tests.e2e.sample_app:RESULTS")


def test_a_busy_port_is_reported_with_the_process_holding_it():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert f"pid {os.getpid()}" in holder(port)
        assert busy_ports_message({"HTTP": port}).startswith(f"{port} (HTTP) is held by pid {os.getpid()}")
    assert holder(port) is None
    assert busy_ports_message({"HTTP": port}) is None
