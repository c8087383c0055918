"""Wiring only: the Function App and one Blueprint per area."""

import azure.functions as func

from functions import (
    auth,
    compliance,
    credentials,
    destinations,
    graduation,
    learning,
    organisation,
    platform,
    reports,
    retention,
    roster,
    transfer,
    web,
)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

# web.bp last: its catch-all route serves the web client wherever no API route matched.
for blueprint in (platform.bp, auth.bp, organisation.bp, roster.bp, destinations.bp, learning.bp, compliance.bp,
                  retention.bp, reports.bp, credentials.bp, graduation.bp, transfer.bp, web.bp):
    app.register_functions(blueprint)
