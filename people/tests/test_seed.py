import io
from collections import Counter

import pytest
from django.core.management import call_command

from people import crypto, idcard
from people.models import Household, Resident, ResidentTag
from people.seed import COUNTIES, REFERENCE_DATE, seed_population

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple]:
    return list(Resident.objects.order_by("id_number_hash").values_list(
        "id_number_hash", "name", "gender", "birth_date", "unit_id", "phone_masked", "relation",
        "household__number", "household__lat", "household__lng"))


def test_it_builds_the_same_population_from_the_same_seed(tree: None) -> None:
    first = seed_population(0.001)
    assert abs(first.residents - 4200) < 420  # whole households, and the demo communities never empty
    before = fingerprint()
    tags = sorted(ResidentTag.objects.values_list("resident__id_number_hash", "tag"))
    again = seed_population(0.001)
    assert again.residents == 0 and again.skipped_villages > 0  # idempotent
    Household.objects.all().delete()
    Resident.objects.all().delete()
    seed_population(0.001)
    assert fingerprint() == before
    assert sorted(ResidentTag.objects.values_list("resident__id_number_hash", "tag")) == tags
    assert seed_population(0.001, seed=7).residents == 0  # villages already seeded are left alone


def test_it_looks_like_the_city(tree: None) -> None:
    seed_population(0.002)
    people = list(Resident.objects.values_list("unit_id", "gender", "birth_date", "id_number_enc", "household_id"))
    total = len(people)
    by_county = Counter(str(unit)[:6] for unit, *_ in people)
    weights = {code: pop for code, (_, pop, _, _) in COUNTIES.items()}
    for code, count in by_county.items():
        assert abs(count / total - weights[code] / sum(weights.values())) < 0.025  # 桃城区 has the demo communities
    elderly = sum(1 for _, _, birth, _, _ in people if (REFERENCE_DATE - birth).days >= 60 * 365.25)
    assert 0.18 < elderly / total < 0.24
    assert 2.6 < total / len({h for *_, h in people}) < 3.0
    for unit, gender, birth, token, _ in people[:2000]:
        number = crypto.decrypt(token)
        facts = idcard.parse(number)
        assert number[:6] == str(unit)[:6] and facts.birth_date == birth and facts.gender == gender
    disabled = ResidentTag.objects.filter(tag="disabled").count()
    assert 0.04 < disabled / total < 0.08
    for household in Household.objects.all()[:200]:
        _, _, lat, lng = COUNTIES[household.unit_id[:6]]
        assert household.head_id is not None
        assert abs(household.lat - lat) < 0.2 and abs(household.lng - lng) < 0.2  # type: ignore[operator]  # seeded households always have coordinates


def test_it_runs_from_the_command_line(tree: None) -> None:
    out = io.StringIO()
    call_command("seed_demo", "--scale", "0.001", stdout=out, stderr=io.StringIO())
    assert "新增居民" in out.getvalue() and "户" in out.getvalue()
    with pytest.raises(Exception, match="scale"):
        call_command("seed_demo", "--scale", "2", stdout=out)
