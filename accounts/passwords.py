"""Password policy: at least 8 characters from at least three character classes."""

import string
from typing import Any

from django.core.exceptions import ValidationError

CLASSES = {
    "小写字母": set(string.ascii_lowercase),
    "大写字母": set(string.ascii_uppercase),
    "数字": set(string.digits),
}


def character_classes(password: str) -> int:
    found = sum(1 for chars in CLASSES.values() if set(password) & chars)
    if any(not ch.isalnum() or not ch.isascii() for ch in password):
        found += 1
    return found


class ComplexityValidator:
    min_length = 8
    min_classes = 3

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(f"密码至少需要 {self.min_length} 个字符。", code="password_too_short")
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                "密码需包含大写字母、小写字母、数字、符号中的至少三类。", code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return "至少8个字符，且包含大写字母、小写字母、数字、符号中的至少三类。"
