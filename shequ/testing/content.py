"""What a user reads in a response, whatever its format: the text the cross-scope walk searches.

A spreadsheet is opened and its cells read, a PDF's text extracted, JSON and CSV parsed, an
image named by its digest. A format nobody taught this module to read is an error, never a
byte search: an .xlsx is a zip, and a name inside it is invisible to ``marker in body``.
"""

import csv
import hashlib
import html
import io
import json
from typing import Any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_TYPES = ("text/html", "text/plain", "text/event-stream", "text/javascript", "application/javascript")
XML_TYPES = ("application/xml", "text/xml")


class Unreadable(ValueError):
    """The response's format has no reader here."""


def body_bytes(response: Any) -> bytes:
    """The whole body, streamed or not (read once; kept on the response for a second call)."""
    cached = getattr(response, "_walk_body", None)
    if cached is None:
        if getattr(response, "streaming", False):
            cached = b"".join(response.streaming_content)
        else:
            cached = bytes(response.content)
        response._walk_body = cached
    return cached


def image_token(data: bytes) -> str:
    """How content_text names an image: by the digest of its bytes (a probe's marker for a photo)."""
    return f"sha256={hashlib.sha256(data).hexdigest()}"


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        parts: list[str] = []
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                parts.append("\t".join("" if value is None else str(value) for value in row))
        return "\n".join(parts)
    finally:
        book.close()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _csv_text(data: bytes) -> str:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return "\n".join("\t".join(row) for row in rows)


def _json_text(data: bytes) -> str:
    if not data.strip():
        return ""
    return json.dumps(json.loads(data), ensure_ascii=False)


def _xml_text(data: bytes) -> str:
    """Element text and attribute values (entities and character references resolved)."""
    from xml.etree import ElementTree

    if not data.strip():
        return ""
    root = ElementTree.fromstring(data)  # noqa: S314 — our own response, not untrusted input
    return "\n".join([*(t for t in root.itertext() if t.strip()), *(v for e in root.iter() for v in e.attrib.values())])


def content_type(response: Any) -> str:
    return str(response.get("Content-Type", "") or "").split(";")[0].strip().lower()


def content_text(response: Any) -> str:
    """The text a user would read in this response, decoded by its content type."""
    data = body_bytes(response)
    kind = content_type(response)
    if kind == XLSX:
        return _xlsx_text(data)
    if kind == "application/pdf":
        return _pdf_text(data)
    if kind in ("text/csv", "application/csv"):
        return _csv_text(data)
    if kind == "application/json" or kind.endswith("+json"):
        return _json_text(data)
    if kind in XML_TYPES or kind.endswith("+xml"):
        return _xml_text(data)
    if kind.startswith("image/"):
        return f"{kind} {image_token(data)}"
    if kind in TEXT_TYPES or kind.startswith("text/") or (not kind and not data):
        return html.unescape(data.decode("utf-8", errors="replace"))
    raise Unreadable(f"the walk cannot read {kind or 'an untyped body'!r} ({len(data)} bytes): "
                     "teach shequ/testing/content.py to read it rather than searching its bytes")
