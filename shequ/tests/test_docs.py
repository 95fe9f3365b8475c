"""The docs stay true: the README's generated section follows docs/*.md, every app is listed, no doc points elsewhere."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shequ import readme

ROOT = readme.ROOT
DOCS = sorted((ROOT / "docs").glob("*.md"))
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def test_it_keeps_the_readme_generated_section_in_step_with_the_docs() -> None:
    call_command("readme_sections", "--check")  # raises when README.md differs: run `manage.py readme_sections`


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    return tmp_path


def test_it_reports_a_doc_edited_without_the_readme_and_then_writes_it(checkout: Path) -> None:
    care = checkout / "docs" / "care.md"
    text = care.read_text(encoding="utf-8")
    care.write_text(text.replace("## The monthly rate (the number planning reads)\n",
                                 "## The monthly rate (the number planning reads)\nA line added to the manual.\n"), encoding="utf-8")
    assert readme.out_of_date(checkout)
    assert readme.write(checkout)
    assert not readme.out_of_date(checkout)
    updated = (checkout / "README.md").read_text(encoding="utf-8")
    assert "## The monthly visit rate\n\n(from [docs/care.md](docs/care.md))\n\nA line added to the manual.\n" in updated
    assert updated.startswith("# Shequ") and updated.rstrip().endswith((ROOT / "README.md").read_text(encoding="utf-8").rstrip()[-40:])


def test_it_names_a_doc_section_that_was_renamed(checkout: Path) -> None:
    care = checkout / "docs" / "care.md"
    care.write_text(care.read_text(encoding="utf-8").replace("## The monthly rate (the number planning reads)", "## Rates"),
                    encoding="utf-8")
    with pytest.raises(readme.DocSectionMissing, match="docs/care.md has no heading"):
        readme.out_of_date(checkout)


def test_it_refuses_the_check_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readme, "out_of_date", lambda: True)
    with pytest.raises(CommandError, match="manage.py readme_sections"):
        call_command("readme_sections", "--check")


def test_it_lists_every_app_in_the_readme_and_the_developer_guide() -> None:
    assert "workforce" in APPS
    apps_line = re.search(r"\*\*Apps\.\*\*(.*?)Writes live", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert apps_line is not None
    assert [app for app in APPS if f"`{app}`" not in apps_line.group(1)] == []
    guide = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
    assert [app for app in APPS if f"`{app}`" not in guide and f"`{app}/`" not in guide] == []


@pytest.mark.parametrize("doc", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_it_keeps_every_doc_inside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert not re.findall(r"\.\./shared|(?<![\w/.-])/work(?![\w-])/?", text)
    assert not re.findall(r"\bthe issue\b", text, re.IGNORECASE)


def test_it_has_a_manual_for_every_app() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    apps = sorted(p.parent.name for p in root.glob("*/apps.py"))
    missing = [app for app in apps if not (root / "docs" / f"{app}.md").exists()]
    assert not missing, f"apps without docs/<app>.md: {missing}"
