"""How personal data is shown and stored in the clear: the one masking rule (脱敏规则).

An ID card number is area code (6) + birth date (8) + sequence (3, the last one's parity the gender) + check
character. The birth date and gender are stored and shown in the clear, so a masked ID that kept any of the
tail would give the number away (area + birth date + tail = the whole number). The masked ID therefore keeps
the area code only: 131102************ — the sequence and the check character never appear. Other documents
keep their first two characters. A phone keeps 3 + 4 digits (138****5678) of its canonical digits: the four
middle digits appear nowhere in the clear, and no other masked form of a phone exists.
"""

# Characters of an 18-character ID kept in the clear: the area code; never the sequence (15–17) or check (18).
ID_CARD_KEPT = 6
OTHER_ID_KEPT = 2


def mask_id(number: str) -> str:
    if not number:
        return ""
    if len(number) == 18:
        return number[:ID_CARD_KEPT] + "*" * (18 - ID_CARD_KEPT)
    if len(number) <= 4:
        return "*" * len(number)
    return number[:OTHER_ID_KEPT] + "*" * (len(number) - OTHER_ID_KEPT)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """For public display: 张** / 欧阳**."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)
