"""The report-metadata contract between a notebook and the renderer.

A notebook calls :func:`report_meta` once (usually right after its parameters cell). The call
displays one output with the custom MIME type :data:`MIME_TYPE` whose JSON payload says what the
report is and whether it rests on demo data. The renderer reads it back from the executed notebook
(:func:`read_report_meta`) to build the title block and the demo banner on every HTML/PDF page.

An output is used rather than notebook metadata because the kernel cannot write the notebook's
metadata, while outputs are stored by papermill as soon as the cell finishes — so even a report that
fails later still knows its title and demo flag.

This module imports nothing heavy (IPython only inside the call) so notebooks can import it cheaply.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

MIME_TYPE = "application/vnd.iplayout.report+json"

_KEYS = ("title", "title_en", "is_demo", "sources", "territory", "territory_name",
         "region", "region_name", "industry", "industry_name", "stage", "year", "notes")


def build_report_meta(
    title: str,
    *,
    is_demo: bool = False,
    sources: Iterable[str | dict] = (),
    territory: str | None = None,
    territory_name: str | None = None,
    region: str | None = None,
    region_name: str | None = None,
    industry: str | None = None,
    industry_name: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    title_en: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """Return the JSON-serialisable payload of a report-metadata output.

    Codes (``territory``, ``region``, ``industry``) are kept as strings; ``sources`` items are either
    plain titles or dicts with at least ``title`` (``id``, ``publisher``, ``url``, ``is_demo`` optional).
    """
    if not isinstance(title, str) or not title.strip():
        raise ValueError("report_meta: title must be a non-empty string")
    src: list[dict[str, Any]] = []
    for item in sources:
        if isinstance(item, str):
            src.append({"title": item})
        elif isinstance(item, dict) and "title" in item:
            src.append({k: item[k] for k in sorted(item)})
        else:
            raise ValueError(f"report_meta: a source must be a title or a dict with 'title', got {item!r}")
    payload: dict[str, Any] = {
        "title": title.strip(),
        "title_en": title_en,
        "is_demo": bool(is_demo),
        "sources": src,
        "territory": None if territory is None else str(territory),
        "territory_name": territory_name,
        "region": None if region is None else str(region),
        "region_name": region_name,
        "industry": None if industry is None else str(industry),
        "industry_name": industry_name,
        "stage": stage,
        "year": None if year is None else int(year),
        "notes": notes,
    }
    return payload


def report_meta(title: str, **kwargs: Any) -> None:
    """Declare the report's title, data flags and sources from inside a notebook.

    Displays one output carrying :data:`MIME_TYPE` (read by the renderer) and a one-line
    ``text/plain`` fallback for people who open the notebook in JupyterLab. Returns ``None`` so a
    call as the last line of a cell prints nothing more; keyword arguments are those of
    :func:`build_report_meta`.

    Examples
    --------
    >>> from iplayout.reporting import report_meta          # doctest: +SKIP
    >>> report_meta("南京市知识产权资源调查", is_demo=True, region="320100",
    ...             territory="320000", sources=["江苏统计年鉴 2017"])  # doctest: +SKIP
    """
    payload = build_report_meta(title, **kwargs)
    banner = " [演示数据 DEMO DATA]" if payload["is_demo"] else ""
    try:
        from IPython.display import display  # noqa: PLC0415  (only inside a kernel)
    except ImportError:  # plain Python outside a kernel: nothing to display
        return None
    display({MIME_TYPE: payload, "text/plain": f"iplayout report: {payload['title']}{banner}"}, raw=True)
    return None


def read_report_meta(nb: Any) -> dict[str, Any]:
    """Merge every report-metadata output of an executed notebook (later calls override earlier ones).

    ``is_demo`` is sticky: once any call says demo, the report is demo. Sources are concatenated
    without duplicates. Returns ``{}`` when the notebook never called :func:`report_meta`.
    """
    merged: dict[str, Any] = {}
    sources: list[dict[str, Any]] = []
    demo = False
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            if MIME_TYPE not in data:
                continue
            payload = data[MIME_TYPE]
            if isinstance(payload, str):  # some writers store JSON MIME bundles as text
                payload = json.loads(payload)
            for key in _KEYS:
                if payload.get(key) is not None and key not in ("sources", "is_demo"):
                    merged[key] = payload[key]
            demo = demo or bool(payload.get("is_demo"))
            for s in payload.get("sources") or []:
                if s not in sources:
                    sources.append(s)
    if not merged and not sources and not demo:
        return {}
    merged["is_demo"] = demo
    merged["sources"] = sources
    return merged
