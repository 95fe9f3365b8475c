from django.core.management import call_command

from facilities import selectors
from facilities.models import CommunityProfile, Facility, FacilityService, ServicePoint, Space
from facilities.seed import seed_facilities
from facilities.tests.helpers import households


def snapshot() -> list[tuple[object, ...]]:
    return sorted(Facility.objects.values_list("unit_id", "name", "kind", "status", "building_area", "lat", "lng"))


def test_it_seeds_the_same_demo_twice_without_duplicates(tree: None) -> None:
    households("131102002018", [(37.74, 115.70), (37.741, 115.701)])
    first = seed_facilities(sample_every=50)
    assert first["facilities"] > 100 and first["points"] > 100 and first["spaces"] > 0
    rows, services = snapshot(), FacilityService.objects.count()
    assert Facility.objects.filter(unit_id="131102002018").exists()
    # The household's community gets its facility next to its households.
    hall = Facility.objects.get(unit_id="131102002018", kind="comprehensive")
    assert hall.lat is not None and hall.lng is not None
    assert abs(hall.lat - 37.7405) < 0.01 and abs(hall.lng - 115.7005) < 0.01
    again = seed_facilities(sample_every=50)
    assert again["facilities"] == again["points"] == again["profiles"] == again["spaces"] == 0
    assert snapshot() == rows and FacilityService.objects.count() == services
    Facility.objects.all().delete()
    ServicePoint.objects.all().delete()
    CommunityProfile.objects.all().delete()
    Space.objects.all().delete()
    seed_facilities(sample_every=50)
    assert snapshot() == rows  # deterministic


def test_it_seeds_from_the_command_with_an_empty_register_and_gives_plausible_shares(tree: None) -> None:
    import datetime as dt

    call_command("seed_facilities", "--sample-every", "40")
    assert Facility.objects.exists()
    value = selectors.share("urban_facility_coverage", "1311", dt.date(2025, 12, 31))[2]
    assert value is not None and 0 < value < 1
