"""F4: the public Open311 feed masks phones and ID numbers in any common spacing, and the filer's own name and address."""

import pytest
from django.test import Client

from appeals.tests.helpers import file, resident_for
from shequ.testing.world import BOB_UNIT

pytestmark = pytest.mark.django_db


def _published(client: Client, tracking_no: str) -> str:
    listed = client.get("/open311/v2/requests.json", {"service_request_id": tracking_no}).json()
    one = client.get(f"/open311/v2/requests/{tracking_no}.xml").content.decode()
    assert listed and tracking_no in one
    return listed[0]["description"] + "\n" + one


@pytest.mark.parametrize(("written", "secret", "shown"), [
    ("请打139-1234-5678联系", "1234-5678", "139****5678"),
    ("请打139 1234 5678联系", "1234 5678", "139****5678"),
    ("请打+86 139 1234 5678联系", "1234 5678", "139****5678"),
    ("请打13912345678联系", "12345678", "139****5678"),
    ("物业电话0318-2345678", "2345678", "0318-"),
    ("物业电话（0318）2345678", "2345678", "0318-"),
    ("身份证131102 19850315 7777", "19850315", "131102"),
    ("身份证131102-1985-0315-7777", "0315", "131102"),
    ("身份证131102198503157777", "198503157777", "131102"),
])
def test_it_masks_each_written_form_in_the_public_feed(client: Client, world, written: str, secret: str, shown: str) -> None:
    appeal = file(None, text=f"楼道灯坏了，{written}")
    published = _published(client, appeal.tracking_no)
    assert secret not in published and "7777" not in published
    assert shown in published and "楼道灯坏了" in published


def test_it_takes_the_filers_own_name_and_address_out_of_the_public_feed(client: Client, world) -> None:
    appeal = file(None, contact_name="张建国", address="幸福小区3号楼2单元101",
                  text="我是张建国，家住幸福小区3号楼2单元101，楼下烧烤油烟太大")
    published = _published(client, appeal.tracking_no)
    assert "张建国" not in published and "3号楼2单元101" not in published
    assert "张**" in published and "幸福小区附近" in published and "烧烤油烟" in published


def test_it_takes_a_residents_registered_name_and_home_out_of_the_public_feed(client: Client, world) -> None:
    resident = resident_for(world.rita, BOB_UNIT)
    appeal = file(world.rita, phone="", location_kind="home", address="",
                  text=f"{resident.name}反映：{resident.household.address}门口下水道堵了")
    published = _published(client, appeal.tracking_no)
    assert resident.name not in published and resident.household.address not in published
    assert "住址已隐去" in published and "下水道堵了" in published
