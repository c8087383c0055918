"""The daily retention timer (DESIGN.md section 7). The rules and the run record live in shared.retention."""

import logging

import azure.functions as func

from shared.retention import run_retention

bp = func.Blueprint()
log = logging.getLogger("cuo.retention")


@bp.function_name("retention_run")
@bp.timer_trigger(schedule="%RETENTION_SCHEDULE%", arg_name="timer", run_on_startup=False)
def retention_run(timer: func.TimerRequest) -> None:
    if timer.past_due:
        log.info("retention timer is past due", extra={"function": "retention_run"})
    run_retention().raise_for_errors()
