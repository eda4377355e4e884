"""CJK fonts for charts (matplotlib) and PDFs (WeasyPrint via fontconfig; Chromium: :mod:`.font_truetype`).

The font comes from the ``noto-cjk-sans-otc`` wheel (OFL-1.1), so no system font install is needed.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .config import cache_dir
from .fileio import atomic_write

CJK_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def cjk_font_file() -> Path:
    """Path of NotoSansCJK-Regular.ttc inside the installed ``noto_cjk_sans_otc`` package."""
    import noto_cjk_sans_otc  # noqa: PLC0415  (optional heavy import kept local)

    pkg_dir = Path(noto_cjk_sans_otc.__file__).resolve().parent
    found = sorted(pkg_dir.rglob("*.tt[cf]")) + sorted(pkg_dir.rglob("*.otf"))
    if not found:
        raise FileNotFoundError(f"no font file inside {pkg_dir}")
    return found[0]


@lru_cache(maxsize=1)
def setup_matplotlib() -> str:
    """Register the CJK font with matplotlib and make it the default family.

    Call before any figure is created: axes keep the font they were created with.
    Returns the family name.
    """
    import sys

    import matplotlib

    # Inside a Jupyter kernel keep its inline backend (switching to Agg makes plt.show() draw nothing).
    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg", force=False)
    from matplotlib import font_manager, rcParams

    font_manager.fontManager.addfont(str(cjk_font_file()))
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False
    rcParams["svg.fonttype"] = "none"
    return CJK_FAMILY


def setup_fontconfig() -> Path:
    """Write a fontconfig file that adds the CJK font folder and point FONTCONFIG_FILE at it.

    WeasyPrint (pango) finds fonts through fontconfig; without this Chinese renders as tofu.
    Returns the config path. Idempotent.
    """
    conf = write_fontconfig("fontconfig", cjk_font_file().parent)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


def write_fontconfig(name: str, font_dir: Path, extra: str = "") -> Path:
    """``cache_dir()/name/fonts.conf``: the system configuration plus ``font_dir``, with the CJK family
    preferred for the generic families (rewritten only when its text changes)."""
    cdir = cache_dir() / name
    cdir.mkdir(parents=True, exist_ok=True)
    conf = cdir / "fonts.conf"
    text = f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{font_dir}</dir>
  <cachedir>{cdir / 'cache'}</cachedir>
  <alias><family>sans-serif</family><prefer><family>{CJK_FAMILY}</family></prefer></alias>
  <alias><family>serif</family><prefer><family>{CJK_FAMILY}</family></prefer></alias>
{extra}</fontconfig>
"""
    if not conf.exists() or conf.read_text(encoding="utf-8") != text:
        atomic_write(conf, text)
    return conf
