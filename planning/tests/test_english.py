"""The planning pages in English, from the app's own catalogue (planning/locale/en)."""

from planning import services


def test_the_task_breakdown_reads_in_english_after_switching_language(tree, world, login) -> None:
    services.load_plan()
    client = login(world.cindy)
    chinese = client.get("/plan/tasks/").content.decode()
    assert "规划任务分解表（附件1）" in chinese
    assert "具体工作内容" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/plan/tasks/").content.decode()

    assert "Plan task breakdown (Annex 1)" in page
    assert "Work content" in page
    assert "Reporting cycle" in page
    assert "规划任务分解表（附件1）" not in page
    assert "具体工作内容" not in page
    assert "报送周期" not in page
