"""Unit conversion to the catalogue unit — only where the conversion is unambiguous.

Money units convert by powers of ten within one currency: yuan (元, 千元, 万元, 亿元, 万亿元) or US
dollars (美元 … 万亿美元, as WIPO/OECD/World Bank tables print them); a currency is never converted into
another (no exchange rate is implied: GDP in US$ is its own indicator, ``gdp_usd``). Counts in 万件/万人
etc. are *not* converted silently because yearbooks mix 人 and 万人 for different concepts; the only
exception is a resident headcount (``population``), which international tables give in persons.
Any other mismatch is refused.
"""
from __future__ import annotations

# factor to the base unit 元
MONEY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8, "万亿元": 1e12}
# factor to the base unit US$ (Chinese and the English labels of WIPO/OECD/World Bank tables)
MONEY_USD = {"美元": 1.0, "USD": 1.0, "US$": 1.0, "千美元": 1e3, "万美元": 1e4, "百万美元": 1e6, "millionUSD": 1e6,
             "USDmillion": 1e6, "亿美元": 1e8, "十亿美元": 1e9, "billionUSD": 1e9, "USDbillion": 1e9,
             "万亿美元": 1e12, "trillionUSD": 1e12}
CURRENCIES = (MONEY, MONEY_USD)
# headcounts of residents: one concept, published in persons abroad and in 万人 in Chinese yearbooks
PERSONS = {"人": 1.0, "persons": 1.0, "万人": 1e4, "百万人": 1e6, "million": 1e6, "亿人": 1e8}
HEADCOUNT_INDICATORS = frozenset({"population"})

# kinds of indicators where a unit check means "non-negative count or amount"
PERCENT_UNITS = {"%"}


def normalise_unit(unit: str) -> str:
    """Strip blanks and full-width brackets users type around units: '（万元）' → '万元', 'million USD' → 'millionUSD'."""
    u = str(unit or "").strip()
    for ch in "()（）[]【】 ":
        u = u.replace(ch, "")
    return u.replace("％", "%")


def conversion_factor(from_unit: str, to_unit: str, indicator: str | None = None) -> float | None:
    """Multiplier taking a value in ``from_unit`` to ``to_unit``; None when not convertible.

    Parameters
    ----------
    from_unit, to_unit : str
        Units as typed (blanks and brackets are ignored).
    indicator : str, optional
        Catalogue code; only ``population`` (:data:`HEADCOUNT_INDICATORS`) converts persons ↔ 万人.

    Notes
    -----
    ``value_to = value_from × F[from] / F[to]`` where ``F`` is the factor to the base unit of one
    family: yuan (:data:`MONEY`, e.g. 亿元 → 万元 × 10,000), US dollars (:data:`MONEY_USD`, e.g.
    百万美元 → 亿美元 × 0.01) or, for a resident headcount, persons (:data:`PERSONS`, 人 → 万人 × 10⁻⁴).
    Identical units give 1; units of two families (亿美元 → 亿元) are refused — that would need an
    exchange rate, which is a modelling choice, not a unit.
    """
    f, t = normalise_unit(from_unit), normalise_unit(to_unit)
    if f == t:
        return 1.0
    for family in CURRENCIES:
        if f in family and t in family:
            return family[f] / family[t]
    if indicator in HEADCOUNT_INDICATORS and f in PERSONS and t in PERSONS:
        return PERSONS[f] / PERSONS[t]
    return None
