"""Scope cases for the Excel import/export routes (people/io_urls.py).

Jobs belong to the person who started them: bob starts a real job (an export, an import with
a bad row) and runs it to the end; bob sees its pages and files, and anyone else (even bob's
own township) gets 404 for them and sees nothing of it in "我的任务".
"""

import io

from people.tests.io_helpers import BOB_UNIT, book, person
from shequ.testing.media import Reupload
from shequ.testing.scope import OWNER_ONLY, Probe, ScopeCase
from shequ.testing.world import World

BOB_RESIDENT = "鲍勃乙"


def _bob_resident(world: World) -> None:
    from people.importers import ResidentImporter

    data = book([person(9001, unit=BOB_UNIT, household="BOB1", **{"姓名": BOB_RESIDENT})])
    assert ResidentImporter(actor=world.bob).import_file(io.BytesIO(data)).ok


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
BAD_RELATION = "桥东错关系"


def _bob_export_job(world: World) -> int:
    """bob exports his community as a background job, run to the end: the result file holds his resident."""
    from django.test import override_settings

    from people import jobs

    _bob_resident(world)
    with override_settings(TASKS=IMMEDIATE):
        job = jobs.start_export(owner=world.bob, filters={"unit": BOB_UNIT, "status": ""}, unmasked=False)
    return job.pk


def _bob_import_job(world: World) -> int:
    """bob imports a sheet with one bad row: the job's page and its error report show the bad value."""
    from django.core.files.base import ContentFile
    from django.test import override_settings

    from people import jobs

    data = book([person(9003, unit=BOB_UNIT, household="BOB3", **{"姓名": BOB_RESIDENT, "与户主关系": BAD_RELATION})])
    upload = ContentFile(data, name="bob.xlsx")
    with override_settings(TASKS=IMMEDIATE):
        job = jobs.start_import(owner=world.bob, upload=upload, dry_run=False)
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
    pk = _bob_import_job(world)
    return Probe(url="/people/jobs/", kind="list", marker=f"/people/jobs/{pk}/")


def _job_page(suffix: str):
    return lambda world: Probe(url=f"/people/jobs/{_bob_import_job(world)}/{suffix}", marker=BAD_RELATION)


def _job_result(world: World) -> Probe:
    return Probe(url=f"/people/jobs/{_bob_export_job(world)}/result.xlsx", marker=BOB_RESIDENT)


CASES: list[ScopeCase] = [
    ScopeCase("people/import/", _import_into_bobs_community, methods=("post",)),
    ScopeCase("people/export/", _export),
    ScopeCase("people/jobs/", _jobs_list, **OWNER_ONLY),
    ScopeCase("people/jobs/<int:pk>/", _job_page(""), **OWNER_ONLY),
    ScopeCase("people/jobs/<int:pk>/progress/", _job_page("progress/"), **OWNER_ONLY),
    ScopeCase("people/jobs/<int:pk>/result.xlsx", _job_result, **OWNER_ONLY),
    ScopeCase("people/jobs/<int:pk>/errors.xlsx", _job_page("errors.xlsx"), **OWNER_ONLY),
]
OPEN_ROUTES: dict[str, str] = {
    "people/import/template.xlsx": "the empty import template holds no one's data",
}
