"""F1: nothing stored or shown in the clear gives an ID or phone number back.

The attack that found it: substr(id_number_masked,1,6) || birth_date || substr(id_number_masked,-4) rebuilt every
ID number. These tests plant residents and workers through every path that writes about them (forms, API, import,
edit, move, move-in, status, export search, workforce), then read every column of every table except ciphertext
and keyed hashes — plus the pages and API answers a worker without the reveal right gets — and try to rebuild the
numbers: an ID's sequence (digits 15–17) must stay unknown, and so must a phone's middle digits.
"""

import datetime as dt
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from people import crypto, idcard, services
from people.masking import mask_id
from people.models import Resident
from people.tests.factories import id_number
from people.tests.io_helpers import book, jobs_inline, name_for, person  # noqa: F401
from shequ.testing.world import ALICE_UNIT, BOB_UNIT

pytestmark = pytest.mark.django_db

SEQUENCE = (14, 15, 16)  # 0-based positions of digits 15–17
MASKED_RE = re.compile(r"[0-9Xx*]*\*[0-9Xx*]*")
DIGITS_RE = re.compile(r"[0-9Xx]{6,}")


def plaintext_columns() -> list[str]:
    """Every value of every column of every table, except ciphertext (*_enc), keyed hashes (*_hash) and passwords."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the database itself)
            names = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if value is None or name.endswith(("_enc", "_hash")) or name == "password":
                        continue
                    if isinstance(value, dt.datetime):
                        continue  # a moment says nothing of a person's numbers
                    values.append(value.isoformat() if isinstance(value, dt.date) else str(value))
    return values


def known_positions(secret: str, texts: Iterable[str]) -> set[int]:
    """The positions of `secret` an attacker learns from the texts: masked forms that fit it and digit runs in it."""
    known: set[int] = set()
    secret = secret.upper()
    for text in texts:
        for token in MASKED_RE.findall(text):
            if len(token) == len(secret) and all(c == "*" or c.upper() == s for c, s in zip(token, secret, strict=True)):
                known |= {i for i, c in enumerate(token) if c != "*"}
        for run in DIGITS_RE.findall(text):
            start = secret.find(run.upper())
            while start != -1:
                known |= set(range(start, start + len(run)))
                start = secret.find(run.upper(), start + 1)
    return known


def id_candidates(number: str, birth: dt.date, gender: str, known: set[int]) -> list[str]:
    """Every valid ID number that agrees with what is known: area code, birth date, gender and the known positions.

    (A number with a wrong check character, as a bad import row has, is matched on its first 17 characters.)
    """
    found = []
    for sequence in range(1000):
        first17 = f"{number[:6]}{birth:%Y%m%d}{sequence:03d}"
        candidate = first17 + idcard.check_digit(first17)
        if int(candidate[16]) % 2 != (gender == "M"):
            continue
        if all(candidate[i] == number[i] for i in known if i < 17) and (17 not in known or candidate[17] == number[17]):
            found.append(candidate)
    return found


def plant(world: Any, login: Any) -> list[tuple[str, str]]:
    """Residents written through every path, each with its (ID number, phone); also a worker's phone."""
    planted: list[tuple[str, str]] = []
    # The web form (bob), then an edit of the phone and the name, a status change and a reveal-free detail view.
    number = id_number(dt.date(1961, 7, 21), "F")
    client = login(world.bob)
    response = client.post("/people/residents/new/", {
        "name": "韩淑珍", "id_type": "id_card", "id_number": number, "phone": "139 1234 5678",
        "unit_code": BOB_UNIT, "relation": "other", "registered_here": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    web = Resident.objects.get(name="韩淑珍")
    services.update_resident(actor=world.bob, resident=web, data={"phone": "13987654321", "name": "韩淑贞"})
    planted += [(number, "13912345678"), (number, "13987654321")]
    # The API.
    number = id_number(dt.date(1977, 2, 3), "M")
    client.post("/api/people/residents", {"name": "石建国", "id_number": number, "phone": "0318-2345678",
                                         "unit_code": BOB_UNIT}, content_type="application/json")
    api = Resident.objects.get(name="石建国")
    planted.append((number, "03182345678"))
    services.set_status(actor=world.bob, resident=api, status=Resident.Status.MOVED_OUT, on=dt.date(2024, 5, 1))
    # A move-in by another community's worker, who types the whole number.
    number = id_number(dt.date(1988, 11, 30), "M")
    services.create_resident(actor=world.bob, data={"name": "邢志强", "id_number": number, "unit_code": BOB_UNIT,
                                                    "phone": "15011112222"})
    services.move_in(actor=world.alice, id_number=number, name="邢志强", to_unit_code=ALICE_UNIT,
                     moved_on=dt.date(2025, 1, 2))
    planted.append((number, "15011112222"))
    # The import (a background job run at once), with a bad row so that an error report is written too.
    good = person(7001, unit=BOB_UNIT, phone="13655554444")
    bad = person(7002, unit=BOB_UNIT, phone="13633332222")
    bad["证件号码"] = bad["证件号码"][:17] + ("0" if bad["证件号码"][17] != "0" else "1")  # a wrong check character
    client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", book([good, bad]))})
    client.post("/people/import/", {"file": SimpleUploadedFile("b.xlsx", book([good]))})
    assert Resident.objects.filter(name=name_for(7001)).exists()
    planted += [(good["证件号码"], "13655554444"), (bad["证件号码"], "13633332222")]
    # An export that searched for one person by ID number and one by phone (the filters are audit-logged).
    client.get("/people/export/", {"q": planted[0][0]})
    client.get("/people/export/", {"q": "15011112222"})
    spaced = planted[2][0]
    client.get("/people/export/", {"q": f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}"})
    client.get("/people/export/", {"q": "150-1111-2222"})
    # A community worker of the workforce register.
    from workforce import services as workforce

    workforce.add_worker(actor=world.bob, unit=world.unit(BOB_UNIT), name="苗红", gender="F", position="full_time",
                         started_on=dt.date(2024, 3, 1), phone="18822223333")
    planted.append(("", "18822223333"))
    return planted


def shown_without_reveal(world: Any, login: Any) -> list[str]:
    """What bob, his township and his county see of the register without the reveal right."""
    bodies = []
    for user in (world.bob, world.tom, world.carl):
        client = login(user)
        for url in ["/people/residents/", "/people/residents/?status=", "/people/moves/", "/people/households/",
                    "/api/people/residents?status=", f"/workforce/units/{BOB_UNIT}/", "/api/workforce/workers"]:
            bodies.append(client.get(url).content.decode())
        for resident in Resident.objects.all():
            bodies.append(client.get(f"/people/residents/{resident.pk}/").content.decode())
            bodies.append(client.get(f"/people/residents/{resident.pk}/edit/").content.decode())
            bodies.append(client.get(f"/api/people/residents/{resident.pk}").content.decode())
    return bodies


def test_it_masks_an_id_with_the_area_code_only() -> None:
    number = idcard.make_number("131102", dt.date(1950, 3, 4), 17, "M")
    assert mask_id(number) == "131102************"
    assert mask_id("E12345678") == "E1*******" and mask_id("123") == "***"


def test_it_keeps_every_id_sequence_and_phone_middle_unknown_from_what_is_stored_and_shown(
        world, login, jobs_inline) -> None:  # noqa: F811
    planted = plant(world, login)
    texts = plaintext_columns() + shown_without_reveal(world, login)
    for number, phone in planted:
        if number:
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            gender = "M" if int(number[16]) % 2 else "F"
            known = known_positions(number, texts) | set(range(6, 14))  # the birth date is stored in the clear
            assert not known & set(SEQUENCE), f"digits {sorted(known & set(SEQUENCE))} of an ID number are exposed"
            # The rebuild of the attack: area code, birth date and gender leave hundreds of numbers.
            assert len(id_candidates(number, birth, gender, known)) >= 100
            assert number not in "".join(texts)
        middle = set(range(3, len(phone) - 4))
        exposed = known_positions(phone, texts) & middle
        assert not exposed, f"middle digits {sorted(exposed)} of {phone[:3]}…{phone[-4:]} are exposed"


def test_it_catches_the_old_mask_that_kept_the_tail(world) -> None:
    """The check above is not blind: the old masked form (first 6 + last 4) with the birth date gives the number."""
    number = id_number(dt.date(1950, 3, 4), "M")
    person = services.create_resident(actor=None, data={"name": "旧掩码", "id_number": number, "unit_code": BOB_UNIT})
    Resident.objects.filter(pk=person.pk).update(id_number_masked=number[:6] + "*" * 8 + number[-4:])
    known = known_positions(number, plaintext_columns()) | set(range(6, 14))
    assert known & set(SEQUENCE)
    assert id_candidates(number, dt.date(1950, 3, 4), "M", known) == [number]


def test_it_remasks_stored_ids_in_the_data_migration(world) -> None:
    from importlib import import_module

    from django.apps import apps

    number = id_number(dt.date(1950, 3, 4), "M")
    person = services.create_resident(actor=None, data={"name": "旧记录", "id_number": number, "unit_code": BOB_UNIT})
    passport = services.create_resident(actor=None, data={"name": "护照", "id_type": "passport", "id_number": "E12345678",
                                                         "unit_code": BOB_UNIT, "gender": "M", "birth_date": "1980-01-01"})
    Resident.objects.filter(pk=person.pk).update(id_number_masked=number[:6] + "*" * 8 + number[-4:])
    Resident.objects.filter(pk=passport.pk).update(id_number_masked="E1*****78")
    import_module("people.migrations.0006_remask_id_numbers").remask(apps, None)
    assert Resident.objects.get(pk=person.pk).id_number_masked == number[:6] + "*" * 12
    assert Resident.objects.get(pk=passport.pk).id_number_masked == "E1*******"
    assert crypto.decrypt(Resident.objects.get(pk=person.pk).id_number_enc) == number


def test_it_creates_the_database_keys_and_media_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SHEQU_DATA_KEY", "DATABASE_URL"}}
    env.update({"SHEQU_VAR_DIR": str(var), "SHEQU_DEMO": "true", "DJANGO_SETTINGS_MODULE": "shequ.settings"})
    script = (
        "import os; os.umask(0o022)\n"
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c: c.execute('CREATE TABLE t (x)'); c.execute('INSERT INTO t VALUES (1)')\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "default_storage.save('jobs/out/result.xlsx', ContentFile(b'x'))\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=Path(__file__).resolve().parents[2], check=True)  # noqa: S603

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(var) == 0o700
    for name in ("secret_key", "data_key", "shequ.sqlite3"):
        assert mode(var / name) == 0o600, name
    for extra in var.glob("shequ.sqlite3-*"):
        assert mode(extra) == 0o600, extra.name
    for folder in (var / "media", var / "media" / "jobs", var / "media" / "jobs" / "out"):
        assert mode(folder) == 0o700, folder
    assert mode(var / "media" / "jobs" / "out" / "result.xlsx") == 0o600


def test_it_takes_group_and_other_rights_from_an_older_var_dir(tmp_path: Path) -> None:
    from shequ.env import private_dir, secret_from_env_or_file

    old = tmp_path / "var"
    old.mkdir(mode=0o755)
    old.chmod(0o755)
    key = old / "data_key"
    key.write_text("an-old-key")
    key.chmod(0o644)
    private_dir(old)
    assert secret_from_env_or_file("SHEQU_TEST_NO_SUCH_VARIABLE", key, demo=True) == "an-old-key"
    assert stat.S_IMODE(old.stat().st_mode) == 0o700 and stat.S_IMODE(key.stat().st_mode) == 0o600
