"""The statistical division code is the path: its significant prefix names a subtree.

city 1311 · county 131102 · township 131102001 · village 131102001045, each padded
to 12 digits. "Everything under X" is a range over 12-digit codes, which every
database answers from a plain b-tree index, whatever its collation.
"""

from django.db.models import Q

CODE_LENGTH = 12
PREFIX_LENGTH = {"city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_ORDER = ["city", "county", "township", "village"]


def significant_prefix(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[level]]


def prefix_range(prefix: str) -> tuple[str, str]:
    """The smallest and largest 12-digit codes that start with prefix."""
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


def within(field: str, prefix: str) -> Q:
    """Q for rows whose code field lies in the subtree named by prefix."""
    low, high = prefix_range(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def is_valid_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and code.isdigit()
