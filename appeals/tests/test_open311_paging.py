"""F9 / Open311 GET requests: bad dates are the client's error (400, with a message), and the list comes in pages."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from appeals.tests.helpers import file

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("param", ["start_date", "end_date"])
@pytest.mark.parametrize("value", ["2026-99-99", "0001-01-01", "9999-12-31", "2026-02-30T00:00:00+08:00",
                                   "2026-11-01T00:00:00+99:00", "1999-12-31"])
def test_it_answers_400_with_a_message_for_an_impossible_date(client: Client, tree, fmt: str, param: str, value: str) -> None:
    response = client.get(f"{BASE}/requests.{fmt}", {param: value})
    assert response.status_code == 400, response.content[:300]
    assert "W3C datetime between 2000-01-01 and 2099-12-31" in response.content.decode()


@pytest.mark.parametrize(("param", "value"), [("page", "0"), ("page", "-1"), ("page", "x"), ("page", "99999999999999999999"),
                                              ("page_size", "0"), ("page_size", "1001")])
def test_it_answers_400_for_bad_paging(client: Client, tree, param: str, value: str) -> None:
    response = client.get(f"{BASE}/requests.json", {param: value})
    assert response.status_code == 400 and param in response.json()[0]["description"]


def test_it_pages_the_default_window_with_a_link_to_the_next_page(client: Client, world) -> None:
    filed = [file(None, phone=f"1390000{n:04d}").tracking_no for n in range(5)]
    seen: list[str] = []
    url, query = f"{BASE}/requests.json", {"page_size": "2", "service_code": "sanitation"}
    pages = 0
    while url:
        response = client.get(url, query)
        assert response.status_code == 200
        seen += [r["service_request_id"] for r in response.json()]
        pages += 1
        link = response.get("Link", "")
        if not link:
            break
        assert link.endswith('>; rel="next"')
        parts = urlsplit(link[1:link.index(">")])
        url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["service_code"] == "sanitation"
    assert pages == 3 and seen == list(reversed(filed))  # newest first, each once


def test_it_gives_a_hundred_by_default_not_a_thousand(client: Client, world, monkeypatch) -> None:
    from appeals.open311 import views

    monkeypatch.setattr(views, "DEFAULT_PAGE_SIZE", 3)
    for n in range(4):
        file(None, phone=f"1390000{n:04d}")
    response = client.get(f"{BASE}/requests.json")
    assert len(response.json()) == 3 and "page=2" in response["Link"]


def test_it_documents_paging_in_the_discovery_document(client: Client, tree) -> None:
    paging = client.get(f"{BASE}/discovery.json").json()["paging"]
    assert paging["parameters"] == ["page", "page_size"] and paging["default_page_size"] == 100
    assert "<paging>" in client.get(f"{BASE}/discovery.xml").content.decode()
