"""The walk's own positive control: plant a leak, run the walk's check on that route, and it must report it.

Each plant is a selector that ignores the scope, patched in for one test: a list, a detail,
an export read as a spreadsheet, an API route (read with a Bearer token), a background job's
result file and a photo; and a phone left unmasked in the public Open311 feed.
A walk that passed any of these would be a walk that cannot fail.
"""

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse

from shequ.testing.content import XLSX, Unreadable, content_text
from shequ.testing.scope import Probe, ScopeCase, check_case, walk_settings
from shequ.testing.world import make_world
from web.tests.test_scope_walk import CASES


@pytest.fixture(autouse=True)
def _walk_settings(settings, tmp_path):
    walk_settings(settings, tmp_path)


def case(route: str) -> ScopeCase:
    found = [c for c in CASES if c.route == route and c.methods == ("get",)]
    assert found, f"no GET case for {route}"
    return found[0]


def leaks(failures: list[str]) -> list[str]:
    return [f for f in failures if f.startswith("outsider ")]


def _ignore_scope(queryset: Callable[[], Any]) -> Callable[..., Any]:
    return lambda *args, **kwargs: queryset()


def _everyone_in_the_register() -> Any:
    from people.models import Resident

    return Resident.objects.all()


def _any_resident(user: Any, pk: int) -> Any:
    from people.models import Resident

    return Resident.objects.select_related("unit", "household").get(pk=pk)


def _any_facility(user: Any, pk: int) -> Any:
    from facilities.models import Facility

    return Facility.objects.prefetch_related("services", "photos").get(pk=pk)


def _every_assignment(user: Any, year: int) -> Any:
    from planning.models import Assignment

    return Assignment.objects.filter(year=year).select_related("task", "department", "unit").prefetch_related("reports")


def _anyones_job(request: Any, pk: int) -> Any:
    from web.models import Job

    return Job.objects.get(pk=pk)


def _any_photo(user: Any, pk: int) -> Any:
    from facilities.models import FacilityPhoto

    return FacilityPhoto.objects.get(pk=pk)


PLANTS = [
    # (what, route, the function patched, the leaky replacement)
    ("a list", "people/residents/", "people.selectors.residents_visible_to", _ignore_scope(_everyone_in_the_register)),
    ("a detail", "facilities/<int:pk>/", "facilities.selectors.facility_for_user", _any_facility),
    ("an export (.xlsx)", "plan/ledger/export.xlsx", "planning.selectors.assignments_for", _every_assignment),
    ("an API route", "api/people/residents/<resident_id>", "people.selectors.resident_for_user", _any_resident),
    ("an API list", "api/people/residents", "people.selectors.residents_visible_to", _ignore_scope(_everyone_in_the_register)),
    ("a job's result file", "people/jobs/<int:pk>/result.xlsx", "people.views_io._own_job", _anyones_job),
    ("a photo", "facilities/photos/<int:pk>/", "facilities.selectors.photo_for_user", _any_photo),
]


@pytest.mark.parametrize(("what", "route", "target", "leaky"), PLANTS, ids=[p[0] for p in PLANTS])
@pytest.mark.django_db
def test_it_reports_a_leak_planted_in(what: str, route: str, target: str, leaky: Any, tree: None,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(target, leaky)
    failures = check_case(case(route), make_world())
    assert leaks(failures), f"the walk missed a leak planted in {what} ({route}): {failures}"


@pytest.mark.django_db
def test_it_reports_a_phone_planted_in_the_public_open311_feed(tree: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("appeals.open311.views.public_text", lambda text, appeal: text)
    public = next(c for c in CASES if c.route == "open311/v2/requests.<str:fmt>")
    failures = check_case(public, make_world())
    assert any("personal data published" in f for f in failures), failures


@pytest.mark.django_db
def test_it_fails_a_probe_whose_insiders_do_not_see_its_marker(tree: None) -> None:
    honest = case("people/residents/")

    def blind(world: Any) -> Probe:
        probe = honest.make(world)
        probe.marker = "从未登记过的名字"
        return probe

    failures = check_case(ScopeCase(honest.route, blind), make_world())
    assert failures and all("cannot see its own object" in f for f in failures), failures
    assert not leaks(failures), "outsiders must not count before the insiders have seen the marker"


@pytest.mark.django_db
def test_it_fails_a_write_that_an_insider_cannot_make_either(tree: None) -> None:
    honest = next(c for c in CASES if c.route == "people/residents/<int:pk>/status/" and c.methods == ("post",))

    def refused(world: Any) -> Probe:
        probe = honest.make(world)
        probe.data = {"status": "no-such-status"}
        return probe

    failures = check_case(ScopeCase(honest.route, refused, methods=("post",)), make_world())
    assert failures and "proves nothing" in failures[0], failures


def _xlsx(text: str) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", text])
    stream = io.BytesIO()
    book.save(stream)
    return HttpResponse(stream.getvalue(), content_type=XLSX)


def test_it_reads_a_spreadsheet_that_a_byte_search_cannot() -> None:
    response = _xlsx("桃城区")
    assert "桃城区".encode() not in response.content  # compressed inside the zip: a byte search sees nothing
    assert "桃城区" in content_text(response)


def test_it_refuses_to_search_a_body_it_cannot_read() -> None:
    with pytest.raises(Unreadable):
        content_text(HttpResponse(b"PK\x03\x04...", content_type="application/zip"))
