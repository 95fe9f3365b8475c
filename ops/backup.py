"""Backup and restore of the embedded SQLite deployment (docs/ops.md "Backup and restore").

A backup is a directory: `shequ.sqlite3` (SQLite's online backup API: a consistent snapshot taken while the site keeps
writing — in WAL mode writers are not blocked), `media/` (a copy of MEDIA_ROOT), and `manifest.json` (time, the
database's SHA-256 and row counts per table, every media file's size and SHA-256, and fingerprints of the two keys).
The keys themselves are never written into it: with `keys_to` they go to a separate directory the operator keeps
elsewhere (an encrypted database without its SHEQU_DATA_KEY is unreadable; with it, anyone holding both reads it all).
"""

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

DB_FILE = "shequ.sqlite3"
MANIFEST = "manifest.json"
KEYS = {"SECRET_KEY": "secret_key", "SHEQU_DATA_KEY": "data_key"}


class BackupError(Exception):
    """A backup or restore refused, with the reason in Chinese (nothing was changed)."""


def fingerprint(secret: str) -> str:
    """Identifies a key without revealing it (a restore checks that the running key is the backup's)."""
    return hashlib.sha256(b"shequ-backup-key-fingerprint:" + secret.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connect(database: str) -> sqlite3.Connection:
    conn = sqlite3.connect(database, uri=database.startswith("file:"), timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        counts = {table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}  # noqa: S608
    conn.close()
    return counts


def _media_files(root: Path) -> dict[str, dict[str, Any]]:
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(root.rglob("*")) if path.is_file()}


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


@dataclass
class Result:
    path: Path
    manifest: dict[str, Any]


def backup(dest: Path, *, database: str, media: Path, keys: dict[str, str], keys_to: Path | None = None,
           now: datetime | None = None) -> Result:
    dest = dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录 {dest} 已存在且不为空，请指定新目录")
    if keys_to is not None:
        keys_to = keys_to.resolve()
        if keys_to == dest or dest in keys_to.parents:
            raise BackupError("密钥目录不能在备份目录之内：密钥必须与数据分开保存")
    _private_dir(dest)
    target = dest / DB_FILE
    source = _connect(database)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # all pages in one step: a snapshot of one moment, writers carry on (WAL)
        (check,) = copy.execute("PRAGMA integrity_check").fetchone()
    finally:
        copy.close()
        source.close()
    if check != "ok":
        raise BackupError(f"备份的数据库未通过完整性检查：{check}")
    target.chmod(0o600)
    if media.exists():
        shutil.copytree(media, dest / "media", dirs_exist_ok=False)
    else:
        _private_dir(dest / "media")
    manifest = {
        "format": 1,
        "created_at": (now or timezone.now()).isoformat(),
        "database": {"file": DB_FILE, "sha256": _sha256(target), "rows": row_counts(target)},
        "media": _media_files(dest / "media"),
        "keys": {name: fingerprint(value) for name, value in keys.items()},
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    if keys_to is not None:
        _private_dir(keys_to)
        for name, value in keys.items():
            key_file = keys_to / KEYS[name]
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(value)
    return Result(dest, manifest)


def read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{src} 不是有效的备份（缺少或无法读取 {MANIFEST}）") from error
    if _sha256(src / DB_FILE) != manifest["database"]["sha256"]:
        raise BackupError("备份的数据库文件与清单中的校验值不符，可能已损坏或被改动")
    media = _media_files(src / "media")
    if media != manifest["media"]:
        changed = sorted(set(media) ^ set(manifest["media"]) | {name for name in media if media[name] != manifest["media"].get(name)})
        raise BackupError(f"备份的附件与清单不符：{', '.join(changed[:5])}")
    return manifest


def restore(src: Path, *, database: str, media: Path, keys: dict[str, str], now: datetime | None = None) -> Result:
    """Replace the live database and media with the backup's. Refuses (changing nothing) when the backup is damaged or
    was made with other keys. The current database and media are kept beside them (`….before-restore-<time>`)."""
    src = src.resolve()
    manifest = read_manifest(src)
    wrong = [name for name, value in keys.items() if manifest["keys"].get(name) != fingerprint(value)]
    if wrong:
        raise BackupError(f"当前的 {'、'.join(wrong)} 与备份时的不同：先恢复与该备份一同保存的密钥，否则加密数据无法读取")
    stamp = (now or timezone.now()).strftime("%Y%m%d%H%M%S")
    live = _connect(database)
    try:
        if not database.startswith("file:"):
            keep = sqlite3.connect(f"{database}.before-restore-{stamp}")
            with keep:
                live.backup(keep)
            keep.close()
        backup_db = sqlite3.connect(src / DB_FILE)
        try:
            backup_db.backup(live)  # through SQLite: other connections see the restored pages, the WAL stays consistent
        finally:
            backup_db.close()
    finally:
        live.close()
    if media.exists():
        media.rename(media.with_name(f"{media.name}.before-restore-{stamp}"))
    shutil.copytree(src / "media", media)
    media.chmod(0o700)
    return Result(src, manifest)
