"""The CJK font as TrueType (``glyf``) faces, converted once per machine for Chromium's PDFs.

Skia (Chromium's PDF writer) embeds the CFF-outline Noto Sans CJK SC face as Type 3 fonts, and any
synthetic bold as Type 3 too. Converted to quadratic outlines it embeds them as subset CID TrueType
fonts (``Identity-H``, with ToUnicode), the way PDF viewers and text tools expect. Two faces are written:
the Regular face, same glyphs and names as the wheel's SC face (the typeface WeasyPrint uses), and a
bold face made from it by outline emboldening (the package ships no Bold; Chromium would embolden at
draw time, which Skia turns into Type 3; WeasyPrint prints text styled bold in the Regular face).

Conversion of the 65 535 glyphs takes ≈ 160 CPU-s once per machine (≈ 3 min on a shared 2-core
machine): the result lives in a per-user folder (``$IPLAYOUT_FONT_CACHE``, else
``$XDG_CACHE_HOME/iplayout/fonts``, else ``~/.cache/iplayout/fonts``), named after this module's
conversion version and the source font's SHA-256, so every checkout and test session (which get their
own ``cache_dir()``) shares it; a :mod:`filelock` lock makes concurrent pool workers wait for one
conversion instead of doing two.
"""
from __future__ import annotations

import os
from pathlib import Path

from .fileio import atomic_path, cached_sha256_file
from .fonts import CJK_FAMILY, cjk_font_file, write_fontconfig

VERSION = 2  # bump when the conversion changes: the cache folder name changes with it
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


def truetype_fonts_ready() -> bool:
    folder = truetype_dir()
    return all((folder / name).is_file() for name in (REGULAR, BOLD))


def convert_in_background():
    """Start the one-time conversion in a child process and return it (None when the faces exist already).

    A run or a test session starts it first thing: stage preparation and notebook execution go on meanwhile
    (the conversion is single-threaded, so on two cores it mostly takes the core the run leaves idle), and the
    first PDF waits for it on the lock in :func:`ensure_truetype_fonts` instead of converting a second time.
    Its output goes to ``convert.log`` beside the faces. The caller may terminate it: every file is written
    atomically, and the lock dies with the process.
    """
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    if truetype_fonts_ready():
        return None
    folder = truetype_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "convert.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "iplayout.font_truetype"], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def ensure_truetype_fonts() -> Path:
    """Folder holding the Regular and bold TrueType faces, converting them first if missing.

    Safe under concurrent workers: one converts under an exclusive lock, the others wait and reuse it.
    """
    folder = truetype_dir()
    if truetype_fonts_ready():
        return folder
    from filelock import FileLock  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.with_name(folder.name + ".lock"))):
        if not truetype_fonts_ready():  # another process may have converted while we waited
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
    # keep the source's head.created/modified: a conversion made on any machine gives the same bytes (and so do
    # the font subsets embedded in the PDFs)
    font = TTFont(str(ttc), fontNumber=index, recalcTimestamp=False)
    order = font.getGlyphOrder()
    draw = _freetype_drawer(ttc, index) or _fonttools_drawer(font)
    glyphs = {}
    for gid, name in enumerate(order):
        pen = TTGlyphPen(None)
        draw(gid, name, Cu2QuPen(pen, MAX_ERR, reverse_direction=True))  # TrueType winding: outer clockwise
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


def _fonttools_drawer(font):
    glyph_set = font.getGlyphSet()
    return lambda gid, name, pen: glyph_set[name].draw(pen)


def _freetype_drawer(ttc: Path, index: int):
    """Draw glyphs from FreeType's outlines (matplotlib's ``ft2font``): the same integer font-unit points as
    fontTools' CFF interpreter (checked glyph by glyph on all 65 535), ≈ 5× faster. None when this
    matplotlib cannot open a face of a collection unscaled."""
    try:
        from matplotlib import ft2font  # noqa: PLC0415

        face = ft2font.FT2Font(str(ttc), face_index=index)
        flags = ft2font.LoadFlags.NO_SCALE | ft2font.LoadFlags.NO_HINTING
    except (ImportError, AttributeError, TypeError):
        return None

    def draw(gid: int, name: str, pen) -> None:
        face.load_glyph(gid, flags=flags)
        verts, codes = face.get_path()  # 26.6 fixed point: font units / 64
        pts = [(round(x * 64), round(y * 64)) for x, y in verts]
        i, is_open = 0, False
        while i < len(codes):
            code = codes[i]
            if code == 1:  # MOVETO
                if is_open:
                    pen.closePath()
                pen.moveTo(pts[i])
                is_open, i = True, i + 1
            elif code == 2:  # LINETO
                pen.lineTo(pts[i])
                i += 1
            elif code == 3:  # CURVE3: control, end
                pen.qCurveTo(pts[i], pts[i + 1])
                i += 2
            elif code == 4:  # CURVE4: two controls, end
                pen.curveTo(pts[i], pts[i + 1], pts[i + 2])
                i += 3
            else:  # CLOSEPOLY (79)
                if is_open:
                    pen.closePath()
                is_open, i = False, i + 1
        if is_open:
            pen.closePath()

    return draw


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
    from fontTools.ttLib.tables._g_l_y_f import GlyphCoordinates  # noqa: PLC0415

    # vectorised over the whole glyph (per-contour numpy calls made this ≈ 2 ms a glyph, most of the conversion)
    pts = np.array(glyph.coordinates.array, dtype=float).reshape(-1, 2)
    ends = np.asarray(glyph.endPtsOfContours)
    starts = np.concatenate(([0], ends[:-1] + 1))
    prev, nxt = np.arange(len(pts)) - 1, np.arange(len(pts)) + 1
    prev[starts], nxt[ends] = ends, starts  # closed contours: the first point follows the last
    d_in, d_out = pts - pts[prev], pts[nxt] - pts
    a = d_in / np.maximum(np.hypot(*d_in.T), 1e-9)[:, None]
    b = d_out / np.maximum(np.hypot(*d_out.T), 1e-9)[:, None]
    n = np.stack([-a[:, 1], a[:, 0]], axis=1) + np.stack([-b[:, 1], b[:, 0]], axis=1)
    denom = 1 + (a * b).sum(axis=1)
    sharp = denom < 1 / 16
    shift = n * (strength / np.where(sharp, 1, denom))[:, None]
    shift[sharp] = (n / np.maximum(np.hypot(*n.T), 1e-9)[:, None] * strength)[sharp]
    small = np.repeat(ends - starts + 1 < 3, ends - starts + 1)  # points and segments: nothing to offset
    shift[small] = 0
    glyph.coordinates = GlyphCoordinates(np.rint(pts + shift).astype(int).tolist())


if __name__ == "__main__":  # `python -m iplayout.font_truetype`: what convert_in_background runs
    print(ensure_truetype_fonts(), flush=True)
