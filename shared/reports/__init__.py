"""Insight for schools, partners and the Trust (API.md "Reports").

- `figures`: the figures of a group of pupils, from pupil rows (by day) or monthly roll-ups (pure).
- `suppression`: small numbers hidden in partner and national reports (pure).
- `present`: figures to response fields, and reports to formula-safe CSV (pure).
- `store`: the reads reports make and the `schoolstats` table of per-school monthly summaries.
- `rollup`: `roll_up_school`, `roll_up_partner` (its schools, then its total) and the bounded, resumable
  run behind the `reports_rollup` timer.
- `service`: `school_report` (live, from pupil rows), `partner_report` and `national_report` (from
  the roll-ups, month-granular, with `as_of`).
No report's cost grows with the number of redemptions: redemptions keep per-day aggregates on the
pupil row, a school report reads one row per pupil, a partner report one row per school and the national
report one row per partner.
"""

from shared.reports.present import report_csv
from shared.reports.rollup import RollupRun, roll_up, roll_up_partner, roll_up_school
from shared.reports.schemas import NationalReport, PartnerReport, ReportQuery, SchoolReport
from shared.reports.service import national_report, partner_report, school_report

__all__ = [
    "NationalReport", "PartnerReport", "ReportQuery", "RollupRun", "SchoolReport", "national_report",
    "partner_report", "report_csv", "roll_up", "roll_up_partner", "roll_up_school", "school_report",
]
