"""The facilities pages in English, from the app's own catalogue (facilities/locale/en)."""


def test_the_facility_list_reads_in_english_after_switching_language(world, login) -> None:
    client = login(world.alice)
    chinese = client.get("/facilities/").content.decode()
    assert "<h1>服务设施</h1>" in chinese
    assert "登记设施" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/facilities/").content.decode()

    assert "<h1>Service facilities</h1>" in page
    assert "Register a facility" in page
    assert "Floor area (m²)" in page
    assert "<h1>服务设施</h1>" not in page
    assert "登记设施" not in page
    assert "建筑面积（㎡）" not in page
