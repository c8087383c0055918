"""Wiring only: the Function App and one Blueprint per area."""

import azure.functions as func

from functions import auth, compliance, learning, organisation, platform, reports, retention, roster

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in (platform.bp, auth.bp, organisation.bp, roster.bp, learning.bp, compliance.bp, retention.bp,
                  reports.bp):
    app.register_functions(blueprint)
