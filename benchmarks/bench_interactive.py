"""Cost of the interactive ECharts map: build time per map and bytes it adds to a report.

Run: ``python benchmarks/bench_interactive.py`` (needs the bundled boundary files). Prints, for the
Jiangsu cities and the national provinces, the cold (file read + compaction) and warm (cached GeoJSON)
time of ``interactive_map`` and the size of its HTML with and without the inlined library.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from iplayout.plots import interactive as im


def main() -> None:
    print(f"ECharts {im.ECHARTS_VERSION}: {im.ECHARTS_FILE.stat().st_size:,} bytes")
    for territory in ("320000", "100000"):
        b = im.territory_boundary(territory)
        names = b.get("names")
        codes = sorted(set(names.values())) if names else [f"{c:04d}00" for c in range(3201, 3214)]
        values = pd.Series(np.random.default_rng(0).gamma(2.0, 10.0, len(codes)), index=codes)
        im._load_geojson.cache_clear()
        t0 = time.perf_counter()
        first = im.interactive_map(values, **b, title="t", unit="件", include_library=True).data
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        n = 20
        for _ in range(n):
            later = im.interactive_map(values, **b, title="t", unit="件", include_library=False).data
        warm = (time.perf_counter() - t0) / n
        raw = b["geojson_path"].stat().st_size
        print(f"{territory}: cold {cold * 1000:.0f} ms, warm {warm * 1000:.1f} ms; HTML with library "
              f"{len(first.encode()):,} B, without {len(later.encode()):,} B (boundary file {raw:,} B)")


if __name__ == "__main__":
    main()
