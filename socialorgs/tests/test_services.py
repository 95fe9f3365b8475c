"""Organisations, 备案, the purchase lifecycle, charity and case notes: the rules users meet."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from facilities.tests.helpers import facility
from people.tests.factories import resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG
from socialorgs import creditcode, services
from socialorgs.models import FilingApplication, Organisation, Payment, Purchase
from socialorgs.tests.factories import code, org

pytestmark = pytest.mark.django_db


def test_it_checks_the_credit_code_check_character() -> None:
    assert creditcode.problem("91350100M000100Y43") is None
    assert "第18位应为“3”" in str(creditcode.problem("91350100M000100Y44"))
    assert "18位" in str(creditcode.problem("91350100M000100Y"))
    assert "不允许的字符" in str(creditcode.problem("91350100M000100I43"))


def test_it_refuses_a_bad_credit_code_and_a_duplicate_in_one_township(world) -> None:
    first = org(world.bob, name="桥东为老服务中心")
    good = code()
    with pytest.raises(ValidationError) as bad:
        org(world.bob, credit_code=good[:17] + ("0" if good[17] != "0" else "1"))
    assert "校验位错误" in str(bad.value)
    with pytest.raises(ValidationError) as dup:
        org(world.tom, name="桥东为老服务中心", unit_code=HEDONG)
    assert "本乡镇（街道）已有同名社会组织" in str(dup.value)
    with pytest.raises(ValidationError) as same_code:
        org(world.bob, credit_code=first.credit_code)
    assert "已被其他组织使用" in str(same_code.value)
    with pytest.raises(ValidationError):
        org(world.bob, unit_code=ALICE_UNIT)  # not bob's community
    assert Organisation.objects.count() == 1
    # The same name in another township is a different organisation.
    org(world.alice, name="桥东为老服务中心", unit_code=ALICE_UNIT)


def test_it_files_a_community_organisation_or_returns_it_with_reasons(world) -> None:
    data = {"unit_code": BOB_UNIT, "name": "桥东广场舞队", "category": "mutual_aid", "founders": "张三、李四",
            "members": 3, "charter": "章程全文", "responsible_name": "张三"}
    with pytest.raises(ValidationError) as few:
        services.apply_for_filing(actor=world.bob, data=data)
    assert "不少于 10 人" in str(few.value)
    application = services.apply_for_filing(actor=world.bob, data={**data, "members": 25})
    with pytest.raises(ValidationError):
        services.file_application(actor=world.bob, application=application)  # the township reviews
    returned = services.apply_for_filing(actor=world.bob, data={**data, "name": "桥东书画社", "members": 12})
    with pytest.raises(ValidationError):
        services.return_application(actor=world.tom, application=returned, reason=" ")
    services.return_application(actor=world.tom, application=returned, reason="章程缺少活动场所")
    filed = services.file_application(actor=world.tom, application=application)
    assert (filed.status, filed.community_category, filed.unit_id) == ("filed", "mutual_aid", BOB_UNIT)
    assert FilingApplication.objects.get(pk=returned.pk).reason == "章程缺少活动场所"


def _walk_to_contract(world, amount: str = "80000") -> Purchase:
    p = services.propose_purchase(actor=world.tom, data={
        "unit_code": HEDONG, "title": "河东街道为老服务项目", "need": "空巢老人探访", "target_group": "空巢老人",
        "budget_line": "民政专项", "budget_amount": "100000"})
    services.approve_purchase(actor=world.carl, purchase=p)
    services.publish_purchase(actor=world.tom, purchase=p, notice="公开征集承接方", requirements="具备社工资质",
                              deadline=services._today() + dt.timedelta(days=10))
    provider = org(world.bob)
    application = services.apply_to_purchase(actor=world.tom, purchase=p, organisation=provider, proposal="入户探访")
    services.score_application(actor=world.tom, application=application, score="88.5")
    services.award_purchase(actor=world.tom, purchase=p, application=application)
    start = services._today() - dt.timedelta(days=30)
    services.sign_contract(actor=world.tom, purchase=p, amount=amount, start=start, end=start + dt.timedelta(days=365),
                           deliverables=[("入户探访", 200, "人次")],
                           milestones=[("首期", start, Decimal(amount) / 2), ("尾期", start + dt.timedelta(days=300),
                                                                                Decimal(amount) / 2)])
    return Purchase.objects.get(pk=p.pk)


def test_it_walks_a_purchase_from_proposal_to_evaluation_refusing_steps_out_of_order(world) -> None:
    p = services.propose_purchase(actor=world.tom, data={
        "unit_code": HEDONG, "title": "试点", "need": "需求", "target_group": "老人", "budget_line": "专项",
        "budget_amount": "5000"})
    with pytest.raises(ValidationError) as early:
        services.publish_purchase(actor=world.tom, purchase=p, notice="x", requirements="y",
                                  deadline=services._today() + dt.timedelta(days=3))
    assert "应先到“已立项”" in str(early.value)
    with pytest.raises(ValidationError) as contract_first:
        services.sign_contract(actor=world.tom, purchase=p, amount="100", start=dt.date(2025, 1, 1),
                               end=dt.date(2025, 12, 31), deliverables=[("a", 1, "次")],
                               milestones=[("m", dt.date(2025, 1, 1), "100")])
    assert "不能签订合同" in str(contract_first.value)
    assert Purchase.objects.get(pk=p.pk).stage == "proposed"

    p = _walk_to_contract(world)
    deliverable, first = p.deliverables.get(), p.milestones.order_by("due_on")[0]
    services.record_delivery(actor=world.tom, deliverable=deliverable, quantity=120, done_on=services._today())
    with pytest.raises(ValidationError) as not_reached:
        services.release_payment(actor=world.tom, milestone=first, amount="40000", paid_on=services._today())
    assert "尚未完成" in str(not_reached.value)
    services.reach_milestone(actor=world.tom, milestone=first, on=services._today())
    services.release_payment(actor=world.tom, milestone=first, amount="40000", paid_on=services._today())
    with pytest.raises(ValidationError) as beyond:
        services.release_payment(actor=world.tom, milestone=first, amount="0.01", paid_on=services._today())
    assert "超出" in str(beyond.value)
    assert Payment.objects.count() == 1
    with pytest.raises(ValidationError):
        services.evaluate_purchase(actor=world.alice, purchase=p, score=90, satisfaction=0.9)  # another township
    done = services.evaluate_purchase(actor=world.tom, purchase=p, score="91", satisfaction=0.95, note="完成良好")
    assert (done.stage, done.evaluation_result) == ("evaluated", "优秀")
    assert services.track_record(done.awarded_to) == [done]  # type: ignore[arg-type]  # awarded above
    actions = set(AuditEntry.objects.filter(action__startswith="socialorgs.purchase").values_list("action", flat=True))
    assert {"socialorgs.purchase_propose", "socialorgs.purchase_approve", "socialorgs.purchase_award",
            "socialorgs.purchase_pay", "socialorgs.purchase_evaluate"} <= actions


def test_it_refuses_a_contract_beyond_the_budget(world) -> None:
    with pytest.raises(ValidationError) as over:
        _walk_to_contract(world, amount="150000")
    assert "不能超过预算" in str(over.value)


def test_it_logs_the_opening_of_case_notes_and_masks_the_client(world) -> None:
    station = facility(BOB_UNIT, "桥东社区综合服务站", services=("social_work_room",))
    worker = services.add_social_worker(actor=world.bob, station=station, name="赵社工", level="social_worker",
                                        certificate_no="S2024001", joined_on=dt.date(2024, 1, 1))
    client = resident(BOB_UNIT, name="钱多多")
    case = services.open_case(actor=world.bob, worker=worker, kind="individual", title="", client=client,
                              opened_on=services._today(), notes="家庭矛盾，需持续跟进")
    assert case.title == "钱**"
    with pytest.raises(ValidationError):
        services.add_session(actor=world.bob, case=case, held_on=services._today(), minutes=60, summary="面谈")
    services.advance_case(actor=world.bob, case=case, text="预估：情绪低落")
    services.advance_case(actor=world.bob, case=case, text="计划：每周面谈")
    with pytest.raises(ValidationError) as early:
        services.advance_case(actor=world.bob, case=case, text="结案")
    assert "尚无服务记录" in str(early.value)
    services.add_session(actor=world.bob, case=case, held_on=services._today(), minutes=60, summary="面谈")
    services.advance_case(actor=world.bob, case=case, text="目标达成")
    assert case.stage == "closed" and case.closed_on
    assert services.read_case_notes(actor=world.bob, case=case) == "家庭矛盾，需持续跟进"
    with pytest.raises(ValidationError):
        services.read_case_notes(actor=world.alice, case=case)
    assert AuditEntry.objects.filter(action="socialorgs.case_notes_view", actor=world.bob).count() == 1


def test_it_refuses_a_disbursement_beyond_the_donation(world) -> None:
    donation = services.receive_donation(actor=world.bob, data={
        "unit_code": BOB_UNIT, "donor": "衡水某商贸公司", "kind": "money", "amount": "1000", "group": "elderly",
        "received_on": services._today()})
    person = resident(BOB_UNIT)
    services.disburse(actor=world.bob, donation=donation, resident=person, amount="600", given_on=services._today())
    with pytest.raises(ValidationError) as over:
        services.disburse(actor=world.bob, donation=donation, resident=person, amount="500", given_on=services._today())
    assert "还可发放 400.00 元" in str(over.value)
