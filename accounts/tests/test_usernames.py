"""F19: usernames are normalised (NFKC, case-folded), from a safe alphabet, and unique after normalisation."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from shequ.testing.world import PASSWORD, World


@pytest.fixture
def worker(world: World) -> User:
    return services.create_user(actor=None, username="worker", password=PASSWORD, role="community_worker",
                                unit=world.unit("131102001045"))


@pytest.mark.parametrize("name", ["Worker", "WORKER", "ｗｏｒｋｅｒ", "worker\u200b", "w\u043erker", "<b>x</b>", "ab", "a" * 31,
                                  "wor ker", "工作人员"])
def test_it_refuses_look_alikes_and_unsafe_names(name: str, worker: User, login) -> None:
    with pytest.raises(ValidationError):
        services.create_user(actor=None, username=name, password=PASSWORD, role="community_worker",
                             unit=worker.unit)
    assert User.objects.filter(role="community_worker", unit=worker.unit).count() == 2  # alice and worker


def test_the_security_admin_gets_a_clear_message(world: World, worker: User, login) -> None:
    client = login(world.sue)
    page = client.post("/accounts/manage/", {"username": "w\u043erker", "role": "community_worker",
                                             "unit_code": "131102001045", "password": "Good-pass-9"}).content.decode()
    assert "用户名须为3至30位小写字母" in page
    page = client.post("/accounts/manage/", {"username": "Worker", "role": "community_worker",
                                             "unit_code": "131102001045", "password": "Good-pass-9"}).content.decode()
    assert "用户名已存在" in page
    assert User.objects.filter(username__iexact="worker").count() == 1


def test_it_stores_the_normalised_form_and_signs_in_by_it(client, world: World) -> None:
    user = services.create_user(actor=None, username="Zhang.San", password=PASSWORD, role="community_worker",
                                unit=world.unit("131102001045"), must_change_password=False)
    assert user.username == "zhang.san"
    assert client.post("/accounts/login/", {"username": "ＺＨＡＮＧ.SAN", "password": PASSWORD}).status_code == 302
    client.logout()
    assert client.post("/api/auth/token", {"username": "Zhang.San", "password": PASSWORD},
                       content_type="application/json").status_code == 200
