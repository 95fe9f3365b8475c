"""Every socialorgs route, probed against an organisation, case and donation in bob's community (桥东社区),
a purchase of his township (河东街道) and an incubation base of his county (桃城区)."""

import datetime as dt

from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, HEDONG, OUTSIDERS, TAOCHENG, World

ORG = "桥东探针社会工作服务中心"
FILING = "桥东探针书画社"
BASE = "桃城区探针孵化基地"
CASE = "桥东探针小组"
PURCHASE = "河东探针为老服务项目"
DONOR = "探针商贸有限公司"
BENEFICIARY = "探针受助人"

TOWNSHIP = {"insiders": ("tom", "carl", "cindy"), "outsiders": (*OUTSIDERS, "bob")}
COUNTY = {"insiders": ("carl", "cindy"), "outsiders": (*OUTSIDERS, "bob", "tom")}


def _org(world: World):
    from socialorgs import creditcode
    from socialorgs.models import Organisation

    return Organisation.objects.get_or_create(name=ORG, defaults={
        "unit_id": BOB_UNIT, "kind": "service_agency", "status": "registered",
        "credit_code": creditcode.make("52131102MJ9999999"), "registered_on": dt.date(2022, 1, 1),
        "full_time_staff": 3, "contact_name": "周主任", "services": "入户探访"})[0]


def _filing(world: World):
    from socialorgs.models import FilingApplication

    return FilingApplication.objects.get_or_create(name=FILING, defaults={
        "unit_id": BOB_UNIT, "category": "mutual_aid", "founders": "甲、乙", "members": 12, "charter": "章程",
        "responsible_name": "甲"})[0]


def _base(world: World):
    from socialorgs.models import IncubationBase

    return IncubationBase.objects.get_or_create(name=BASE, defaults={"unit_id": TAOCHENG, "capacity": 5,
                                                                      "opened_on": dt.date(2023, 1, 1)})[0]


def _worker(world: World):
    from facilities.models import Facility
    from socialorgs.models import SocialWorker

    station = Facility.objects.get_or_create(unit_id=BOB_UNIT, name="桥东探针社工站", defaults={"kind": "social_work"})[0]
    return SocialWorker.objects.get_or_create(certificate_no="PROBE-1", defaults={
        "unit_id": BOB_UNIT, "station": station, "name": "探针社工", "level": "social_worker",
        "joined_on": dt.date(2024, 1, 1)})[0]


def _case(world: World):
    from socialorgs.models import Case

    return Case.objects.get_or_create(title=CASE, defaults={
        "unit_id": BOB_UNIT, "worker": _worker(world), "kind": "group", "opened_on": dt.date(2025, 1, 5),
        "notes": "探针敏感记录"})[0]


def _purchase(world: World, stage: str = "published"):
    from socialorgs.models import Purchase

    return Purchase.objects.get_or_create(title=PURCHASE if stage == "published" else f"{PURCHASE}{stage}", defaults={
        "unit_id": HEDONG, "need": "探访", "target_group": "空巢老人", "budget_line": "民政专项",
        "budget_amount": 50000, "stage": stage, "proposed_on": dt.date(2025, 1, 1), "notice": "公开征集",
        "requirements": "社工资质", "deadline": dt.date(2099, 1, 1)})[0]


def _donation(world: World):
    from people.models import Resident
    from socialorgs.models import Disbursement, Donation

    donation = Donation.objects.get_or_create(receipt_no="JZPROBE1", defaults={
        "unit_id": BOB_UNIT, "donor": DONOR, "kind": "money", "amount": 1000, "group": "elderly",
        "received_on": dt.date(2025, 2, 1)})[0]
    person = Resident.objects.filter(unit_id=BOB_UNIT).first()
    if person is None:
        from people.tests.factories import resident

        person = resident(BOB_UNIT, name=BENEFICIARY)
    Disbursement.objects.get_or_create(donation=donation, resident=person,
                                       defaults={"amount": 100, "given_on": dt.date(2025, 2, 2)})
    return donation, person


STAFF, PROPOSAL = "探针花名册员工", "探针未公开的服务方案"


def _staff(world: World):
    from socialorgs.models import Staff

    org = _org(world)
    Staff.objects.get_or_create(organisation=org, name=STAFF, defaults={"joined_on": dt.date(2024, 1, 1)})
    return org


def _applied(world: World):
    from socialorgs.models import Application

    purchase = _purchase(world)
    Application.objects.get_or_create(purchase=purchase, organisation=_org(world),
                                      defaults={"proposal": PROPOSAL, "submitted_on": dt.date(2025, 1, 2)})
    return purchase


def _org_post(world: World) -> Probe:
    from socialorgs.models import Organisation

    return Probe(url="/socialorgs/new/", method="post", kind="write",
                 unchanged=lambda: not Organisation.objects.filter(name="外来组织").exists(),
                 data={"name": "外来组织", "kind": "social_group", "community_category": "", "status": "filed",
                       "credit_code": "", "registered_on": "2024-01-01", "unit_code": BOB_UNIT, "contact_name": "",
                       "contact_phone": "", "services": "", "full_time_staff": "0", "part_time_staff": "0"})


def _staff_post(world: World) -> Probe:
    org = _org(world)
    return Probe(url=f"/socialorgs/orgs/{org.pk}/", method="post", kind="write",
                 unchanged=lambda: not org.staff.filter(name="外来员工").exists(),
                 data={"action": "staff", "staff-name": "外来员工", "staff-full_time": "on", "staff-qualification": "",
                       "staff-joined_on": "2024-01-01"})


def _filing_post(world: World) -> Probe:
    from socialorgs.models import FilingApplication

    row = _filing(world)
    return Probe(url=f"/socialorgs/filings/{row.pk}/", method="post", kind="write", data={"action": "file"},
                 unchanged=lambda: FilingApplication.objects.filter(pk=row.pk, state="submitted").exists())


def _case_post(world: World) -> Probe:
    from socialorgs.models import Case

    case = _case(world)
    return Probe(url=f"/socialorgs/cases/{case.pk}/", method="post", kind="write",
                 data={"action": "advance", "advance-text": "外来预估"},
                 unchanged=lambda: Case.objects.filter(pk=case.pk, stage="open").exists())


def _purchase_post(world: World) -> Probe:
    from socialorgs.models import Purchase

    p = _purchase(world, "proposed")
    return Probe(url=f"/socialorgs/purchases/{p.pk}/", method="post", kind="write", data={"action": "approve"},
                 unchanged=lambda: Purchase.objects.filter(pk=p.pk, stage="proposed").exists())


def _donation_post(world: World) -> Probe:
    from socialorgs.models import Donation

    return Probe(url="/socialorgs/charity/", method="post", kind="write",
                 unchanged=lambda: not Donation.objects.filter(donor="外来捐赠").exists(),
                 data={"unit_code": BOB_UNIT, "donor": "外来捐赠", "kind": "money", "amount": "10", "goods": "",
                       "group": "hardship", "received_on": "2025-01-01"})


def _list(path: str, make, marker: str):
    def probe(world: World) -> Probe:
        make(world)
        return Probe(url=path, kind="list", marker=marker)

    return probe


CASES = [
    ScopeCase("socialorgs/", _list("/socialorgs/", _org, ORG)),
    ScopeCase("socialorgs/new/", _org_post, methods=("post",)),
    ScopeCase("socialorgs/orgs/<int:pk>/", lambda w: Probe(url=f"/socialorgs/orgs/{_org(w).pk}/", marker=ORG)),
    ScopeCase("socialorgs/orgs/<int:pk>/", _staff_post, methods=("post",)),
    ScopeCase("socialorgs/export.xlsx", _list("/socialorgs/export.xlsx", _org, ORG)),
    ScopeCase("socialorgs/public/", lambda w: (_staff(w), Probe(url="/socialorgs/public/", kind="public", marker=ORG,
                                                                   secret=STAFF))[1]),
    ScopeCase("socialorgs/filings/", _list("/socialorgs/filings/", _filing, FILING)),
    ScopeCase("socialorgs/filings/<int:pk>/",
              lambda w: Probe(url=f"/socialorgs/filings/{_filing(w).pk}/", marker=FILING)),
    ScopeCase("socialorgs/filings/<int:pk>/", _filing_post, methods=("post",),
              insiders=("tom", "carl", "cindy"), outsiders=(*OUTSIDERS, "bob")),
    ScopeCase("socialorgs/bases/", _list("/socialorgs/bases/", _base, BASE), **COUNTY),
    ScopeCase("socialorgs/bases/<int:pk>/", lambda w: Probe(url=f"/socialorgs/bases/{_base(w).pk}/", marker=BASE),
              **COUNTY),
    ScopeCase("socialorgs/social-work/", _list("/socialorgs/social-work/", _case, CASE)),
    ScopeCase("socialorgs/cases/<int:pk>/", lambda w: Probe(url=f"/socialorgs/cases/{_case(w).pk}/", marker=CASE)),
    ScopeCase("socialorgs/cases/<int:pk>/", _case_post, methods=("post",)),
    ScopeCase("socialorgs/purchases/", _list("/socialorgs/purchases/", _purchase, PURCHASE), **TOWNSHIP),
    ScopeCase("socialorgs/purchases/export.xlsx", _list("/socialorgs/purchases/export.xlsx", _purchase, PURCHASE),
              **TOWNSHIP),
    ScopeCase("socialorgs/purchases/<int:pk>/",
              lambda w: Probe(url=f"/socialorgs/purchases/{_purchase(w).pk}/", marker=PURCHASE), **TOWNSHIP),
    ScopeCase("socialorgs/purchases/<int:pk>/", _purchase_post, methods=("post",), **TOWNSHIP),
    ScopeCase("socialorgs/public/purchases/<int:pk>/",
              lambda w: Probe(url=f"/socialorgs/public/purchases/{_applied(w).pk}/", kind="public", marker=PURCHASE,
                              secret=PROPOSAL)),
    ScopeCase("socialorgs/charity/", _list("/socialorgs/charity/", _donation, DONOR)),
    ScopeCase("socialorgs/charity/", _donation_post, methods=("post",)),
    ScopeCase("socialorgs/charity/<int:pk>/",
              lambda w: Probe(url=f"/socialorgs/charity/{_donation(w)[0].pk}/", marker=DONOR)),
    ScopeCase("socialorgs/charity/<int:pk>/receipt.pdf",
              lambda w: Probe(url=f"/socialorgs/charity/{_donation(w)[0].pk}/receipt.pdf", marker="JZPROBE1")),
    ScopeCase("socialorgs/public/charity/<str:code>/",
              lambda w: Probe(url=f"/socialorgs/public/charity/{BOB_UNIT}/", kind="public", marker=DONOR,
                              secret=_donation(w)[1].name)),
    ScopeCase("socialorgs/units/<str:code>/",
              lambda w: (_org(w), Probe(url=f"/socialorgs/units/{BOB_UNIT}/", marker=ORG))[1]),
    ScopeCase("api/socialorgs/organisations",
              lambda w: (_org(w), Probe(url="/api/socialorgs/organisations", kind="list", marker=ORG))[1]),
    ScopeCase("api/socialorgs/organisations/<organisation_id>",
              lambda w: Probe(url=f"/api/socialorgs/organisations/{_org(w).pk}", marker=ORG)),
    ScopeCase("api/socialorgs/purchases",
              lambda w: (_purchase(w), Probe(url="/api/socialorgs/purchases", kind="list", marker=PURCHASE))[1],
              **TOWNSHIP),
]

OPEN_ROUTES = {
    "socialorgs/cases/new/": "a blank form; the case it opens is checked against the caller's scope by the service",
}
