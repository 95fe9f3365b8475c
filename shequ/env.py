"""Read settings from the environment; a bad value fails loudly at start-up."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_env_or_file(name: str, path: Path, *, demo: bool) -> str:
    """A secret comes from the environment; only in demo mode is one generated into var/."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if not demo:
        raise ImproperlyConfigured(f"{name} must be set when SHEQU_DEMO is off")
    if path.exists():
        owner_only(path, 0o600)
        return path.read_text().strip()
    private_dir(path.parent)
    value = secrets.token_urlsafe(48)
    # Created 0600 in one step: never readable by others, not even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(value)
    return value


def owner_only(path: Path, mode: int) -> None:
    """Take group and other rights away from a file or directory of ours (one left by an older version)."""
    status = path.stat()
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        path.chmod(mode)


def private_dir(path: Path) -> Path:
    """A directory only its owner may enter (0700): var/, media/."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """An existing or new empty file only its owner may read (0600), e.g. the SQLite database before SQLite opens it."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    owner_only(path, 0o600)
    return path
