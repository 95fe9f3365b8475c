"""Personal data at rest: AES-GCM encryption and a keyed hash for exact search.

Both keys derive from settings.DATA_KEY (SHEQU_DATA_KEY in production; generated into
var/ in demo mode). The hash is HMAC-SHA256, so the database alone cannot be used to
test guesses of an ID or phone number.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = b"\x01"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    root = hashlib.sha256(master.encode()).digest()
    enc_key = hmac.new(root, b"shequ-encrypt-v1", hashlib.sha256).digest()
    hash_key = hmac.new(root, b"shequ-search-v1", hashlib.sha256).digest()
    return AESGCM(enc_key), hash_key


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    aead, _ = _keys(settings.DATA_KEY)
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), VERSION)
    return base64.b64encode(VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    aead, _ = _keys(settings.DATA_KEY)
    raw = base64.b64decode(token)
    return aead.decrypt(raw[1:13], raw[13:], raw[:1]).decode()


def search_hash(value: str) -> str:
    """Keyed hash of a normalised value (upper-case, no spaces) for exact lookups."""
    if not value:
        return ""
    _, key = _keys(settings.DATA_KEY)
    normalised = value.replace(" ", "").upper()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
