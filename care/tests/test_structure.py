"""The care module's shape: the writes import no background job module (no care.services ↔ care.tasks circle)."""

import ast
from pathlib import Path

CARE = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "care":
        return None
    base = CARE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        todo.extend(_imports(path))
    return seen


def test_it_keeps_the_services_free_of_the_task_module() -> None:
    assert "care.services" in _reachable("care.tasks")
    assert "care.tasks" not in _reachable("care.services")


def test_it_splits_the_services_into_modules_with_one_job_each() -> None:
    modules = {p.stem for p in (CARE / "services").glob("*.py")}
    assert {"plans", "visits", "notices", "readiness"} <= modules
    assert all(len(p.read_text(encoding="utf-8").splitlines()) < 300 for p in (CARE / "services").glob("*.py"))
