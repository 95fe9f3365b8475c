"""The workforce pages in English, from the app's own catalogue (workforce/locale/en)."""

from shequ.testing.world import ALICE_UNIT


def test_the_worker_roster_reads_in_english_after_switching_language(world, login) -> None:
    client = login(world.alice)
    url = f"/workforce/units/{ALICE_UNIT}/"
    chinese = client.get(url).content.decode()
    assert "· 社区工作者名册</h1>" in chinese
    assert "全部岗位" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(url).content.decode()

    assert "· Community worker roster</h1>" in page
    assert "All positions" in page
    assert "Export this list (Excel, phone numbers masked)" in page
    assert "· 社区工作者名册</h1>" not in page
    assert "全部岗位" not in page
    assert "导出当前列表" not in page
