"""A stored file whose row outlived it is a 404, on every route that serves one (photos, evidence)."""

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from care.models import VisitPhoto
from shequ.files import stored_file_response


@pytest.mark.django_db
def test_it_answers_404_for_a_row_whose_file_is_gone(tmp_path, settings) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    stored = VisitPhoto()
    stored.image.save("gone.png", ContentFile(b"png"), save=False)
    row = VisitPhoto(image=stored.image.name)  # as a row read back from the database
    assert stored_file_response(row.image).status_code == 200
    row.image.storage.delete(row.image.name)
    with pytest.raises(Http404):
        stored_file_response(VisitPhoto(image=stored.image.name).image)
