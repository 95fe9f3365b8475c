"""Every duties route, probed against a task, an admission request, a certificate, a proxy case and an assessment of
bob's community (桥东社区) and his township (河东街道)."""

import datetime as dt

from django.utils import timezone

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, HEDONG, INSIDERS, OUTSIDERS, World

TASK = "桥东低保入户核查任务"
ADMISSION = "桥东清单外准入任务"
PERSON = "桥东证明人甲"
APPLICANT = "桥东代办人乙"
INDICATOR = "河东居民满意度评估"
MATERIAL = "QIAODONG-PROXY-MATERIAL"  # ASCII: a PDF's text is extracted without a CJK font

# A task of 市民政局 to bob's community: the community's chain and the sending department (erin) see it.
WITH_ERIN = (*INSIDERS, "erin")
NOT_ERIN = tuple(u for u in OUTSIDERS if u != "erin")
# Admission requests: the filing department (erin, 市民政局, also a city reviewer) and the city.
REVIEWERS = ("cindy", "erin")
NOT_REVIEWERS = ("bob", "tom", "carl", "alice", "tina", "dave", "rita", "sam", "sue", "audrey")


def _lists() -> None:
    from duties.demo import ensure_lists

    ensure_lists()


def _task(world: World, title: str = TASK):
    from duties.models import DutyTask, WorkItem

    _lists()
    found = DutyTask.objects.filter(title=title).first()
    if found is not None:
        return found
    return DutyTask.objects.create(unit_id=BOB_UNIT, department=world.erin.department,
                                   item=WorkItem.objects.get(code="XZ01"), title=title, kind="inspection",
                                   deadline=timezone.localdate() + dt.timedelta(days=30), hours=4, funding="每户20元")


def _objected(world: World):
    from duties.models import DutyTask

    task = _task(world)
    DutyTask.objects.filter(pk=task.pk).update(objection="raised", objection_text="不在清单内", objection_answer="",
                                               withdrawn=False)
    return task


def _admission(world: World):
    from duties.models import AdmissionRequest

    return AdmissionRequest.objects.get_or_create(title=ADMISSION, defaults={
        "department": world.erin.department, "kind": "collection", "reason": "专项调查", "funding": "每社区500元",
        "hours_per_community": 2})[0]


def _resident():
    from people.models import Resident
    from people.tests.factories import resident

    return Resident.objects.filter(name=PERSON).first() or resident(BOB_UNIT, name=PERSON)


def _certificate(world: World, *, issued: bool = False):
    from duties.models import CertificateItem, CertificateRequest

    _lists()
    found = CertificateRequest.objects.filter(name=PERSON).first()
    if found is None:
        found = CertificateRequest.objects.create(unit_id=BOB_UNIT, item=CertificateItem.objects.get(code="ZM01"),
                                                  resident=_resident(), name=PERSON, purpose="子女入学")
    if issued and found.status != "issued":
        from duties import services

        found = services.issue_certificate(actor=world.bob, req=found, content="该居民在本社区居住。")
    return found


def _service():
    from duties.models import ServiceItem

    _lists()
    return ServiceItem.objects.get(name="高龄津贴申领")


def _case(world: World):
    from duties.models import ProxyCase

    found = ProxyCase.objects.filter(applicant=APPLICANT).first()
    if found is not None:
        return found
    item = _service()
    return ProxyCase.objects.create(unit_id=BOB_UNIT, item=item, department=item.department, applicant=APPLICANT,
                                    phone_masked="139****0000")


def _material(world: World) -> Probe:
    from django.core.files.base import ContentFile

    from duties.models import ProxyMaterial
    from shequ.testing.media import pdf

    material = ProxyMaterial(case=_case(world), name="居民身份证", content_type="application/pdf")
    material.file.save("probe.pdf", ContentFile(pdf(MATERIAL)), save=True)
    return Probe(url=f"/duties/proxy/materials/{material.pk}/", marker=MATERIAL)


def _assessment(world: World):
    from duties.models import Assessment

    return Assessment.objects.get_or_create(unit_id=HEDONG, year=2025, defaults={"indicators": [
        {"name": INDICATOR, "weight": 100.0, "source": "scored", "code": ""}]})[0]


def _task_post(world: World) -> Probe:
    from duties.models import DutyTask

    _lists()
    return Probe(url="/duties/tasks/new/", method="post", kind="write",
                 unchanged=lambda: not DutyTask.objects.filter(title="外来下派任务").exists(),
                 data={"title": "外来下派任务", "kind": "inspection", "item_code": "XZ01", "admission": "",
                       "unit_codes": BOB_UNIT, "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
                       "hours": "2", "funding": ""})


def _object_post(world: World) -> Probe:
    from duties.models import DutyTask

    task = _task(world)
    return Probe(url=f"/duties/tasks/{task.pk}/object/", method="post", kind="write",
                 unchanged=lambda: DutyTask.objects.filter(pk=task.pk, objection="").exists(),
                 data={"text": "不在清单内"})


def _answer_post(world: World) -> Probe:
    from duties.models import DutyTask

    task = _objected(world)
    return Probe(url=f"/duties/tasks/{task.pk}/answer/", method="post", kind="write",
                 unchanged=lambda: DutyTask.objects.filter(pk=task.pk, objection="raised").exists(),
                 data={"answer": "属于清单事项", "upheld": "0"})


def _admission_post(world: World) -> Probe:
    from duties.models import AdmissionRequest

    return Probe(url="/duties/admissions/", method="post", kind="write",
                 unchanged=lambda: not AdmissionRequest.objects.filter(title="外来准入申请").exists(),
                 data={"title": "外来准入申请", "kind": "collection", "reason": "调查", "funding": "500元", "hours": "1"})


def _review_post(world: World) -> Probe:
    from duties.models import AdmissionRequest

    req = _admission(world)
    AdmissionRequest.objects.filter(pk=req.pk).update(status="pending")
    return Probe(url=f"/duties/admissions/{req.pk}/", method="post", kind="write",
                 unchanged=lambda: AdmissionRequest.objects.filter(pk=req.pk, status="pending").exists(),
                 data={"decision": "reject", "conditions": "", "reason": "属于部门职责"})


def _issue_post(world: World) -> Probe:
    from duties.models import CertificateRequest

    req = _certificate(world)
    return Probe(url=f"/duties/certificates/{req.pk}/", method="post", kind="write",
                 unchanged=lambda: CertificateRequest.objects.filter(pk=req.pk, status="requested").exists(),
                 data={"action": "issue", "content": "该居民在本社区居住。"})


def _verify(world: World) -> Probe:
    from duties import services
    from people.masking import mask_name

    req = _certificate(world, issued=True)
    return Probe(url=f"/c/{services.certificate_code(req)}/", kind="public", marker=mask_name(PERSON), secret=PERSON)


def _verify_post(world: World) -> Probe:
    from duties.models import ProxyCase

    case = _case(world)
    return Probe(url=f"/duties/proxy/{case.pk}/", method="post", kind="write",
                 unchanged=lambda: ProxyCase.objects.filter(pk=case.pk, status="submitted").exists(),
                 data={"action": "verify", "note": ""})


def _assessment_post(world: World) -> Probe:
    from duties.models import Assessment

    return Probe(url="/duties/assessments/", method="post", kind="write",
                 unchanged=lambda: not Assessment.objects.filter(unit_id=HEDONG, year=2026).exists(),
                 data={"unit_code": HEDONG, "year": "2026", "indicators": "满意度|100|scored||否"})


def _score_post(world: World) -> Probe:
    from duties.models import Score

    a = _assessment(world)
    return Probe(url=f"/duties/assessments/{a.pk}/", method="post", kind="write",
                 unchanged=lambda: not Score.objects.filter(assessment=a).exists(),
                 data={"action": "score", "unit_code": BOB_UNIT, "indicator": INDICATOR, "value": "0.9",
                       "evidence": "入户问卷"})


def _api_task_post(world: World) -> Probe:
    from duties.models import DutyTask

    _lists()
    return Probe(url="/api/duties/tasks", method="post", kind="write", json=True,
                 unchanged=lambda: not DutyTask.objects.filter(title="接口下派任务").exists(),
                 data={"unit_codes": [BOB_UNIT], "title": "接口下派任务", "kind": "form", "item_code": "XZ01",
                       "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(), "hours": 1})


ERIN_ONLY = {"insiders": ("erin",), "outsiders": NOT_ERIN}
TOWNSHIP_WRITES = {"insiders": ("tom",), "outsiders": ("bob", "alice", "tina", "dave", "erin", "rita", "sam", "sue",
                                                       "audrey")}

CASES = [
    ScopeCase("duties/", lambda w: (_task(w), Probe(url="/duties/", kind="list", marker=TASK))[1],
              insiders=WITH_ERIN, outsiders=NOT_ERIN),
    ScopeCase("duties/tasks/new/", _task_post, methods=("post",), **ERIN_ONLY),
    ScopeCase("duties/tasks/<int:pk>/", lambda w: Probe(url=f"/duties/tasks/{_task(w).pk}/", marker=TASK),
              insiders=WITH_ERIN, outsiders=NOT_ERIN),
    ScopeCase("duties/tasks/<int:pk>/object/", _object_post, methods=("post",), insiders=("bob",)),
    ScopeCase("duties/tasks/<int:pk>/answer/", _answer_post, methods=("post",), insiders=REVIEWERS,
              outsiders=NOT_REVIEWERS),
    ScopeCase("duties/admissions/", lambda w: (_admission(w), Probe(url="/duties/admissions/", kind="list",
                                                                    marker=ADMISSION))[1],
              insiders=REVIEWERS, outsiders=NOT_REVIEWERS),
    ScopeCase("duties/admissions/", _admission_post, methods=("post",), **ERIN_ONLY),
    ScopeCase("duties/admissions/<int:pk>/", lambda w: Probe(url=f"/duties/admissions/{_admission(w).pk}/",
                                                             marker=ADMISSION),
              insiders=REVIEWERS, outsiders=NOT_REVIEWERS),
    ScopeCase("duties/admissions/<int:pk>/", _review_post, methods=("post",), insiders=("cindy",),
              outsiders=NOT_REVIEWERS),
    ScopeCase("duties/report/", lambda w: (_task(w), Probe(url="/duties/report/", kind="list", marker="市民政局"))[1],
              insiders=WITH_ERIN, outsiders=NOT_ERIN),
    ScopeCase("duties/report/", lambda w: (_task(w), Probe(url="/duties/report/?format=xlsx", kind="list",
                                                           marker="市民政局"))[1],
              insiders=WITH_ERIN, outsiders=NOT_ERIN),
    # The PDF of the report renders the same figures (no CJK font in CI, so its text is not extractable).
    ScopeCase("duties/certificates/", lambda w: (_certificate(w), Probe(url="/duties/certificates/", kind="list",
                                                                        marker=PERSON))[1]),
    ScopeCase("duties/certificates/", lambda w: (_certificate(w, issued=True),
                                                 Probe(url="/duties/certificates/?log=1", kind="list", marker=PERSON))[1]),
    ScopeCase("duties/certificates/<int:pk>/",
              lambda w: Probe(url=f"/duties/certificates/{_certificate(w).pk}/", marker=PERSON)),
    ScopeCase("duties/certificates/<int:pk>/", _issue_post, methods=("post",)),
    # The PDF's text is extracted with the CJK font CI installs (.ci/run: fonts-noto-cjk), as planning's PDFs are.
    ScopeCase("duties/certificates/<int:pk>/pdf/",
              lambda w: Probe(url=f"/duties/certificates/{_certificate(w, issued=True).pk}/pdf/", marker=PERSON)),
    ScopeCase("c/<str:code>/", _verify),
    ScopeCase("duties/proxy/", lambda w: (_case(w), Probe(url="/duties/proxy/", kind="list", marker=APPLICANT))[1]),
    ScopeCase("duties/proxy/<int:pk>/", lambda w: Probe(url=f"/duties/proxy/{_case(w).pk}/", marker=APPLICANT)),
    ScopeCase("duties/proxy/<int:pk>/", _verify_post, methods=("post",)),
    ScopeCase("duties/proxy/materials/<int:pk>/", _material),
    ScopeCase("duties/assessments/", lambda w: (_assessment(w), Probe(url="/duties/assessments/", kind="list",
                                                                      marker=INDICATOR))[1]),
    ScopeCase("duties/assessments/", _assessment_post, methods=("post",), **TOWNSHIP_WRITES),
    ScopeCase("duties/assessments/<int:pk>/",
              lambda w: Probe(url=f"/duties/assessments/{_assessment(w).pk}/", marker=INDICATOR)),
    ScopeCase("duties/assessments/<int:pk>/",
              lambda w: Probe(url=f"/duties/assessments/{_assessment(w).pk}/?format=xlsx", marker=INDICATOR)),
    ScopeCase("duties/assessments/<int:pk>/", _score_post, methods=("post",), **TOWNSHIP_WRITES),
    ScopeCase("api/duties/tasks", lambda w: (_task(w), Probe(url="/api/duties/tasks", kind="list", marker=TASK))[1],
              insiders=WITH_ERIN, outsiders=NOT_ERIN),
    ScopeCase("api/duties/tasks", _api_task_post, methods=("post",), **ERIN_ONLY),
    ScopeCase("api/duties/proxy", lambda w: (_case(w), Probe(url="/api/duties/proxy", kind="list",
                                                             marker="高龄津贴申领"))[1]),
]

OPEN_ROUTES = {
    "duties/list/": "the published work-item list and its versions (configuration, no place's data)",
    "duties/list/publish/": "the city publishes a new version of the list: configuration, refused to everyone but the "
                            "city reviewers (duties/tests/test_admission.py)",
    "duties/certificates/items/": "the published seal-use list and the abolished certificates",
    "duties/certificates/new/": "a resident asks for a certificate of their own community: a blank form, the request "
                                "is the caller's own",
    "duties/catalogue/": "the published public service catalogue",
    "duties/catalogue/<int:pk>/": "one published catalogue item",
    "duties/catalogue/<int:pk>/proxy/": "a resident (or a worker) starts a proxy case in their own community: a blank "
                                        "form, the case is the caller's own",
    "duties/mine/": "the caller's own matters",
    "api/duties/catalogue": "the published public service catalogue",
}
