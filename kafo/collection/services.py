"""Writes of collection follow-up, by job (this module re-exports their public names):

- rule_versions: the rules' seed from the reference file, the version in force;
- daily: the daily run (notices, assessments) and its set-based search of missing declarations;
- issuing: creating the notices (deduplicated, sent by a job), refreshing their status;
- assessments: posting an assessment, and its reversal by the real declaration.

The daily run (`collection_daily`, `kafo collection daily [--on DATE]`) is idempotent: every
notice has a dedup key unique per organisation (kind, employer, period, channel; the entry for a
penalty notice), and a period is assessed once (unique employer + period). Each notice created
is handed to kafo.messaging by a job (notices.send_notice, queue "notices") once the run commits.
Every write is audited on the employer's history.
"""

from __future__ import annotations

from .assessments import assessment_post, assessments_reverse
from .daily import (
    BATCH,
    WORKER_CHECK_DAYS,
    DailyResult,
    _months_before,
    collection_daily,
    missing_by_employer,
)
from .issuing import notice_issue, notices_refresh
from .rule_versions import collection_rules_seed, rules_in_force

__all__ = [
    "BATCH",
    "WORKER_CHECK_DAYS",
    "DailyResult",
    "_months_before",
    "assessment_post",
    "assessments_reverse",
    "collection_daily",
    "collection_rules_seed",
    "missing_by_employer",
    "notice_issue",
    "notices_refresh",
    "rules_in_force",
]
