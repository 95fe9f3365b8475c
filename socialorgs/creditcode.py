"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character over the first 17.

Characters are the digits and the capitals except I, O, S, V and Z (31 of them); the check character is
31 - (Σ value(c_i) × 3^(i-1) mod 31) mod 31, i = 1..17, written with the same alphabet.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """The Chinese reason a code is not a valid 统一社会信用代码, or None."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位（现为{len(code)}位）"
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用 I、O、S、V、Z 和小写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，填写的是“{code[17]}”"
    return None


def make(first17: str) -> str:
    """A valid code from its first 17 characters (tests and demo data)."""
    return first17 + check_character(first17)
