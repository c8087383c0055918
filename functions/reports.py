"""Reports (JSON or CSV) and the timer that rolls up the per-school summaries behind partner and national ones."""

import logging

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.api.spec import Reply
from shared.reports import (
    NationalReport,
    PartnerReport,
    ReportQuery,
    SchoolReport,
    national_report,
    partner_report,
    report_csv,
    roll_up,
    school_report,
)
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
log = logging.getLogger("cuo.reports")
TAGS = ("reports",)


def _render(report: SchoolReport | PartnerReport | NationalReport, query: ReportQuery,
            filename: str) -> SchoolReport | PartnerReport | NationalReport | Reply:
    if query.format == "csv":
        return Reply(body=report_csv(report), content_type="text/csv",
                     headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    return report


@endpoint(bp, name="school_report", method="GET", route="schools/{school_id}/report",
          summary="A school's insight report (live; range in days)", roles=STAFF_ROLES, query=ReportQuery,
          response=SchoolReport, alternative_content_types=("text/csv",), errors=(404,), tags=TAGS)
def get_school_report(call: HttpCall) -> SchoolReport | Reply:
    return _render(school_report(call.caller, call.route["school_id"], call.query), call.query, "school-report")


@endpoint(bp, name="partner_report", method="GET", route="partners/{partner_id}/report",
          summary="A partner's report over its schools (from roll-ups; range in months; small numbers hidden)",
          roles=(Role.TRUST_ADMIN, Role.PARTNER_MANAGER), query=ReportQuery, response=PartnerReport, errors=(404,),
          alternative_content_types=("text/csv",), tags=TAGS)
def get_partner_report(call: HttpCall) -> PartnerReport | Reply:
    return _render(partner_report(call.caller, call.route["partner_id"], call.query), call.query, "partner-report")


@endpoint(bp, name="national_report", method="GET", route="reports/national",
          summary="The national report (from roll-ups; range in months; small numbers hidden)",
          roles=(Role.TRUST_ADMIN,), query=ReportQuery, response=NationalReport,
          alternative_content_types=("text/csv",), tags=TAGS)
def get_national_report(call: HttpCall) -> NationalReport | Reply:
    return _render(national_report(call.caller, call.query), call.query, "national-report")


@bp.function_name("reports_rollup")
@bp.timer_trigger(schedule="%REPORTS_ROLLUP_SCHEDULE%", arg_name="timer", run_on_startup=False)
def reports_rollup(timer: func.TimerRequest) -> None:
    if timer.past_due:
        log.info("reports roll-up timer is past due", extra={"function": "reports_rollup"})
    roll_up().raise_for_errors()
