"""Chinese sentences built from numbers, e.g. "2015年江苏省国内专利授权量250,290件，居全国第2位…".

Every data-derived string (names, codes) passes through :func:`md_escape`, because the sentences are
rendered as Markdown and then HTML. Numbers are formatted here, at render time only.
"""
from __future__ import annotations

import html
import math
import re

from .territories import territory_profile

# The sentence every report built on demo data repeats in its data notes (the banner is separate).
DEMO_NOTE = "**本报告使用了演示（合成）数据，数值仅用于展示方法，不得引用。**"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


class Note(str):
    """A Markdown sentence a view returns in place of a table or chart ("无专家组调整条目。"): as the last
    expression of a cell it renders as text, not as the Python string literal ``'…'``; empty renders nothing."""

    def _repr_markdown_(self) -> str:
        return str(self)


def md_escape(text) -> str:
    """Escape a data-derived string for Markdown-then-HTML (``<`` → ``&lt;``, ``*`` → ``\\*``)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x, decimals: int = 0) -> str:
    """250290 → "250,290"; missing → "—"."""
    return "—" if _missing(x) else f"{float(x):,.{decimals}f}"


def fmt_pct(x, decimals: int = 1, *, signed: bool = False) -> str:
    """0.1394 → "13.9%"; missing → "—"; a small positive share reads "不足0.1%" (never a misleading "0.0%")."""
    if _missing(x):
        return "—"
    pct = float(x) * 100
    floor = 10 ** -decimals
    if not signed and 0 < pct < floor / 2:
        return f"不足{floor:.{decimals}f}%"
    return f"{pct:+.{decimals}f}%" if signed else f"{pct:.{decimals}f}%"


def scope_word(territory: str) -> str:
    """How a rank reads for the territory's members — 全国, 全省, 全市 … (``scope_word`` of its profile,
    ``params/territories.yaml``)."""
    return territory_profile(str(territory)).scope_word


def headline_sentence(*, year: int, region_name: str, indicator_name: str, value, unit: str, rank=None,
                      n_regions=None, share=None, territory: str = "100000", cagr=None, cagr_start_year=None,
                      invention_share=None) -> str:
    """One sentence on a region's level, rank, share, growth and invention share for one indicator.

    Example: ``2015年江苏省国内专利授权量250,290件，居全国第2位，占全国的13.9%；2010—2015年年均增长12.6%；
    其中发明专利占14.4%。``
    """
    scope = scope_word(territory)
    if _missing(value):
        return f"{year}年{md_escape(region_name)}{md_escape(indicator_name)}暂无数据。"
    parts = [f"{year}年{md_escape(region_name)}{md_escape(indicator_name)}{fmt_num(value)}{md_escape(unit)}"]
    if not _missing(rank):
        parts.append(f"居{scope}第{int(rank)}位" + (f"（共{int(n_regions)}个地区）" if n_regions else ""))
    if not _missing(share):
        parts.append(f"占{scope}的{fmt_pct(share)}")
    text = "，".join(parts)
    if not _missing(cagr) and not _missing(cagr_start_year):
        verb = "年均增长" if cagr >= 0 else "年均下降"
        text += f"；{int(cagr_start_year)}—{year}年{verb}{fmt_pct(abs(cagr))}"
    if not _missing(invention_share):
        text += f"；其中发明专利占{fmt_pct(invention_share)}"
    return text + "。"


def concentration_sentence(*, year: int, indicator_name: str, territory: str, gini, hhi, cr3, top3: list[str],
                           gini_start=None, start_year=None) -> str:
    """Distribution across the territory: Gini, HHI, CR3 and the three largest regions."""
    scope = scope_word(territory)
    names = "、".join(md_escape(n) for n in top3)
    text = (f"{year}年{scope}{md_escape(indicator_name)}的基尼系数为{fmt_num(gini, 3)}，赫芬达尔指数（HHI）为"
            f"{fmt_num(hhi, 3)}，前三位地区（{names}）合计占{fmt_pct(cr3)}")
    if not _missing(gini_start) and start_year:
        trend = "上升" if gini > gini_start + 0.005 else ("下降" if gini < gini_start - 0.005 else "基本持平")
        text += f"；与{start_year}年（{fmt_num(gini_start, 3)}）相比集中度{trend}"
    return text + "。"


def growth_sentence(*, indicator_name: str, start_year: int, end_year: int, leaders: list[tuple[str, float]],
                    laggards: list[tuple[str, float]]) -> str:
    """Fastest and slowest growing regions over a window."""
    lead = "、".join(f"{md_escape(n)}（{fmt_pct(r)}）" for n, r in leaders)
    lag = "、".join(f"{md_escape(n)}（{fmt_pct(r)}）" for n, r in laggards)
    return (f"{start_year}—{end_year}年{md_escape(indicator_name)}年均增速最快的地区为{lead}；"
            f"增速最慢的为{lag}。")


def regression_sentence(*, y_name: str, x_name: str, elasticity, r2, n: int, region_name: str | None = None,
                        region_residual=None, outliers: list[str] = ()) -> str:
    """Log-log regression reading: elasticity, fit, the region's position and the named outliers."""
    text = (f"以{n}个地区为样本，{md_escape(y_name)}对{md_escape(x_name)}的双对数回归弹性系数为{fmt_num(elasticity, 2)}"
            f"（R²={fmt_num(r2, 2)}），即投入每增加1%，产出平均增加约{fmt_num(elasticity, 2)}%")
    if region_name and not _missing(region_residual):
        pos = "上方，产出高于投入水平的预期" if region_residual > 0 else "下方，产出低于投入水平的预期"
        text += f"；{md_escape(region_name)}位于拟合线{pos}（学生化残差{fmt_num(region_residual, 2)}）"
    if outliers:
        text += "；离群地区：" + "、".join(md_escape(o) for o in outliers)
    return text + "。"


def lq_sentence(*, region_name: str, industry_name: str, lq_output, lq_patents, density_revenue, year: int) -> str:
    """Location quotients of output and of patents of one industry in one region."""
    def reading(v):
        return "—" if _missing(v) else ("高于" if v > 1.05 else ("低于" if v < 0.95 else "接近"))
    return (f"{year}年{md_escape(region_name)}{md_escape(industry_name)}营业收入区位熵为{fmt_num(lq_output, 2)}"
            f"（{reading(lq_output)}平均水平），专利申请区位熵为{fmt_num(lq_patents, 2)}（{reading(lq_patents)}平均水平），"
            f"每亿元营业收入专利申请{fmt_num(density_revenue, 2)}件。")


def rank_sentence(*, region_name: str, score, rank, n: int, p05=None, p95=None, territory: str = "100000") -> str:
    """Composite score and rank with its uncertainty interval."""
    text = f"{md_escape(region_name)}综合得分{fmt_num(score, 3)}，居{scope_word(territory)}第{int(rank)}位（共{n}个地区）"
    if not _missing(p05) and not _missing(p95):
        lo, hi = sorted((int(round(p05)), int(round(p95))))
        text += (f"；考虑权重与方法不确定性，排名的5%–95%区间为第{lo}—{hi}位" if lo != hi else "；排名在不确定性分析中保持稳定")
    return text + "。"


def list_sentence(label: str, items: list[str], *, empty: str = "无") -> str:
    """"label：a、b、c。" with escaping; ``empty`` when there are no items."""
    return f"{md_escape(label)}：{'、'.join(md_escape(i) for i in items) if items else empty}。"
