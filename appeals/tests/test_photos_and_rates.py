from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from appeals import services
from appeals.models import Appeal, Photo
from appeals.selectors import rates, township_ranking
from appeals.tests.conftest import image_bytes
from appeals.tests.helpers import file
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

TAOCHENG_PREFIX = "131102"

pytestmark = pytest.mark.django_db


def _upload(name: str, content: bytes, kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=kind)


def test_it_strips_photo_metadata(world) -> None:
    raw = image_bytes("JPEG", exif=True)
    assert b"SecretCam" in raw
    appeal = file(None, photos=[_upload("a.jpg", raw), _upload("b.png", image_bytes("PNG"), "image/png")])
    stored = [p.image.read() for p in Photo.objects.filter(appeal=appeal)]
    assert len(stored) == 2
    assert all(b"SecretCam" not in blob and b"Exif" not in blob for blob in stored)
    import io

    with Image.open(io.BytesIO(stored[0])) as image:
        assert image.format == "JPEG" and not image.getexif()


@pytest.mark.parametrize(("uploads", "message"), [
    ([_upload("fake.jpg", b"<html><script>alert(1)</script></html>")], "不是有效的 JPEG 或 PNG"),
    ([_upload("x.gif", b"GIF89a" + b"\x00" * 40, "image/gif")], "JPEG"),
    ([_upload(f"{n}.jpg", image_bytes()) for n in range(4)], "最多上传 3 张"),
])
def test_it_refuses_bad_photos_and_stores_nothing(world, uploads, message) -> None:
    with pytest.raises(ValidationError, match=message):
        file(None, photos=uploads)
    assert not Appeal.objects.exists() and not Photo.objects.exists()


def test_it_refuses_photos_over_ten_megabytes(world, monkeypatch) -> None:
    from appeals import conf

    monkeypatch.setattr(conf, "MAX_PHOTO_BYTES", 1000)
    with pytest.raises(ValidationError, match="10 MB"):
        file(None, photos=[_upload("big.png", image_bytes("PNG", size=(400, 400)) + b"\x00" * 2000, "image/png")])
    assert not Appeal.objects.exists()


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 9, day, hour, tzinfo=timezone.get_current_timezone())


def test_it_computes_the_three_rates_by_hand(world) -> None:
    """Four requests in bob's community in September 2026, one in alice's; checked against hand-computed values."""
    made = []
    for n in range(4):
        appeal = file(None, phone=f"1390000000{n}")
        made.append(appeal)
    a, b, c, d = made
    other = file(None, unit=ALICE_UNIT, phone="13900000009")
    # a: accepted in 1 h (on time), replied, rated 满意 → closed resolved.
    # b: accepted after 3 days (late), replied, rated 不满意 → reopened (due, not resolved, rated, not satisfied).
    # c: accepted on time, still in progress, overdue once; its reply deadline has passed.
    # d: never accepted; reply not yet due.
    services.accept(appeal=a, actor=world.bob)
    services.reply(appeal=a, actor=world.bob, text="ok")
    services.accept(appeal=b, actor=world.bob)
    services.reply(appeal=b, actor=world.bob, text="ok")
    services.accept(appeal=c, actor=world.bob)
    sub = Appeal.objects.filter(pk__in=[x.pk for x in made + [other]])
    sub.update(created_at=_at(7), accept_due_at=_at(7, 12), reply_due_at=_at(14))
    Appeal.objects.filter(pk=a.pk).update(first_accepted_at=_at(7, 11), accept_seconds=3600, reply_seconds=7200)
    Appeal.objects.filter(pk=b.pk).update(first_accepted_at=_at(10), accept_seconds=3 * 86400, reply_seconds=4 * 86400)
    Appeal.objects.filter(pk=c.pk).update(first_accepted_at=_at(7, 11), accept_seconds=3600, overdue_count=1)
    Appeal.objects.filter(pk=d.pk).update(reply_due_at=_at(30, 12))
    a.refresh_from_db()
    b.refresh_from_db()
    a.submitter = b.submitter = world.rita
    Appeal.objects.filter(pk__in=[a.pk, b.pk]).update(submitter=world.rita)
    services.rate(appeal=a, actor=world.rita, level=4)
    services.rate(appeal=b, actor=world.rita, level=2)

    result = rates(BOB_UNIT, date(2026, 9, 1), date(2026, 9, 30), now=_at(20))
    assert result["total"] == 4
    assert result["response_rate"] == 0.5  # a, c on time / 4
    assert result["due"] == 3 and result["resolved"] == 1  # a closed; b, c past due; d not yet due
    assert result["resolution_rate"] == round(1 / 3, 4)
    assert result["rated"] == 2 and result["satisfaction_rate"] == 0.5
    assert result["avg_accept_hours"] == round((3600 + 3 * 86400 + 3600) / 3 / 3600, 2)
    assert result["avg_reply_hours"] == round((7200 + 4 * 86400) / 2 / 3600, 2)
    assert result["overdue"] == 1
    assert rates(BOB_UNIT, date(2026, 10, 1), date(2026, 10, 31))["total"] == 0

    ranking = township_ranking(TAOCHENG_PREFIX, date(2026, 9, 1), date(2026, 9, 30), now=_at(20))
    # 河东: mean(0.5, 1/3, 0.5) = 0.4444; 河西: one request never accepted, past due, unrated → 0.
    assert [(r["name"], r["rank"], r["total"]) for r in ranking] == [("河东街道", 1, 4), ("河西街道", 2, 1)]
    assert ranking[0]["score"] == round((0.5 + round(1 / 3, 4) + 0.5) / 3, 4)


def test_it_ranks_by_the_mean_of_the_three_rates(world) -> None:
    good = file(None, unit=ALICE_UNIT, phone="13900000001")
    services.accept(appeal=good, actor=world.alice)
    bad = file(None, unit=BOB_UNIT, phone="13900000002")
    Appeal.objects.filter(pk=bad.pk).update(accept_due_at=timezone.now() - timedelta(hours=1))
    today = timezone.localdate()
    ranking = township_ranking(TAOCHENG_PREFIX, today.replace(day=1), today)
    assert ranking[0]["code"] == "131102001000" and ranking[0]["response_rate"] == 1.0
    assert ranking[1]["response_rate"] == 0.0
