"""Photos: JPEG or PNG by content (not by name), ≤ 10 MB, re-encoded so no metadata (EXIF, GPS) survives."""

import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from appeals import conf

MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png"}


@dataclass
class CleanPhoto:
    content: bytes
    extension: str
    width: int
    height: int


def clean_photo(upload: Any) -> CleanPhoto:
    name = getattr(upload, "name", "照片")
    size = getattr(upload, "size", None)
    if size is not None and size > conf.MAX_PHOTO_BYTES:
        raise ValidationError(f"照片「{name}」超过 10 MB，请压缩后再上传。")
    raw = upload.read(conf.MAX_PHOTO_BYTES + 1)
    if len(raw) > conf.MAX_PHOTO_BYTES:
        raise ValidationError(f"照片「{name}」超过 10 MB，请压缩后再上传。")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise ValidationError(f"「{name}」不是 JPEG 或 PNG 图片。")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(f"照片「{name}」像素过大。")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, "JPEG", quality=88)
            else:
                upright.save(out, "PNG")
            return CleanPhoto(out.getvalue(), FORMATS[kind], upright.width, upright.height)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"「{name}」不是有效的 JPEG 或 PNG 图片。") from exc


def clean_photos(uploads: list[Any]) -> list[CleanPhoto]:
    if len(uploads) > conf.MAX_PHOTOS:
        raise ValidationError(f"最多上传 {conf.MAX_PHOTOS} 张照片。")
    return [clean_photo(upload) for upload in uploads]
