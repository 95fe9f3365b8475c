import io

import pytest
from PIL import Image

from appeals import workcal
from web.notify import LocmemSMSBackend


@pytest.fixture(autouse=True)
def appeals_settings(settings, tmp_path):
    settings.SMS_BACKEND = "web.notify.LocmemSMSBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    LocmemSMSBackend.outbox.clear()
    workcal.clear_cache()
    yield
    LocmemSMSBackend.outbox.clear()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS
        image.save(out, fmt, exif=data.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()
