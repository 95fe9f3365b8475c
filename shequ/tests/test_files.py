"""A stored file whose row outlived it is a 404, on every route that serves one (photos, evidence)."""

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from care.models import VisitPhoto
from shequ.files import stored_file_response


@pytest.mark.django_db
def test_it_answers_404_for_a_row_whose_file_is_gone(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    photo = VisitPhoto()
    photo.image.save("gone.png", ContentFile(b"png"), save=False)
    assert stored_file_response(photo.image).status_code == 200
    photo.image.storage.delete(photo.image.name)
    with pytest.raises(Http404):
        stored_file_response(photo.image)
