"""F12: the client address behind trusted proxies only, HTTPS settings, and `check --deploy` clean in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.middleware import real_client
from accounts.models import AuditEntry
from shequ.testing.world import PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]
PROXIES = ("10.0.0.0/8", "127.0.0.1")


@pytest.mark.parametrize(("peer", "header", "client"), [
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),                          # nginx in front
    ("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # a forged left part is ignored
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),                           # an untrusted peer's header is ignored
    ("10.0.0.5", "not-an-ip", "10.0.0.5"),
    ("10.0.0.5", "", "10.0.0.5"),
])
def test_it_takes_the_rightmost_untrusted_hop_only_behind_a_trusted_proxy(peer: str, header: str, client: str) -> None:
    assert real_client(peer, header, PROXIES) == client


def sign_in(client, headers: dict[str, str], remote: str):
    return client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, headers=headers, REMOTE_ADDR=remote)


def test_the_audit_log_records_the_real_client_behind_the_proxy(client, world: World, settings) -> None:
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    sign_in(client, {"X-Forwarded-For": "203.0.113.9"}, "10.0.0.5")
    assert AuditEntry.objects.get(action="auth.login").ip == "203.0.113.9"


def test_a_client_cannot_choose_its_address_with_a_header(client, world: World, settings) -> None:
    settings.SHEQU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    sign_in(client, {"X-Forwarded-For": "10.9.9.9, 198.51.100.7"}, "203.0.113.50")
    assert AuditEntry.objects.get(action="auth.login").ip == "203.0.113.50"
    client.logout()
    settings.SHEQU_TRUSTED_PROXIES = []
    sign_in(client, {"X-Forwarded-For": "198.51.100.7"}, "10.0.0.5")
    assert AuditEntry.objects.filter(action="auth.login").order_by("id").last().ip == "10.0.0.5"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "SECURE_", "DEBUG", "SECRET_KEY", "ALLOWED_", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    env.update({
        "SHEQU_DEMO": "false", "DEBUG": "false", "SHEQU_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k7#Qm2v!Zp9xR4t@Lw8nB1c$Hs6dF3gJ0yU5eA_oI-TqWz+N4rE8uY2", "SHEQU_DATA_KEY": "Xb4mT9qP2wL7vK1nR8sD3fG6hJ0yC5eA",
        "ALLOWED_HOSTS": "shequ.example.gov.cn", "CSRF_TRUSTED_ORIGINS": "https://shequ.example.gov.cn",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https", "SHEQU_TRUSTED_PROXIES": "127.0.0.1",
    })
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_a_production_setting_turned_off_costs(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_it_refuses_a_bad_proxy_list(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, SHEQU_TRUSTED_PROXIES="10.0.0.0/8,nginx"))
    assert result.returncode != 0 and "SHEQU_TRUSTED_PROXIES" in result.stderr
