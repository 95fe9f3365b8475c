import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from ops.backup import BackupError, backup, restore

KEYS = {"SECRET_KEY": "s" * 50, "SHEQU_DATA_KEY": "d" * 64}


def _live_db(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE appeal (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, appeal_id INTEGER)")
    conn.close()


def _content(path: Path) -> tuple[int, int, str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT a.id, a.text, b.id FROM appeal a LEFT JOIN audit b ON b.appeal_id = a.id ORDER BY a.id").fetchall()
        audits = conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    conn.close()
    return len(rows), audits, hashlib.sha256(repr(rows).encode()).hexdigest()


class Writer(threading.Thread):
    """A site filing requests: each filing writes its request and its audit row in one transaction."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.stop, self.filed = path, threading.Event(), 0

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        while not self.stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            cursor = conn.execute("INSERT INTO appeal (text) VALUES (?)", (f"路灯不亮 {self.filed}",))
            conn.execute("INSERT INTO audit (appeal_id) VALUES (?)", (cursor.lastrowid,))
            conn.execute("COMMIT")
            self.filed += 1
        conn.close()

    def wait_for(self, count: int) -> None:
        while self.filed < count:
            self.stop.wait(0.01)


def test_it_round_trips_a_snapshot_taken_under_concurrent_writes(tmp_path: Path) -> None:
    db, media = tmp_path / "live.sqlite3", tmp_path / "media"
    _live_db(db)
    (media / "photos").mkdir(parents=True)
    (media / "photos" / "lamp.jpg").write_bytes(b"\xff\xd8 photo")
    writer = Writer(db)
    writer.start()
    writer.wait_for(200)
    before = writer.filed
    result = backup(tmp_path / "b1", database=str(db), media=media, keys=KEYS)
    after = writer.filed
    writer.wait_for(after + 200)  # the site kept filing after the backup
    writer.stop.set()
    writer.join()
    rows, audits, checksum = _content(tmp_path / "b1" / "shequ.sqlite3")
    assert before <= rows <= after + 1
    assert audits == rows  # one moment: no request without its audit row, none half-copied
    assert result.manifest["database"]["rows"] == {"appeal": rows, "audit": rows}
    assert _content(db)[0] >= after + 200

    (media / "photos" / "lamp.jpg").write_bytes(b"changed later")
    (media / "late.pdf").write_bytes(b"%PDF late")
    restore(tmp_path / "b1", database=str(db), media=media, keys=KEYS)
    assert _content(db) == (rows, audits, checksum)  # exactly the snapshot: later filings gone
    assert (media / "photos" / "lamp.jpg").read_bytes() == b"\xff\xd8 photo"
    assert not (media / "late.pdf").exists()
    kept = list(tmp_path.glob("live.sqlite3.before-restore-*"))
    assert len(kept) == 1 and _content(kept[0])[0] >= after + 200  # the replaced state is kept beside it


def test_it_refuses_to_restore_with_other_keys_or_a_damaged_backup(tmp_path: Path) -> None:
    db, media = tmp_path / "live.sqlite3", tmp_path / "media"
    _live_db(db)
    media.mkdir()
    backup(tmp_path / "b1", database=str(db), media=media, keys=KEYS)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO appeal (text) VALUES ('after')")
    conn.close()
    with pytest.raises(BackupError, match="SHEQU_DATA_KEY 与备份时的不同"):
        restore(tmp_path / "b1", database=str(db), media=media, keys={**KEYS, "SHEQU_DATA_KEY": "x" * 64})
    (tmp_path / "b1" / "media" / "slipped-in.txt").write_text("x")
    with pytest.raises(BackupError, match="slipped-in.txt"):
        restore(tmp_path / "b1", database=str(db), media=media, keys=KEYS)
    (tmp_path / "b1" / "media" / "slipped-in.txt").unlink()
    with (tmp_path / "b1" / "shequ.sqlite3").open("ab") as damaged:
        damaged.write(b"\0")
    with pytest.raises(BackupError, match="校验值不符"):
        restore(tmp_path / "b1", database=str(db), media=media, keys=KEYS)
    assert _content(db)[0] == 1  # nothing restored
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_it_keeps_the_keys_out_of_the_backup(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite3"
    _live_db(db)
    with pytest.raises(BackupError, match="密钥目录不能在备份目录之内"):
        backup(tmp_path / "b1", database=str(db), media=tmp_path / "media", keys=KEYS, keys_to=tmp_path / "b1" / "keys")
    result = backup(tmp_path / "b1", database=str(db), media=tmp_path / "media", keys=KEYS, keys_to=tmp_path / "vault")
    for path in (tmp_path / "b1").rglob("*"):
        if path.is_file():
            assert KEYS["SHEQU_DATA_KEY"].encode() not in path.read_bytes()
            assert KEYS["SECRET_KEY"].encode() not in path.read_bytes()
    assert (tmp_path / "vault" / "data_key").read_text() == KEYS["SHEQU_DATA_KEY"]
    assert (tmp_path / "vault" / "data_key").stat().st_mode & 0o077 == 0
    assert set(json.loads((tmp_path / "b1" / "manifest.json").read_text())["keys"]) == set(KEYS)
    assert result.manifest["keys"]["SHEQU_DATA_KEY"] != result.manifest["keys"]["SECRET_KEY"]
    with pytest.raises(BackupError, match="已存在且不为空"):
        backup(tmp_path / "b1", database=str(db), media=tmp_path / "media", keys=KEYS)


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_and_restores_the_running_site_with_the_commands(tmp_path: Path, settings, capsys) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        with pytest.raises(CommandError, match="仅用于内嵌的 SQLite"):
            call_command("backup", str(tmp_path / "b1"))
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "evidence.pdf").write_bytes(b"%PDF-1.4")
    User.objects.create(username="before.backup")
    call_command("backup", str(tmp_path / "b1"), "--keys", str(tmp_path / "vault"))
    assert "须与数据分开保存" in capsys.readouterr().out
    User.objects.create(username="after.backup")
    settings.DATA_KEY = "another-key"
    with pytest.raises(CommandError, match="SHEQU_DATA_KEY"):
        call_command("restore", str(tmp_path / "b1"))
    assert User.objects.filter(username="after.backup").exists()
    settings.DATA_KEY = (tmp_path / "vault" / "data_key").read_text()
    call_command("restore", str(tmp_path / "b1"))
    connection.close()
    assert User.objects.filter(username="before.backup").exists()
    assert not User.objects.filter(username="after.backup").exists()
    assert (tmp_path / "media" / "evidence.pdf").read_bytes() == b"%PDF-1.4"
