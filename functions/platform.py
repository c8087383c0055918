"""Health and the OpenAPI contract."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.api.models_platform import HealthOut
from shared.api.openapi import build_openapi
from shared.api.spec import Reply, registry
from shared.health import check_health

bp = func.Blueprint()

API_TITLE = "Children's University Online API"
API_VERSION = "1.0.0"


@endpoint(
    bp, name="health", method="GET", route="health", summary="Liveness and storage reachability",
    roles=None, response=HealthOut, tags=("platform",),
)
def health(call: HttpCall) -> Reply:
    report, healthy = check_health()
    return Reply(status=200 if healthy else 503, body=report)


@endpoint(
    bp, name="openapi", method="GET", route="openapi.json", summary="OpenAPI 3.1 document of every HTTP function",
    roles=None, tags=("platform",),
)
def openapi(call: HttpCall) -> Reply:
    return Reply(body=build_openapi(registry, title=API_TITLE, version=API_VERSION))
