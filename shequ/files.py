"""Serving a stored file (a photo, an evidence document) after the caller has checked who may see it."""

from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def stored_file_response(stored: FieldFile, **kwargs: Any) -> FileResponse:
    """The file as a response; a row that outlived its file is a 404 (nothing to serve), never a server error."""
    try:
        stream = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在") from exc
    return FileResponse(stream, **kwargs)
