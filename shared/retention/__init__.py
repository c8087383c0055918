"""Retention (DESIGN.md section 7): the scheduled erasure of people and expiry of rows, and its run records.

`policy` holds the rules as pure functions; `run_retention` applies them to storage.
"""

from shared.retention.errors import RetentionErrors
from shared.retention.model import Category, RetentionRunReport, RunStatus
from shared.retention.runs import latest_run
from shared.retention.service import run_retention

__all__ = ["Category", "RetentionErrors", "RetentionRunReport", "RunStatus", "latest_run", "run_retention"]
