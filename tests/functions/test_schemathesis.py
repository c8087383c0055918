"""A bounded schemathesis run over /api/openapi.json (issues 14 and 24): every operation, generated requests, as
each role (a trust admin, a partner manager, school staff and a pupil), through the devhost's ASGI app (in
process, the session's Azurite behind it).

Checked: no 5xx, documented status codes and content types, responses that match their schemas. Sign-out
operations are left out: they would end the very sessions the run uses.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from devhost.http_server import build_app
from devhost.routing import http_routes, route_prefix
from tests.support import HOST_JSON

# Per operation and role: about 80 operations x 4 roles x 3 ≈ 1,000 requests, bounded so the whole suite stays within
# its 10 minutes (issue 14 ran 5 per operation as 2 roles).
EXAMPLES = 3
SKIPPED = ("auth_logout", "auth_logout_all")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The run's own client address (TEST-NET-1), as the devhost's front end reports it: the run's hundreds of
# generated sign-ins, reset-link requests and code guesses use up that address's allowances, not those of the
# other tests' callers.
CLIENT = ("192.0.2.77", 50000)


def _from_own_address(asgi_app):
    async def app(scope, receive, send):
        await asgi_app({**scope, "client": CLIENT} if scope["type"] == "http" else scope, receive, send)

    return app


def _api_schema():
    from function_app import app

    # The OpenAPI document needs no storage, so it can be read while tests are collected.
    prefix = route_prefix(HOST_JSON)  # "" since the Function App also serves the web client at /
    asgi_app = _from_own_address(build_app(http_routes(app, prefix), prefix=prefix))
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", asgi_app)
    for operation_id in SKIPPED:
        loaded = loaded.exclude(operation_id=operation_id)
    return loaded


schema = _api_schema()


def _run(case, token: str) -> None:
    case.call_and_validate(headers={"authorization": f"Bearer {token}"}, checks=CHECKS)


BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


@schema.parametrize()
@BOUNDED
def test_as_a_trust_admin_no_5xx_and_every_answer_matches_the_schema(case, world, azurite):
    _run(case, world.admin.token)


@schema.parametrize()
@BOUNDED
def test_as_a_partner_manager_no_5xx_and_every_answer_matches_the_schema(case, world):
    _run(case, world.a.manager.token)


@schema.parametrize()
@BOUNDED
def test_as_school_staff_no_5xx_and_every_answer_matches_the_schema(case, world):
    _run(case, world.a.staff.token)


@schema.parametrize()
@BOUNDED
def test_as_a_pupil_no_5xx_and_every_answer_matches_the_schema(case, world):
    assert world.a.pupil is not None
    _run(case, world.a.pupil.token)
