"""Elder mode (适老化) can be switched on from every page and is remembered."""

from accounts.models import User
from shequ.testing.world import World


def test_it_remembers_elder_mode_for_a_signed_in_user(world: World, login) -> None:
    client = login(world.alice)
    assert 'class=""' in client.get("/").content.decode()
    response = client.post("/elder-mode/", {"next": "/units/131102001045/"})
    assert response.status_code == 302 and response["Location"] == "/units/131102001045/"
    assert User.objects.get(pk=world.alice.pk).elder_mode
    client.cookies.clear()
    client.force_login(User.objects.get(pk=world.alice.pk))
    assert 'class="elder"' in client.get("/units/131102001045/").content.decode()


def test_anyone_can_switch_it_on_without_an_account(client, tree) -> None:
    page = client.get("/").content.decode()
    assert "长辈模式" in page
    client.post("/elder-mode/", {"next": "/"})
    page = client.get("/").content.decode()
    assert 'class="elder"' in page and "标准模式" in page
    client.post("/elder-mode/", {"next": "/"})
    assert 'class="elder"' not in client.get("/").content.decode()


def test_it_never_redirects_off_site(client, tree) -> None:
    response = client.post("/elder-mode/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_page_is_in_english_on_request(client, tree) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page and "Sign in" in page
