"""The CJK font as TrueType (``glyf``) faces, converted once per machine for Chromium's PDFs.

Skia (Chromium's PDF writer) embeds the CFF-outline Noto Sans CJK SC face as Type 3 fonts, and any
synthetic bold as Type 3 too. Converted to quadratic outlines it embeds them as subset CID TrueType
fonts (``Identity-H``, with ToUnicode), the way PDF viewers and text tools expect. Two faces are written:
the Regular face, same glyphs and names as the wheel's SC face (the typeface WeasyPrint uses), and a
bold face made from it by outline emboldening (the package ships no Bold; WeasyPrint and Chromium
would embolden at draw time, which is what Skia turns into Type 3).

Conversion of the 65 535 glyphs takes ≈ 1.5–3 min CPU once per machine: the result lives in a per-user
folder (``$IPLAYOUT_FONT_CACHE``, else ``$XDG_CACHE_HOME/iplayout/fonts``, else ``~/.cache/iplayout/fonts``),
named after this module's conversion version and the source font's SHA-256, so every checkout and test
session (which get their own ``cache_dir()``) shares it; a :mod:`filelock` lock makes concurrent pool
workers wait for one conversion instead of doing two.
"""
from __future__ import annotations

import os
from pathlib import Path

from .fileio import atomic_path, cached_sha256_file
from .fonts import CJK_FAMILY, cjk_font_file, write_fontconfig

VERSION = 1  # bump when the conversion changes: the cache folder name changes with it
REGULAR = "NotoSansCJKsc-Regular.ttf"
BOLD = "NotoSansCJKsc-SyntheticBold.ttf"
MAX_ERR = 1.0  # font units: cubic → quadratic approximation error (em = 1000; invisible at print sizes)
BOLD_EM_FRACTION = 1 / 24  # total stem thickening, as FreeType's FT_GlyphSlot_Embolden (what fontconfig's
# embolden=true and Chromium's fake bold do on Linux), applied half on each side of every stroke


def font_cache_root() -> Path:
    env = os.environ.get("IPLAYOUT_FONT_CACHE") or ""
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "iplayout" / "fonts"


def truetype_dir() -> Path:
    """Cache folder of the converted faces for the installed source font and this conversion version."""
    return font_cache_root() / f"noto-cjk-sc-ttf-v{VERSION}-{cached_sha256_file(cjk_font_file())[:12]}"


def ensure_truetype_fonts() -> Path:
    """Folder holding the Regular and bold TrueType faces, converting them first if missing.

    Safe under concurrent workers: one converts under an exclusive lock, the others wait and reuse it.
    """
    folder = truetype_dir()
    if all((folder / name).is_file() for name in (REGULAR, BOLD)):
        return folder
    from filelock import FileLock  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.with_name(folder.name + ".lock"))):
        if not all((folder / name).is_file() for name in (REGULAR, BOLD)):
            convert(cjk_font_file(), folder)
    return folder


def chromium_fontconfig() -> Path:
    """fontconfig file for the browser that prints PDFs: the TrueType faces, and no other font of the CJK
    family (a system-wide Noto CJK install would otherwise compete with them)."""
    folder = ensure_truetype_fonts()
    family = f'<patelt name="family"><string>{CJK_FAMILY}</string></patelt>'
    only_ours = ("  <selectfont>\n"  # a whitelisted pattern wins over a rejected one; ours are the TrueType ones
                 f'    <acceptfont><pattern>{family}<patelt name="fontformat"><string>TrueType</string></patelt>'
                 "</pattern></acceptfont>\n"
                 f"    <rejectfont><pattern>{family}</pattern></rejectfont>\n  </selectfont>\n")
    return write_fontconfig("fontconfig-chromium", folder, only_ours)


def _sc_face_index(ttc: Path) -> int:
    from fontTools.ttLib import TTCollection  # noqa: PLC0415

    for i, face in enumerate(TTCollection(str(ttc), lazy=True).fonts):
        if face["name"].getDebugName(1) == CJK_FAMILY:
            return i
    raise FileNotFoundError(f"{ttc}: no face named {CJK_FAMILY}")


def convert(ttc: Path, folder: Path) -> None:
    """Write ``REGULAR`` and ``BOLD`` into ``folder`` from the SC face of the collection ``ttc``."""
    from fontTools.pens.cu2quPen import Cu2QuPen  # noqa: PLC0415
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # noqa: PLC0415
    from fontTools.ttLib import TTFont, newTable  # noqa: PLC0415

    index = _sc_face_index(ttc)
    font = TTFont(str(ttc), fontNumber=index)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))  # TrueType winding: outer clockwise
        glyphs[name] = pen.glyph()
    _to_truetype(font, order, glyphs, newTable)
    _sync_side_bearings(font, order)
    with atomic_path(folder / REGULAR) as tmp:
        font.save(str(tmp))

    strength = font["head"].unitsPerEm * BOLD_EM_FRACTION / 2
    for g in glyphs.values():
        if g.numberOfContours > 0:
            embolden(g, strength)
    _sync_side_bearings(font, order)
    _name_bold(font)
    with atomic_path(folder / BOLD) as tmp:
        font.save(str(tmp))


def _sync_side_bearings(font, order) -> None:
    """``hmtx`` left side bearing = the outline's xMin (quadratic outlines and emboldening move it;
    FreeType places a TrueType outline from the side bearing)."""
    glyf, hmtx = font["glyf"], font["hmtx"]
    for name in order:
        g = glyf[name]
        g.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], g.xMin if g.numberOfContours else 0)


def _to_truetype(font, order, glyphs, new_table) -> None:
    """Swap ``CFF `` for ``glyf``/``loca`` and make the tables that depend on the outline format agree."""
    glyf = font["glyf"] = new_table("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["loca"] = new_table("loca")
    for tag in ("CFF ", "VORG"):  # VORG is defined for CFF outlines only
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names (65 535 CID-style names would only add bytes)
    post.extraNames, post.mapping = [], {}
    font.sfntVersion = "\x00\x01\x00\x00"


def _name_bold(font) -> None:
    """Name the emboldened copy as the Bold style of the same family (weight 700), saying it is synthetic."""
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (2, 3, 4, 6, 16, 17):
            name.removeNames(nameID=rec.nameID)
    for name_id, text in ((2, "Bold"), (3, "iplayout:NotoSansCJKsc-SyntheticBold"),
                          (4, f"{CJK_FAMILY} Bold (synthetic)"), (6, "NotoSansCJKsc-SyntheticBold")):
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)
    font["OS/2"].usWeightClass = 700
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~(1 << 6)) | (1 << 5)  # BOLD on, REGULAR off
    font["head"].macStyle |= 1


def embolden(glyph, strength: float) -> None:
    """Offset every contour of a simple TrueType glyph outward by ``strength`` font units (miter join).

    For each point *p* with unit edge directions *a* (in) and *b* (out), the outward normals are
    n = (−d_y, d_x) for TrueType's clockwise outer contours (holes run the other way, so the same formula
    shrinks them) and the point moves by strength·(n_a + n_b)/(1 + a·b) — the miter that keeps both edges
    parallel to themselves at distance ``strength`` (FreeType, ``FT_Outline_EmboldenXY``). Corners sharper
    than ≈ 150° (1 + a·b < 1/16) move along the bisector by ``strength`` only, so spikes do not shoot out.
    """
    import numpy as np  # noqa: PLC0415

    pts = np.array(glyph.coordinates, dtype=float)
    out = pts.copy()
    start = 0
    for end in glyph.endPtsOfContours:
        c = pts[start:end + 1]
        if len(c) >= 3:
            d_in = c - np.roll(c, 1, axis=0)
            d_out = np.roll(c, -1, axis=0) - c
            a = d_in / np.maximum(np.hypot(*d_in.T), 1e-9)[:, None]
            b = d_out / np.maximum(np.hypot(*d_out.T), 1e-9)[:, None]
            n = np.stack([-a[:, 1], a[:, 0]], axis=1) + np.stack([-b[:, 1], b[:, 0]], axis=1)
            denom = 1 + (a * b).sum(axis=1)
            sharp = denom < 1 / 16
            shift = n * (strength / np.where(sharp, 1, denom))[:, None]
            norm = np.maximum(np.hypot(*n.T), 1e-9)[:, None]
            shift[sharp] = (n / norm * strength)[sharp]
            out[start:end + 1] = c + shift
        start = end + 1
    glyph.coordinates = type(glyph.coordinates)([(int(round(x)), int(round(y))) for x, y in out])
