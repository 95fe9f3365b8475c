"""Every write of the care module: one function each, in a transaction, audited.

One module per job: `plans` (visit rules, monthly due rows, drop-outs, assignment), `visits` (visits and referrals),
`readiness` (disaster information officers, shelters, drills), `notices` (emergency notices and opt-in).
Callers import from `care.services`; the names below are the module's public writes.
"""

from care.delivery import deliver
from care.services.notices import (
    NOTICE_SENDER_ROLES,
    acknowledge,
    can_send_notices,
    resend_notice,
    send_notice,
    set_opt_in,
)
from care.services.plans import (
    assign_due_visit,
    assign_unassigned,
    generate_visit_plans,
    reconcile_due_visits,
    set_visit_rule,
)
from care.services.readiness import add_disaster_officer, add_shelter, end_disaster_officer, record_drill
from care.services.visits import REFERRAL_CATEGORIES, appeals_available, record_visit, refer_finding

__all__ = [
    "NOTICE_SENDER_ROLES",  "REFERRAL_CATEGORIES",
    "acknowledge", "add_disaster_officer", "add_shelter", "appeals_available", "assign_due_visit", "assign_unassigned",
    "can_send_notices", "deliver", "end_disaster_officer", "generate_visit_plans", "reconcile_due_visits",
    "record_drill", "record_visit", "refer_finding", "resend_notice", "send_notice", "set_opt_in", "set_visit_rule",
]
