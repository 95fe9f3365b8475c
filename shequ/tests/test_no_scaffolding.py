"""Every domain app is part of the product: no fallback for an import that cannot fail, no comment about later issues."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Every app of the product and the project package.
CHECKED = sorted({p.parent.name for p in ROOT.glob("*/apps.py")} | {"shequ"})


def _product_files() -> list[Path]:
    files: list[Path] = []
    for entry in CHECKED:
        path = ROOT / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        files += [p for p in candidates if "tests" not in p.parts and "migrations" not in p.parts]
    return files


def test_it_has_no_import_error_fallbacks_in_the_product() -> None:
    found = []
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None and "ImportError" in ast.unparse(node.type):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found


def test_it_has_no_comments_about_later_issues() -> None:
    pattern = re.compile(r"later (issues?|modules?) add|the issue\b", re.IGNORECASE)
    found = [f"{p.relative_to(ROOT)}:{n}" for p in _product_files()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found
