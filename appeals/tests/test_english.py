"""The appeals pages in English, from the app's own catalogue (appeals/locale/en)."""


def test_the_staff_inbox_reads_in_english_after_switching_language(world, login) -> None:
    client = login(world.alice)
    chinese = client.get("/appeals/").content.decode()
    assert "<h1>诉求办理</h1>" in chinese
    assert "统计与排名" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/appeals/").content.decode()

    assert "<h1>Request handling</h1>" in page
    assert "Statistics and rankings" in page
    assert "Number or content" in page
    assert "<h1>诉求办理</h1>" not in page
    assert "统计与排名" not in page
    assert "编号或内容" not in page
