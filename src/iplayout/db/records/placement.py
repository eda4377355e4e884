"""Place every record in a region: region fields first, the address otherwise (DuckDB SQL, millions of rows).

Rules (docs/records.md, "Placement"), applied to a staged table with columns
``rid, office, province_raw, city_raw, county_raw, code_field, address``:

1. a record at a non-Chinese office (``office`` not ``CN`` and not empty) → ``non_cn_office`` (office kept);
2. **fields** (Patsnap 州/省, 地市, 区县; CNIPA 国省代码 ``江苏;32`` or ``32``): a foreign country, a US state or
   Canadian province code (``CA``, ``FL`` …) → ``foreign``; a province name or code, a Jiangsu city, county,
   district, former name or zone (gazetteer, stand-alone names only) → ``field``;
3. the **address**: an address starting with a foreign country name, or without any Chinese character, →
   ``foreign``; else the longest province name at its start, then the longest Jiangsu name at the start of
   what follows (or of the whole address when no province is named) → ``address``;
4. otherwise ``unplaced`` (counted per file and year in the import summary, listed by ``db records unplaced``).

Jiangsu records get their prefecture city's code (``region_code``) — a Jiangsu record with no city gets
``320000`` — other Chinese records their province's; ``province_code`` is NULL for foreign and unplaced rows.
"""
from __future__ import annotations

import pandas as pd

from .gazetteer import FOREIGN_COUNTRIES, FOREIGN_STATES, load_gazetteer

JIANGSU = "320000"
CANADA = ("ON", "QC", "BC", "AB")


def register_gazetteer(con, gaz: pd.DataFrame | None = None) -> None:
    """Temp tables ``_gz_prov`` (province names), ``_gz_js`` (stand-alone Jiangsu names), ``_gz_foreign``."""
    gaz = load_gazetteer() if gaz is None else gaz
    prov = gaz[gaz["level"] == "province"][["name", "code", "nlen"]].drop_duplicates("name")
    js = gaz[(gaz["level"] != "province") & gaz["standalone"]][["name", "code", "nlen"]]
    foreign = pd.DataFrame([(k, v) for k, v in FOREIGN_COUNTRIES.items()], columns=["name", "country"])
    foreign["nlen"] = foreign["name"].str.len()
    states = pd.DataFrame({"name": FOREIGN_STATES,
                           "country": ["CA" if s in CANADA else "US" for s in FOREIGN_STATES]})
    for name, df in (("_gz_prov", prov), ("_gz_js", js), ("_gz_foreign", foreign), ("_gz_states", states)):
        con.register(f"{name}_df", df)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_df")
        con.unregister(f"{name}_df")


def _prefix_match(con, src: str, text: str, gz: str, out: str, value: str = "code") -> None:
    """``out(t, hit, hlen)``: the longest name of ``gz`` each distinct ``text`` of ``src`` starts with (equi-join
    on the prefix of every length a name has, so millions of texts need no nested-loop ``starts_with``)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH t AS (SELECT DISTINCT {text} AS t FROM {src} WHERE {text} IS NOT NULL AND {text} <> ''),
             l AS (SELECT DISTINCT nlen FROM {gz})
        SELECT t.t, arg_max(g.{value}, g.nlen) AS hit, max(g.nlen) AS hlen
        FROM t CROSS JOIN l JOIN {gz} g ON g.nlen = l.nlen AND g.name = substr(t.t, 1, l.nlen)
        GROUP BY t.t""")


def place(con, src: str, out: str) -> None:
    """Create temp table ``out(rid, region_code, province_code, placement, applicant_country)`` from ``src``.

    ``register_gazetteer(con)`` must have run on ``con``.
    """
    # field values, normalised once per distinct value
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pl_f AS
        SELECT s.rid, s.office, s.address,
               trim(s.province_raw) AS pr, trim(s.city_raw) AS cr, trim(s.county_raw) AS kr,
               list_transform(string_split(coalesce(s.code_field, ''), ';'), lambda x: trim(x)) AS cf
        FROM {src} s""")
    # the address: province at its start, then a Jiangsu name at the start of the rest (or of the whole address)
    _prefix_match(con, "_pl_f", "address", "_gz_prov", "_pl_ap")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pl_rest AS
        SELECT f.address, a.hit AS ap, CASE WHEN a.hit IS NULL THEN f.address ELSE substr(f.address, a.hlen + 1) END AS rest
        FROM (SELECT DISTINCT address FROM _pl_f WHERE address IS NOT NULL AND address <> '') f
        LEFT JOIN _pl_ap a ON a.t = f.address""")
    _prefix_match(con, "_pl_rest", "rest", "_gz_js", "_pl_ac")
    _prefix_match(con, "_pl_f", "address", "_gz_foreign", "_pl_afor", value="country")
    # 国省代码 cells ("江苏;32", "32", "US", "美国;US") are few distinct values: resolve each once
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pl_cf AS
        SELECT cf, (SELECT min(p.code) FROM _gz_prov p
                    WHERE list_contains(cf, p.name) OR list_contains(cf, substr(p.code, 1, 2))) AS fp,
               coalesce((SELECT min(x.country) FROM _gz_foreign x WHERE list_contains(cf, x.name)),
                        list_filter(cf, lambda x: regexp_full_match(x, '[A-Z]{{2}}') AND x <> 'CN')[1]) AS ff
        FROM (SELECT DISTINCT cf FROM _pl_f WHERE len(cf) > 0 AND cf <> [''])""")
    con.execute(r"""
        CREATE OR REPLACE TEMP TABLE _pl_latin AS
        SELECT address FROM (SELECT DISTINCT address FROM _pl_f WHERE address IS NOT NULL AND address <> '')
        WHERE NOT regexp_matches(address, '[\x{4e00}-\x{9fff}]')""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        WITH f AS (
          SELECT f.rid, f.office, f.address,
                 coalesce(gp.code, cfm.fp) AS fp,
                 coalesce(gc.code, gk.code) AS fc,
                 coalesce(st.country, fc1.country, cfm.ff) AS ff,
                 r.ap, CASE WHEN r.ap IS NULL OR r.ap = '{JIANGSU}' THEN ac.hit END AS ac, af.hit AS af,
                 la.address IS NOT NULL AS latin_address
          FROM _pl_f f
          LEFT JOIN _gz_prov gp ON gp.name = f.pr
          LEFT JOIN _gz_states st ON st.name = f.pr
          LEFT JOIN _gz_foreign fc1 ON fc1.name = f.pr
          LEFT JOIN _gz_js gc ON gc.name = f.cr
          LEFT JOIN _gz_js gk ON gk.name = f.kr
          LEFT JOIN _pl_rest r ON r.address = f.address
          LEFT JOIN _pl_ac ac ON ac.t = r.rest
          LEFT JOIN _pl_afor af ON af.t = f.address
          LEFT JOIN _pl_cf cfm ON cfm.cf = f.cf
          LEFT JOIN _pl_latin la ON la.address = f.address),
        p AS (
          SELECT rid, office,
                 CASE WHEN ff IS NULL AND (fp IS NOT NULL OR fc IS NOT NULL) THEN 'field'
                      WHEN ff IS NOT NULL THEN 'foreign'
                      WHEN af IS NOT NULL OR latin_address THEN 'foreign'
                      WHEN ap IS NOT NULL OR ac IS NOT NULL THEN 'address'
                      ELSE 'unplaced' END AS how,
                 CASE WHEN fc IS NOT NULL THEN '{JIANGSU}' WHEN fp IS NOT NULL THEN fp
                      WHEN ac IS NOT NULL THEN '{JIANGSU}' ELSE ap END AS prov,
                 CASE WHEN fc IS NOT NULL THEN fc WHEN fp = '{JIANGSU}' AND ac IS NOT NULL THEN ac
                      WHEN fp IS NOT NULL THEN fp WHEN ac IS NOT NULL THEN ac ELSE ap END AS reg,
                 coalesce(ff, af, '') AS country
          FROM f)
        SELECT rid,
               CASE WHEN how IN ('field', 'address') AND office IN ('', 'CN') THEN reg END AS region_code,
               CASE WHEN how IN ('field', 'address') AND office IN ('', 'CN') THEN prov END AS province_code,
               CASE WHEN office NOT IN ('', 'CN') THEN 'non_cn_office' ELSE how END AS placement,
               CASE WHEN how IN ('field', 'address') THEN 'CN' ELSE country END AS applicant_country
        FROM p""")
