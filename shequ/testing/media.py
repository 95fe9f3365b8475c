"""Real image files for probes of media routes: a 404 must mean refusal, never a missing file."""

import io

from django.core.files.base import ContentFile

from shequ.testing.content import image_token


def png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    stream = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(stream, format="PNG")
    return stream.getvalue()


def photo_file(name: str = "probe.png") -> tuple[ContentFile, str]:
    """A PNG to store, and the marker content_text gives for it when served back."""
    data = png()
    return ContentFile(data, name=name), image_token(data)


class Reupload(io.BytesIO):
    """An upload the test client can send again and again (it reads without seeking)."""

    def read(self, size: int | None = -1) -> bytes:
        self.seek(0)
        return super().read()


def png_upload(name: str = "probe.png") -> Reupload:
    upload = Reupload(png())
    upload.name = name
    return upload


def pdf(text: str) -> bytes:
    """A real one-page PDF whose extracted text holds text (rendered the way the product renders its reports)."""
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()
