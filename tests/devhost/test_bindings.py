import pytest

from devhost.appsettings import (
    DEVELOPMENT_CONNECTION_STRING,
    ConfigurationError,
    connection_string,
    resolve_expressions,
)
from devhost.blobs import BlobPath
from devhost.host import HostOptions


def test_a_blob_path_names_its_container_and_captures_the_parameters():
    path = BlobPath.parse("mis-uploads/{school_id}/{name}")
    assert path.container == "mis-uploads"
    assert path.literal_prefix == ""
    assert path.match("sch-1/upload-7.csv") == {"school_id": "sch-1", "name": "upload-7.csv"}


def test_a_blob_outside_the_pattern_is_not_matched():
    path = BlobPath.parse("mis-uploads/{school_id}/{name}")
    assert path.match("loose-file.csv") is None


def test_literal_text_in_a_blob_path_narrows_the_listing():
    path = BlobPath.parse("reports/daily/{name}.csv")
    assert path.literal_prefix == "daily/"
    assert path.match("daily/2025-03-01.csv") == {"name": "2025-03-01"}
    assert path.match("daily/2025-03-01.pdf") is None
    assert path.match("weekly/2025-03-01.csv") is None


def test_captures_are_greedy_and_may_span_slashes_as_in_the_webjobs_sdk():
    assert BlobPath.parse("drop/{name}").match("a/b/c.txt") == {"name": "a/b/c.txt"}
    assert BlobPath.parse("drop/{dir}/{name}").match("a/b/c.txt") == {"dir": "a/b", "name": "c.txt"}


def test_doubled_braces_are_literal():
    path = BlobPath.parse("drop/{{2025}}/{name}")
    assert path.literal_prefix == "{2025}/"
    assert path.match("{2025}/x") == {"name": "x"}


def test_a_bare_container_triggers_on_every_blob():
    assert BlobPath.parse("drop").match("any/thing") == {"name": "any/thing"}


def test_the_container_must_be_literal():
    with pytest.raises(ValueError, match="literal container"):
        BlobPath.parse("{container}/{name}")


def test_expressions_are_resolved_from_app_settings():
    assert resolve_expressions("%CONTAINER%/{name}", {"CONTAINER": "drop"}, function="f") == "drop/{name}"


def test_a_connection_is_found_by_name_then_with_the_azurewebjobs_prefix():
    assert connection_string("Uploads", {"Uploads": "A"}, function="f") == "A"
    assert connection_string("Uploads", {"AzureWebJobsUploads": "B"}, function="f") == "B"
    assert connection_string("", {"AzureWebJobsStorage": "C"}, function="f") == "C"


def test_development_storage_means_azurite_on_its_standard_ports():
    resolved = connection_string("AzureWebJobsStorage", {"AzureWebJobsStorage": "UseDevelopmentStorage=true"},
                                 function="f")
    assert resolved == DEVELOPMENT_CONNECTION_STRING
    assert "127.0.0.1:10000" in resolved


def test_identity_based_connections_are_refused_with_a_reason():
    with pytest.raises(ConfigurationError, match="identity-based"):
        connection_string("AzureWebJobsStorage", {"AzureWebJobsStorage__accountName": "acct"}, function="f")


def test_a_missing_connection_is_refused():
    with pytest.raises(ConfigurationError, match="'Uploads' is not set"):
        connection_string("Uploads", {}, function="f")


def test_host_options_read_the_poll_interval_and_cors_origins():
    options = HostOptions.from_environ(
        {"DEVHOST_BLOB_POLL_SECONDS": "0.25", "CORS_ALLOWED_ORIGINS": "http://a.test, http://b.test/ ,"}
    )
    assert options.blob_poll_seconds == 0.25
    assert options.allowed_origins == ["http://a.test", "http://b.test"]
    assert HostOptions.from_environ({}) == HostOptions(2.0, [])


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_a_poll_interval_must_be_a_positive_number(value):
    with pytest.raises(ConfigurationError, match="DEVHOST_BLOB_POLL_SECONDS"):
        HostOptions.from_environ({"DEVHOST_BLOB_POLL_SECONDS": value})
