"""Every planning route: the plan's text is public; values, ledger and reports are scoped."""

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World


def _values_api(world: World) -> Probe:
    return Probe(url=f"/api/plan/values?unit={BOB_UNIT}&period=2025")


CASES = [
    ScopeCase("api/plan/values", _values_api),
]

OPEN_ROUTES = {
    "api/plan/tasks": "附件1 is a published document (the task list, no place data)",
    "api/plan/tasks/<number>": "one published task with a citywide progress summary (counts only)",
    "api/plan/indicators": "the published indicator catalogue",
}
