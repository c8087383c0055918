"""OpenAPI 3.1 document generated from the registered endpoints."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.api.spec import API_PREFIX, Endpoint, EndpointRegistry
from shared.storage.tables import KEY_PATTERN

ROUTE_PARAM = re.compile(r"\{\*?([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")
REF_TEMPLATE = "#/components/schemas/{model}"

ERROR_DESCRIPTIONS = {
    400: "Invalid request",
    401: "Missing or invalid access token",
    403: "Known resource the caller may see but not change",
    404: "Not found, or outside the caller's scope",
    409: "Conflict",
    410: "No longer available",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many attempts (see Retry-After)",
    503: "Unavailable for now: storage did not answer (see Retry-After), or the feature is not configured",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["message"],
            },
        },
    },
    "required": ["type", "title", "status"],
}


def openapi_path(route: str, prefix: str = API_PREFIX) -> str:
    path = ROUTE_PARAM.sub(lambda m: "{" + m.group(1) + "}", route.strip("/"))
    return f"/{prefix}/{path}" if prefix else f"/{path}"


def _schema_ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        alias_name = name
        params.append(
            {
                "name": alias_name,
                "in": "query",
                "required": name in required,
                "schema": {k: v for k, v in prop.items() if k != "title"},
                **({"description": prop["description"]} if "description" in prop else {}),
            }
        )
    for def_name, def_schema in schema.get("$defs", {}).items():
        schemas.setdefault(def_name, def_schema)
    return params


def _operation(endpoint: Endpoint, schemas: dict) -> dict:
    op: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": list(endpoint.tags),
    }
    params = [
        # An id that could not be a storage key (/, \, #, ?, control characters) is a 400, never a 404.
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": KEY_PATTERN}}
        for name in ROUTE_PARAM.findall(endpoint.route)
    ]
    if endpoint.query is not None:
        params += _query_parameters(endpoint.query, schemas)
    if params:
        op["parameters"] = params
    if endpoint.request is not None or endpoint.request_content_types != ("application/json",):
        content: dict[str, Any] = {}
        for ctype in endpoint.request_content_types:
            if ctype == "application/json" and endpoint.request is not None:
                content[ctype] = {"schema": _schema_ref(endpoint.request)}
            else:
                content[ctype] = {"schema": {"type": "string"}}
        op["requestBody"] = {"required": True, "content": content}
    success: dict[str, Any] = {"description": "Success"}
    if endpoint.status != 204:
        if endpoint.response is not None:
            success["content"] = {endpoint.response_content_type: {"schema": _schema_ref(endpoint.response)}}
        elif endpoint.response_content_type != "application/json":
            success["content"] = {endpoint.response_content_type: {"schema": {"type": "string", "format": "binary"}}}
        for alternative in endpoint.alternative_content_types:
            success.setdefault("content", {})[alternative] = {"schema": {"type": "string", "format": "binary"}}
    responses: dict[str, Any] = {str(endpoint.status): success}
    # Any operation can meet a storage stall: 503 with Retry-After (`shared.problems`).
    statuses = set(endpoint.error_statuses) | {503}
    if endpoint.request is not None or endpoint.query is not None or params:
        statuses.add(400)
    if endpoint.roles is not None:
        statuses |= {401, 403}
        op["security"] = [{"bearerAuth": []}]
        op["x-roles"] = sorted(r.value for r in endpoint.roles)
    else:
        op["security"] = []
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": ERROR_DESCRIPTIONS.get(status, "Error"),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    op["responses"] = responses
    return op


def build_openapi(registry: EndpointRegistry, *, title: str, version: str, route_prefix: str = API_PREFIX) -> dict:
    endpoints = registry.all()
    models: list[tuple[type[BaseModel], str]] = []
    seen: set[type[BaseModel]] = set()
    for endpoint in endpoints:
        for model, mode in ((endpoint.request, "validation"), (endpoint.response, "serialization")):
            if model is not None and model not in seen:
                seen.add(model)
                models.append((model, mode))
    _, defs = models_json_schema(models, ref_template=REF_TEMPLATE) if models else ({}, {})
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Problem"] = PROBLEM_SCHEMA
    paths: dict[str, dict] = {}
    for endpoint in endpoints:
        path = openapi_path(endpoint.route, route_prefix)
        paths.setdefault(path, {})[endpoint.method.lower()] = _operation(endpoint, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
