"""Opening hours: "HH:MM-HH:MM", several spans separated by commas, or empty for closed."""

import re

from django.core.exceptions import ValidationError

SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—~至]\s*(\d{1,2}):(\d{2})$")
SEPARATORS = re.compile(r"[,，、;；]")


def parse_hours(text: str) -> tuple[str, int]:
    """Normalised text and open minutes of one day's hours; raises ValidationError in Chinese."""
    text = (text or "").strip()
    if not text or text in {"休息", "闭馆", "不开放"}:
        return "", 0
    spans: list[tuple[int, int]] = []
    for part in SEPARATORS.split(text):
        match = SPAN.match(part.strip())
        if not match:
            raise ValidationError(f"开放时间「{part.strip()}」格式应为 HH:MM-HH:MM，例如 08:30-17:30")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValidationError(f"开放时间「{part.strip()}」不是有效的时刻")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ValidationError(f"开放时间「{part.strip()}」的结束时间应晚于开始时间")
        spans.append((start, end))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise ValidationError(f"开放时间「{text}」的时段相互重叠")
    normal = ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in spans)
    return normal, sum(e - s for s, e in spans)


def week_minutes(week: list[str]) -> list[int]:
    return [parse_hours(day)[1] for day in week]


def min_weekday_minutes(week: list[str]) -> int:
    """Shortest Monday–Friday opening, in minutes (0 when any weekday is closed)."""
    return min(week_minutes(week)[:5]) if week else 0
