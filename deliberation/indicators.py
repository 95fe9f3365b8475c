"""Indicator values this module holds, for planning (see docs/deliberation.md).

satisfaction_survey_coverage — per village-level unit: (1 if residents of the unit returned at least MIN_ANSWERS
answer sheets (phone or paper) to a 城乡社区服务群众满意度调查 from 1 January of end's year to end, else 0; 1).
A survey sent by a township or county counts for each of its villages by that village's own answers.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count

from deliberation.models import Response
from places.codes import within
from places.models import OrgUnit

Values = dict[str, tuple[float, float]]

# The city's minimum number of answers for a village or community to count as having run the survey.
MIN_ANSWERS = 30


def satisfaction_survey_coverage(start: dt.date, end: dt.date, prefix: str = "") -> Values:
    units = OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE)
    answers = Response.objects.filter(survey__satisfaction=True, submitted_on__gte=dt.date(end.year, 1, 1),
                                      submitted_on__lte=end)
    if prefix:
        units = units.filter(within("code", prefix))
        answers = answers.filter(within("unit_id", prefix))
    counted = {str(code): int(n) for code, n in
               answers.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")}
    return {str(code): (1.0 if counted.get(str(code), 0) >= MIN_ANSWERS else 0.0, 1.0)
            for code in units.values_list("code", flat=True)}


PROVIDES: dict[str, Callable[[dt.date, dt.date], Values]] = {
    "satisfaction_survey_coverage": satisfaction_survey_coverage,
}
