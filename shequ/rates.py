"""How a rate is shown — one rule for every page and report: 74.7% (one decimal), "—" when there is none.
Exports store the rate itself as a number with PERCENT_FORMAT (shequ.xlsx.Percent), never this text."""

PERCENT_FORMAT = "0.0%"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
