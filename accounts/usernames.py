"""The one username rule: NFKC, case-folded, [a-z0-9._-], 3–30 characters.

Sign-in matches the normalised form, so `Worker` signs in as `worker`; a name that normalises
to something outside the alphabet (a zero-width space, a Cyrillic о, markup) is refused, never
stored beside a look-alike.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

ALPHABET = re.compile(r"[a-z0-9._-]{3,30}")
MESSAGE = "用户名须为3至30位小写字母、数字或 . _ -（不区分大小写）。"


def normalise(raw: str) -> str:
    """The form a username is stored and looked up in (no validation)."""
    return unicodedata.normalize("NFKC", raw).casefold().strip()


def clean_username(raw: str) -> str:
    name = normalise(raw)
    if not ALPHABET.fullmatch(name):
        raise ValidationError(MESSAGE, code="username")
    return name
