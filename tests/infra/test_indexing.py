"""The app as the Functions host sees it: metadata from azure-functions' own indexing API.

At start-up the Python worker imports function_app.py, calls `app.get_functions()` and sends the host each
function's name and raw binding JSON (`get_raw_bindings()`). These tests read exactly that, so a change the
host would reject at start-up (a duplicate name or route, a blob trigger that is not Event Grid-fed on Flex,
a timer schedule whose %SETTING% is missing in Azure) fails here instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devhost.routing import functions_of
from function_app import app

ROOT = Path(__file__).resolve().parents[2]
# The host serves these itself; a function route under them would never be reached.
HOST_RESERVED_PREFIXES = ("admin", "runtime")


def bindings_of(function) -> list[dict]:
    return [json.loads(raw) for raw in function.get_raw_bindings()]


def triggers(binding_type: str) -> list[tuple[str, dict]]:
    return [
        (fn.get_function_name(), binding)
        for fn in functions_of(app)
        for binding in bindings_of(fn)
        if binding["type"] == binding_type
    ]


def bicep_app_settings() -> set[str]:
    """Names the Bicep templates set as app settings (functionapp.bicep's managed settings)."""
    text = (ROOT / "infra" / "modules" / "functionapp.bicep").read_text(encoding="utf-8")
    block = text[text.index("var managedSettings = {"):]
    block = block[: block.index("\n}\n")]
    return set(re.findall(r"^\s+(\w+):", block, re.MULTILINE))


def sample_settings() -> set[str]:
    return set(json.loads((ROOT / "local.settings.sample.json").read_text(encoding="utf-8"))["Values"])


def test_every_function_has_valid_metadata_with_exactly_one_trigger():
    functions = functions_of(app)

    assert functions
    for fn in functions:
        metadata = json.loads(fn.get_function_json())
        assert metadata["scriptFile"] == "function_app.py"
        kinds = [b["type"] for b in metadata["bindings"] if b["type"].endswith("Trigger")]
        assert len(kinds) == 1, fn.get_function_name()
        assert all({"direction", "type", "name"} <= set(b) for b in metadata["bindings"])


def test_function_names_are_unique_ignoring_case_as_the_host_requires():
    names = [fn.get_function_name() for fn in functions_of(app)]

    duplicates = {name for name in names if [n.lower() for n in names].count(name.lower()) > 1}

    assert duplicates == set()
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,127}", name) for name in names)


def test_each_route_and_method_pair_belongs_to_one_function():
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for name, binding in triggers("httpTrigger"):
        # Parameter names do not matter to the router: {id} and {school_id} in the same place clash.
        shape = re.sub(r"\{\*?\w+(:[^}]*)?\??\}", "{}", binding["route"].strip("/").lower())
        for method in binding["methods"]:
            key = (shape, method.upper())
            if key in seen:
                clashes.append((seen[key], name, key))
            seen[key] = name

    assert seen
    assert clashes == []


def test_api_routes_carry_the_api_prefix_and_only_the_web_client_sits_at_the_root():
    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    routes = {name: binding["route"] for name, binding in triggers("httpTrigger")}

    assert host["extensions"]["http"]["routePrefix"] == ""
    assert routes.pop("web_client") == "{*path}"
    assert all(route.startswith("api/") for route in routes.values()), routes
    assert not [r for r in routes.values() if r.split("/")[0].lower() in HOST_RESERVED_PREFIXES]


def test_every_http_function_is_anonymous_at_the_host_and_authorises_in_the_app():
    assert {binding["authLevel"] for _, binding in triggers("httpTrigger")} == {"ANONYMOUS"}


def test_the_blob_trigger_is_fed_by_event_grid_on_the_storage_the_subscription_watches():
    (name, blob), = triggers("blobTrigger")
    subscription = (ROOT / "infra" / "postdeploy" / "mis-upload-subscription.bicep").read_text(encoding="utf-8")
    container = blob["path"].split("/")[0]

    # Flex Consumption has no polling blob trigger: without source EventGrid nothing would ever fire.
    assert blob["source"] == "EventGrid"
    assert blob["connection"] == "AzureWebJobsStorage"
    assert blob["direction"] == "IN"
    assert f"functionName=Host.Functions.{name}&" in subscription
    assert f"subjectBeginsWith: '/blobServices/default/containers/{container}/'" in subscription


@pytest.mark.parametrize("function_name", sorted(name for name, _ in triggers("timerTrigger")))
def test_each_timer_schedule_setting_exists_in_azure_and_in_the_sample_settings(function_name):
    schedule = next(binding["schedule"] for name, binding in triggers("timerTrigger") if name == function_name)

    match = re.fullmatch(r"%(\w+)%", schedule)
    assert match, f"{function_name}: schedules come from app settings, not code ({schedule!r})"
    assert match.group(1) in bicep_app_settings()
    assert match.group(1) in sample_settings()


def test_every_connection_a_binding_names_is_configured_in_azure():
    connections = {b["connection"] for fn in functions_of(app) for b in bindings_of(fn) if "connection" in b}

    # Identity-based connections are configured as <name>__accountName (+ credential, clientId).
    for connection in connections:
        assert f"{connection}__accountName" in bicep_app_settings()
        assert connection in sample_settings()
