"""The care pages in English, from the app's own catalogue (care/locale/en)."""

from shequ.testing.world import HEXI


def test_the_visit_compliance_page_reads_in_english_after_switching_language(world, login) -> None:
    client = login(world.tina)
    chinese = client.get(f"/care/compliance/{HEXI}/").content.decode()
    assert "特殊困难老年人月探访率" in chinese
    assert "本月剩余天数" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/care/compliance/{HEXI}/").content.decode()

    assert "Monthly visit rate for elderly people in special hardship" in page
    assert "Days left this month" in page
    assert "Emergency preparedness" in page
    assert "特殊困难老年人月探访率" not in page
    assert "本月剩余天数" not in page
    assert "应急准备" not in page
