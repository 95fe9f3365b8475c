"""The README's generated section: chosen sections of docs/*.md, copied between the module-sections markers.

`manage.py readme_sections` writes it, `manage.py readme_sections --check` fails when README.md differs from what
the docs give (a test runs the check, so CI catches drift). Edit the docs, not the README, then run the command.
"""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- module-sections:start (generated from docs/*.md) -->"
END = "<!-- module-sections:end -->"


@dataclass(frozen=True)
class Section:
    """A README heading and where its text comes from: one section of one doc (with its subsections), or none."""

    title: str
    level: int
    doc: str = ""
    heading: str = ""


SECTIONS = [
    Section("The plan's 28 indicators and how each is measured", 2, "docs/planning.md", "## Indicators"),
    Section("接诉即办: rating and the three rates", 2, "docs/appeals.md", "## 好差评 and the three rates"),
    Section("The monthly visit rate", 2, "docs/care.md", "## The monthly rate (the number planning reads)"),
    Section("Excel templates", 2),
    Section("Residents (居民导入模板)", 3, "docs/people-io.md", "## The template (Excel columns, in this order)"),
    Section("Households and coordinates (户信息)", 3, "docs/people-io.md", "## Households and their coordinates (`import_households`)"),
    Section("Facilities (服务设施导入模板)", 3, "docs/facilities.md", "### Facility columns (in this order)"),
    Section("Service points (便民网点)", 3, "docs/facilities.md", "### Service point columns"),
    Section("Community floor areas (社区建筑面积)", 3, "docs/facilities.md", "### Community floor area columns"),
    Section("Community workers (社区工作者)", 3, "docs/workforce.md", "## Excel import and export (`workforce/importers.py`)"),
    Section("Volunteers and service records (志愿者)", 3, "docs/volunteers.md", "## Excel files (`volunteers/importers.py`)"),
    Section("Social organisations (社会组织)", 3, "docs/socialorgs.md", "## Excel files (`socialorgs/importers.py`)"),
    Section("Department datasets (部门数据集)", 3, "docs/exchange.md", "### The four datasets (fixed first columns)"),
    Section("Community archive package (社区档案)", 3, "docs/activities.md", "### The archive package (`/activities/archive/export/`)"),
]
HEADING = re.compile(r"^(#{1,6}) ")


class DocSectionMissing(Exception):
    pass


def _body(text: str, heading: str) -> tuple[int, list[str]]:
    """The lines under `heading` up to the next heading of the same or a higher level, and the heading's level."""
    lines = text.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        raise DocSectionMissing(heading) from None
    level = len(heading) - len(heading.lstrip("#"))
    body: list[str] = []
    for line in lines[start + 1:]:
        found = HEADING.match(line)
        if found and len(found.group(1)) <= level:
            break
        body.append(line)
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    return level, body


def generate(root: Path = ROOT) -> str:
    """The text between the markers, from the docs as they are."""
    blocks: list[str] = []
    for section in SECTIONS:
        blocks.append(f"{'#' * section.level} {section.title}")
        if not section.doc:
            continue
        try:
            level, body = _body((root / section.doc).read_text(encoding="utf-8"), section.heading)
        except DocSectionMissing as exc:
            raise DocSectionMissing(f"{section.doc} has no heading {exc.args[0]!r} (shequ/readme.py SECTIONS)") from None
        shift = section.level - level + 1
        blocks.append(f"(from [{section.doc}]({section.doc}))")
        blocks.append("\n".join("#" * min(6, len(m.group(1)) + shift) + line[len(m.group(1)):] if (m := HEADING.match(line)) else line
                                for line in body))
    return "\n" + "\n\n".join(blocks) + "\n\n"


def render(readme: str, root: Path = ROOT) -> str:
    """README text with its generated section brought up to date."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START} … {END}")
    return head + START + "\n" + generate(root) + END + tail


def out_of_date(root: Path = ROOT) -> bool:
    readme = (root / "README.md").read_text(encoding="utf-8")
    return render(readme, root) != readme


def write(root: Path = ROOT) -> bool:
    """Bring README.md up to date; True when it changed."""
    path = root / "README.md"
    readme = path.read_text(encoding="utf-8")
    updated = render(readme, root)
    if updated != readme:
        path.write_text(updated, encoding="utf-8")
    return updated != readme
