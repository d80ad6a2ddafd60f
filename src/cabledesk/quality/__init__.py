"""The parse audit: the checks a careful reader makes, run over a whole corpus.

`audit(paths)` reads any files and folders `cabledesk parse` reads, parses every cable
and runs each check of `CHECKS` on it; the `AuditReport` counts, per check, the cables
it applied to and those that failed, what failed most, and the first offenders' ids.
`cabledesk audit-parse PATH...` prints it (docs/parse-audit.md).
"""

from cabledesk.quality.checks import CHECKS, Check, Context, Failure
from cabledesk.quality.report import AuditReport, CheckResult, Offender
from cabledesk.quality.run import AuditError, audit, check_cable

__all__ = [
    "CHECKS",
    "AuditError",
    "AuditReport",
    "Check",
    "CheckResult",
    "Context",
    "Failure",
    "Offender",
    "audit",
    "check_cable",
]
