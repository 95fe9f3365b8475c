"""Evidence uploads of progress reports (F20): limits per file and per report, replaced files and orphans removed."""

import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.models import AuditEntry
from planning import services
from planning.models import Assignment, Evidence, ProgressReport
from shequ.testing.world import TAOCHENG

KB = 1024


@pytest.fixture
def assignment(tree, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.load_plan()
    services.create_annual_assignments(year=2025)
    return Assignment.objects.get(task__number=22, year=2025, unit_id=TAOCHENG)


def pdf(name: str, size: int = 10) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4" + b"x" * max(size - 8, 0), content_type="application/pdf")


def report(assignment, world, files, *, submit=False, remove=()):
    return services.save_report(assignment=assignment, period="2025-Q1", narrative="召开联席会议", percent=20, submit=submit,
                                actor=world.carl, files=files, remove_evidence=remove)


def test_it_refuses_a_file_over_the_per_file_limit_and_stores_nothing(assignment, world, monkeypatch) -> None:
    monkeypatch.setenv("SHEQU_PLANNING_EVIDENCE_MAX_FILE_MB", "1")
    with pytest.raises(ValidationError, match="附件 大.pdf 超过 1MB"):
        report(assignment, world, [pdf("大.pdf", 1024 * KB + 1)])
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    report(assignment, world, [pdf("小.pdf", 1024 * KB)])
    assert Evidence.objects.get().size == 1024 * KB


def test_it_limits_the_number_of_files_of_one_report(assignment, world, login, monkeypatch) -> None:
    monkeypatch.setenv("SHEQU_PLANNING_EVIDENCE_MAX_FILES", "2")
    with pytest.raises(ValidationError, match="最多 2 个附件"):
        report(assignment, world, [pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf")])
    report(assignment, world, [pdf("1.pdf"), pdf("2.pdf")])
    # The form posts many files under one name: the third is refused with the reason, the two stay.
    response = login(world.carl).post(f"/plan/assignments/{assignment.pk}/report/", {
        "period": "2025-Q1", "narrative": "补充", "percent": "30", "draft": "1", "evidence": [pdf("3.pdf")]}, follow=True)
    assert "每期进展报告最多 2 个附件（已有 2 个）" in response.content.decode()
    assert sorted(Evidence.objects.values_list("name", flat=True)) == ["1.pdf", "2.pdf"]


def test_it_limits_the_total_size_of_one_report(assignment, world, monkeypatch) -> None:
    monkeypatch.setenv("SHEQU_PLANNING_EVIDENCE_MAX_REPORT_MB", "1")
    report(assignment, world, [pdf("a.pdf", 600 * KB)])
    with pytest.raises(ValidationError, match="合计不能超过 1MB"):
        report(assignment, world, [pdf("b.pdf", 600 * KB)])
    assert Evidence.objects.count() == 1


def test_it_replaces_a_returned_reports_file_and_deletes_the_old_one(assignment, world, login, django_capture_on_commit_callbacks) -> None:
    first = report(assignment, world, [pdf("旧.pdf")], submit=True)
    services.review_report(report=first, accept=False, comment="请更换佐证", actor=world.erin)
    old = Evidence.objects.get()
    path = old.file.path
    assert os.path.exists(path)
    page = login(world.carl).get(f"/plan/assignments/{assignment.pk}/").content.decode()
    assert f'name="remove_evidence" value="{old.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.carl).post(f"/plan/assignments/{assignment.pk}/report/", {
            "period": "2025-Q1", "narrative": "已更换", "percent": "40", "evidence": [pdf("新.pdf")],
            "remove_evidence": [str(old.pk)]})
    assert response.status_code == 302
    assert list(Evidence.objects.values_list("name", flat=True)) == ["新.pdf"]
    assert not os.path.exists(path)
    assert ProgressReport.objects.get().state == "submitted"


def test_it_refuses_to_remove_another_reports_evidence(assignment, world) -> None:
    report(assignment, world, [pdf("a.pdf")])
    other = Assignment.objects.get(task__number=23, year=2025, unit_id=TAOCHENG)
    theirs = services.save_report(assignment=other, period="2025-Q1", narrative="x", percent=1, submit=False, actor=world.carl,
                                  files=[pdf("b.pdf")])
    with pytest.raises(ValidationError, match="所选附件不属于该期进展报告"):
        report(assignment, world, [], remove=[theirs.evidence.get().pk])
    assert Evidence.objects.count() == 2


def test_it_cleans_up_orphaned_evidence_past_the_grace_period(assignment, world, tmp_path) -> None:
    kept = report(assignment, world, [pdf("留.pdf")]).evidence.get()
    stale = default_storage.save("planning/evidence/2025/01/orphan.pdf", ContentFile(b"%PDF-1.4 left behind"))
    fresh = default_storage.save("planning/evidence/2025/03/uploading.pdf", ContentFile(b"%PDF-1.4 in flight"))
    week_ago = (dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=7)).timestamp()
    os.utime(default_storage.path(stale), (week_ago, week_ago))
    os.utime(kept.file.path, (week_ago, week_ago))
    call_command("planning_clean_evidence")
    assert not default_storage.exists(stale)
    assert default_storage.exists(fresh) and default_storage.exists(kept.file.name)
    assert AuditEntry.objects.filter(action="planning.evidence_cleaned", detail__deleted=1).exists()
    assert services.clean_orphaned_evidence(older_than=dt.timedelta(0)) == {"deleted": 1, "kept_recent": 0}
    assert not default_storage.exists(fresh) and default_storage.exists(kept.file.name)
