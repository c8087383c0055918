"""The web client (web/) at `/`, served by the Function App so it stays in the UK with the app's own headers.

host.json's routePrefix is empty and every API route starts with `api/`, so this catch-all sees only what
no API function matched (routes with literal segments win over a catch-all, in the host as in the devhost):
web files, unknown paths, and API paths asked with a method they do not take (a 405 with `Allow`).
"""

import azure.functions as func

from functions._http import problem_response
from shared.api.spec import API_PREFIX, registry
from shared.errors import DomainError
from shared.observability import new_correlation_id
from shared.security.headers import add_missing, api_headers
from shared.web_client import web_file

bp = func.Blueprint()


@bp.function_name("web_client")
@bp.route(route="{*path}", methods=["GET", "HEAD"], auth_level=func.AuthLevel.ANONYMOUS)
def web_client(req: func.HttpRequest) -> func.HttpResponse:
    path = req.route_params.get("path") or ""
    head, _, rest = path.strip("/").partition("/")
    if head.lower() == API_PREFIX:
        allowed = registry.methods_at(rest)
        if allowed:
            return func.HttpResponse(status_code=405, headers={**api_headers(), "Allow": ", ".join(allowed)})
    try:
        file = web_file(path)
    except DomainError as exc:
        response = problem_response(exc, new_correlation_id())
        add_missing(response.headers)
        return response
    sent = file.representation(req.headers.get("accept-encoding"))
    if sent.is_current(req.headers.get("if-none-match")):
        return func.HttpResponse(status_code=304, headers=sent.not_modified_headers(), mimetype=file.mimetype)
    # HEAD gets the same answer; the server drops the body.
    return func.HttpResponse(body=sent.body, status_code=200, headers=dict(sent.headers), mimetype=file.mimetype)
