"""Shared shape of every import: validate everything, then write all rows or none."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = f"第{self.line}行"
        if self.column:
            where += f"「{self.column}」"
        shown = f"（{self.value}）" if self.value else ""
        return f"{where}{shown}：{self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed_nothing(self) -> bool:
        return self.ok and self.created == 0 and self.updated == 0


class ImportRejected(Exception):
    """Raised inside the write transaction to roll everything back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors
