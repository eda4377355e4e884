"""Place every record in a region: region fields first, the address otherwise (DuckDB SQL, millions of rows).

Rules (docs/records.md, "Placement"), applied by :func:`place` to a staged table with columns
``rid, office, province_raw, city_raw, county_raw, code_field, address`` and by :func:`placed_select` to any rows
(the one-pass import places every row as it writes it):

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
    """Temp tables ``_gz_prov`` (province names), ``_gz_js`` (stand-alone Jiangsu names), ``_gz_foreign``,
    ``_gz_states`` (US states, Canadian provinces) and ``_gz_pr`` (a province field's lookup in the last three)."""
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
    # a province field is looked up in all three: one table, one join (names are unique in each)
    con.execute("""CREATE OR REPLACE TEMP TABLE _gz_pr AS SELECT name, max(code) AS code, max(state) AS state,
        max(country) AS country FROM (
          SELECT name, code, NULL AS state, NULL AS country FROM _gz_prov
          UNION ALL SELECT name, NULL, country, NULL FROM _gz_states
          UNION ALL SELECT name, NULL, NULL, country FROM _gz_foreign) GROUP BY name""")


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


def address_lookup(con, addresses: str) -> None:
    """``_pl_addr(address, ap, ac, af, latin)`` for each distinct non-empty ``address`` of the query ``addresses``:
    the province it starts with, the Jiangsu name at the start of the rest (or of the whole address when no
    province is named), the foreign country it starts with, and whether it has no Chinese character."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _pl_a AS SELECT DISTINCT address FROM ({addresses})
        WHERE address IS NOT NULL AND address <> ''""")
    _prefix_match(con, "_pl_a", "address", "_gz_prov", "_pl_ap")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _pl_rest AS
        SELECT f.address, a.hit AS ap, CASE WHEN a.hit IS NULL THEN f.address ELSE substr(f.address, a.hlen + 1) END AS rest
        FROM _pl_a f LEFT JOIN _pl_ap a ON a.t = f.address""")
    _prefix_match(con, "_pl_rest", "rest", "_gz_js", "_pl_ac")
    _prefix_match(con, "_pl_a", "address", "_gz_foreign", "_pl_afor", value="country")
    con.execute(rf"""
        CREATE OR REPLACE TEMP TABLE _pl_addr AS
        SELECT r.address, r.ap, CASE WHEN r.ap IS NULL OR r.ap = '{JIANGSU}' THEN ac.hit END AS ac, af.hit AS af,
               NOT regexp_matches(r.address, '[\x{{4e00}}-\x{{9fff}}]') AS latin
        FROM _pl_rest r LEFT JOIN _pl_ac ac ON ac.t = r.rest LEFT JOIN _pl_afor af ON af.t = r.address""")


def code_lookup(con, codes: str) -> None:
    """``_pl_cf(code_field, fp, ff)`` for each distinct 国省代码 cell of the query ``codes`` ("江苏;32", "32", "US",
    "美国;US" — few distinct values): the province it names, the foreign country it names."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pl_cf AS
        SELECT code_field, (SELECT min(p.code) FROM _gz_prov p
                            WHERE list_contains(cf, p.name) OR list_contains(cf, substr(p.code, 1, 2))) AS fp,
               coalesce((SELECT min(x.country) FROM _gz_foreign x WHERE list_contains(cf, x.name)),
                        list_filter(cf, lambda x: regexp_full_match(x, '[A-Z]{{2}}') AND x <> 'CN')[1]) AS ff
        FROM (SELECT code_field, list_transform(string_split(code_field, ';'), lambda x: trim(x)) AS cf
              FROM (SELECT DISTINCT code_field FROM ({codes}) WHERE code_field IS NOT NULL))
        WHERE len(cf) > 0 AND cf <> ['']""")


#: the columns :func:`placed_select` adds
PLACED = ("region_code", "province_code", "placement", "applicant_country")


def placed_select(src: str, cols: str, *, office: str, pr: str, cr: str, kr: str, code: str | None,
                  address: str | None) -> str:
    """``SELECT cols, region_code, province_code, placement, applicant_country FROM src s …``: the rules of the module
    docstring applied to each row of ``src`` (alias ``s``), whose cells are the SQL expressions ``office``, ``pr``,
    ``cr``, ``kr`` (province, city and county fields, trimmed), ``code`` (the 国省代码 cell) and ``address``.
    The field cells are looked up in the gazetteer tables; the address and the code cell in ``_pl_addr`` and
    ``_pl_cf`` (:func:`address_lookup`, :func:`code_lookup`), left out when ``address`` / ``code`` is None (the
    file has no such column). Every lookup is a hash join on one cell, so ``src`` can be millions of rows."""
    joins = [f"LEFT JOIN _gz_pr gp ON gp.name = {pr}", f"LEFT JOIN _gz_js gc ON gc.name = {cr}",
             f"LEFT JOIN _gz_js gk ON gk.name = {kr}"]
    if address is not None:
        joins.append(f"LEFT JOIN _pl_addr pa ON pa.address = {address}")
    if code is not None:
        joins.append(f"LEFT JOIN _pl_cf cfm ON cfm.code_field = {code}")
    fp, ff = ("cfm.fp", "cfm.ff") if code is not None else ("NULL", "NULL")
    ap, ac, af, latin = (("pa.ap", "pa.ac", "pa.af", "coalesce(pa.latin, false)") if address is not None
                         else ("NULL", "NULL", "NULL", "false"))
    return f"""
        WITH f AS (
          SELECT {cols}, {office} AS _pl_office,
                 coalesce(gp.code, {fp}) AS _pl_fp, coalesce(gc.code, gk.code) AS _pl_fc,
                 coalesce(gp.state, gp.country, {ff}) AS _pl_ff, {ap} AS _pl_ap, {ac} AS _pl_ac, {af} AS _pl_af,
                 {latin} AS _pl_latin
          FROM {src} s {' '.join(joins)}),
        p AS (
          SELECT *,
                 CASE WHEN _pl_ff IS NULL AND (_pl_fp IS NOT NULL OR _pl_fc IS NOT NULL) THEN 'field'
                      WHEN _pl_ff IS NOT NULL THEN 'foreign'
                      WHEN _pl_af IS NOT NULL OR _pl_latin THEN 'foreign'
                      WHEN _pl_ap IS NOT NULL OR _pl_ac IS NOT NULL THEN 'address'
                      ELSE 'unplaced' END AS _pl_how,
                 CASE WHEN _pl_fc IS NOT NULL THEN '{JIANGSU}' WHEN _pl_fp IS NOT NULL THEN _pl_fp
                      WHEN _pl_ac IS NOT NULL THEN '{JIANGSU}' ELSE _pl_ap END AS _pl_prov,
                 CASE WHEN _pl_fc IS NOT NULL THEN _pl_fc WHEN _pl_fp = '{JIANGSU}' AND _pl_ac IS NOT NULL THEN _pl_ac
                      WHEN _pl_fp IS NOT NULL THEN _pl_fp WHEN _pl_ac IS NOT NULL THEN _pl_ac ELSE _pl_ap END AS _pl_reg
          FROM f)
        SELECT * EXCLUDE (_pl_office, _pl_fp, _pl_fc, _pl_ff, _pl_ap, _pl_ac, _pl_af, _pl_latin, _pl_how, _pl_prov, _pl_reg),
               CASE WHEN _pl_how IN ('field', 'address') AND _pl_office IN ('', 'CN') THEN _pl_reg END AS region_code,
               CASE WHEN _pl_how IN ('field', 'address') AND _pl_office IN ('', 'CN') THEN _pl_prov END AS province_code,
               CASE WHEN _pl_office NOT IN ('', 'CN') THEN 'non_cn_office' ELSE _pl_how END AS placement,
               CASE WHEN _pl_how IN ('field', 'address') THEN 'CN' ELSE coalesce(_pl_ff, _pl_af, '') END AS applicant_country
        FROM p"""


def place(con, src: str, out: str) -> None:
    """Create temp table ``out(rid, region_code, province_code, placement, applicant_country)`` from ``src``.

    ``register_gazetteer(con)`` must have run on ``con``.
    """
    address_lookup(con, f"SELECT address FROM {src}")
    code_lookup(con, f"SELECT code_field FROM {src}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS " + placed_select(
        src, "s.rid", office="s.office", pr="trim(s.province_raw)", cr="trim(s.city_raw)", kr="trim(s.county_raw)",
        code="s.code_field", address="s.address"))
