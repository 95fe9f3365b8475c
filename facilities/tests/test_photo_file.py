"""Facility photos are served through the scoping rule; media files are never public."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from facilities import services
from facilities.tests.scope_cases import _facility
from shequ.testing.world import World


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def test_it_serves_a_photo_to_staff_in_scope_only(world: World, login, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = services.add_photo(actor=world.bob, facility=_facility(world), upload=png())
    response = login(world.tom).get(f"/facilities/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert login(world.alice).get(f"/facilities/photos/{photo.pk}/").status_code == 404
    page = login(world.tom).get(f"/facilities/{photo.facility_id}/").content.decode()
    assert f"/facilities/photos/{photo.pk}/" in page and "/media/" not in page


def test_media_files_are_not_served_by_url(client, world: World, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = services.add_photo(actor=world.bob, facility=_facility(world), upload=png())
    client.force_login(world.bob)
    assert client.get(f"/media/{photo.image.name}").status_code == 404
