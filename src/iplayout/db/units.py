"""Unit conversion to the catalogue unit — only where the conversion is unambiguous.

Money units convert by powers of ten (元, 千元, 万元, 亿元, 万亿元); counts in 万件/万人 etc. are *not*
converted silently because yearbooks mix 人 and 万人 for different concepts: any other mismatch is refused.
"""
from __future__ import annotations

# factor to the base unit 元
MONEY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万亿元": 1e12}

# kinds of indicators where a unit check means "non-negative count or amount"
PERCENT_UNITS = {"%"}


def normalise_unit(unit: str) -> str:
    """Strip blanks and full-width brackets users type around units: '（万元）' → '万元'."""
    u = str(unit or "").strip()
    for ch in "()（）[]【】 ":
        u = u.replace(ch, "")
    return u.replace("％", "%")


def conversion_factor(from_unit: str, to_unit: str) -> float | None:
    """Multiplier taking a value in ``from_unit`` to ``to_unit``; None when not convertible.

    Notes
    -----
    ``value_to = value_from × MONEY[from] / MONEY[to]`` for money units (e.g. 亿元 → 万元: × 10,000);
    identical units give 1. Everything else is refused (returns None) rather than guessed.
    """
    f, t = normalise_unit(from_unit), normalise_unit(to_unit)
    if f == t:
        return 1.0
    if f in MONEY and t in MONEY:
        return MONEY[f] / MONEY[t]
    return None
