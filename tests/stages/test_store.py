"""Stage folder write/read without a database: tables and metadata survive the round trip byte-stably."""
import json

import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError
from iplayout.stages.context import short_name
from iplayout.stages.store import StageResult, read_stage, write_stage


def _result():
    t = pd.DataFrame({"region_code": ["320100", "320200"], "value": [1.5, np.nan], "flag": [True, False]})
    return StageResult(stage="survey", territory="320000", year=2022, tables={"profile": t, "empty": pd.DataFrame()},
                       meta={"is_demo": True, "steps": [{"step": "load", "rows": 2}]})


def test_write_read_round_trip(tmp_path):
    folder = write_stage(_result(), tmp_path)
    assert folder == tmp_path / "survey" / "320000-2022"
    back = read_stage(folder)
    pd.testing.assert_frame_equal(back.table("profile"), _result().tables["profile"])
    assert back.table("profile")["region_code"].tolist() == ["320100", "320200"]  # codes stay strings
    assert back.is_demo and back.meta["steps"][0]["rows"] == 2 and back.territory == "320000"
    first = (folder / "profile.parquet").read_bytes()
    write_stage(_result(), tmp_path)  # rewrite replaces the folder atomically, same bytes
    assert (folder / "profile.parquet").read_bytes() == first
    assert json.loads((folder / "stage.json").read_text())["tables"] == ["empty", "profile"]


def test_missing_table_and_folder_raise_our_errors(tmp_path):
    folder = write_stage(_result(), tmp_path)
    with pytest.raises(DataError, match="no table"):
        read_stage(folder).table("nope")
    with pytest.raises(DataError, match="stage.json"):
        read_stage(tmp_path / "nowhere")


def test_short_names():
    assert [short_name(n) for n in ["江苏省", "内蒙古自治区", "广西壮族自治区", "南京市", "江苏"]] == \
        ["江苏", "内蒙古", "广西", "南京", "江苏"]


def test_read_cache_gives_copies_and_misses_when_the_folder_is_rewritten(tmp_path):
    from iplayout.stages import store

    folder = write_stage(_result(), tmp_path)
    store._READ_CACHE.clear()
    first = read_stage(folder)
    first.tables["profile"].loc[0, "value"] = 99.0  # a report changing a table in place …
    second = read_stage(folder)  # … is not seen by the next report (a cache hit, as a copy)
    assert len(store._READ_CACHE) == 1
    pd.testing.assert_frame_equal(second.table("profile"), _result().tables["profile"])
    changed = _result()
    changed.tables["profile"].loc[1, "value"] = 7.25
    write_stage(changed, tmp_path)  # same folder, new content
    third = read_stage(folder)
    assert third.table("profile")["value"].tolist()[1] == 7.25
    assert len(store._READ_CACHE) == 2
