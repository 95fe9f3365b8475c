"""Scope cases for the Excel import/export routes (people/io_urls.py).

Jobs belong to the person who started them: anyone else (even bob's own township)
gets 404 for a job's pages and files, and sees nothing of it in "我的任务".
"""

import io

from people.tests.io_helpers import BOB_UNIT, book, person
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import World

BOB_RESIDENT = "鲍勃乙"


class Reupload(io.BytesIO):
    """An upload the test client can send again and again (it reads without seeking)."""

    def read(self, size: int | None = -1) -> bytes:
        self.seek(0)
        return super().read()


def _bob_resident(world: World) -> None:
    from people.importers import ResidentImporter

    data = book([person(9001, unit=BOB_UNIT, household="BOB1", **{"姓名": BOB_RESIDENT})])
    assert ResidentImporter(actor=world.bob).import_file(io.BytesIO(data)).ok


def _bob_job(world: World) -> int:
    from django.core.files.base import ContentFile

    from web.models import Job

    job = Job(kind="people.export", owner=world.bob, unit_code=BOB_UNIT, status="done",
              message=f"导出完成 {BOB_RESIDENT}")
    job.result_file.save("bob-result.xlsx", ContentFile(b"PK"), save=False)
    job.error_file.save("bob-errors.xlsx", ContentFile(b"PK"), save=False)
    job.save()
    return job.pk


def _export(world: World) -> Probe:
    _bob_resident(world)
    return Probe(url=f"/people/export/?unit={BOB_UNIT}&status=", kind="list", marker=BOB_RESIDENT)


def _import_into_bobs_community(world: World) -> Probe:
    from people.models import Resident

    upload = Reupload(book([person(9002, unit=BOB_UNIT, household="X9", **{"姓名": "外来甲"})]))
    upload.name = "bob.xlsx"

    def unchanged() -> bool:
        return not Resident.objects.filter(unit_id=BOB_UNIT, name="外来甲").exists()

    return Probe(url="/people/import/", method="post", kind="write", data={"file": upload}, unchanged=unchanged)


def _jobs_list(world: World) -> Probe:
    _bob_job(world)
    return Probe(url="/people/jobs/", kind="list", marker=BOB_RESIDENT)


def _job_page(suffix: str):  # type: ignore[no-untyped-def]
    return lambda world: Probe(url=f"/people/jobs/{_bob_job(world)}/{suffix}")


CASES: list[ScopeCase] = [
    ScopeCase("people/import/", _import_into_bobs_community, methods=("post",)),
    ScopeCase("people/export/", _export),
    ScopeCase("people/jobs/", _jobs_list),
    ScopeCase("people/jobs/<int:pk>/", _job_page("")),
    ScopeCase("people/jobs/<int:pk>/progress/", _job_page("progress/")),
    ScopeCase("people/jobs/<int:pk>/result.xlsx", _job_page("result.xlsx")),
    ScopeCase("people/jobs/<int:pk>/errors.xlsx", _job_page("errors.xlsx")),
]
OPEN_ROUTES: dict[str, str] = {
    "people/import/template.xlsx": "the empty import template holds no one's data",
}
