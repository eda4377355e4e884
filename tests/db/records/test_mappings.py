"""The shipped mapping files and the mapping rules (pydantic, unknown keys refused, header aliases)."""
from __future__ import annotations

import pytest

from iplayout.db.records.generator import HEADER_ORIGINAL, HEADER_STRIPPED
from iplayout.db.records.mappings import (FIELDS, FORMATS, load_record_mapping, mapping_path, normalise_header,
                                          resolve_columns)
from iplayout.errors import SpecError

KINDS = {"patsnap": "patent", "incopat": "patent", "cnipa": "patent", "trademark": "trademark",
         "copyright": "copyright", "plant_variety": "plant_variety"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_shipped_mapping_is_valid(fmt):
    m = load_record_mapping(mapping_path(fmt))
    assert m.kind == KINDS[fmt] and m.source_format == fmt
    assert set(m.columns) <= set(FIELDS[m.kind])


def test_header_normalisation_joins_both_patsnap_variants():
    assert normalise_header("公开(公告)号") == normalise_header("公开公告号")
    assert normalise_header("[标]当前申请(专利权)人") == normalise_header("当前申请专利权人")
    assert normalise_header("IPC主分类号(小类)") == normalise_header("IPC主分类号小类")
    assert normalise_header("法律状态/事件") == normalise_header("法律状态事件")
    assert normalise_header("公开（公告）号") == normalise_header("公开公告号")  # full-width brackets too
    m = load_record_mapping(mapping_path("patsnap"))
    a, b = resolve_columns(m, HEADER_ORIGINAL), resolve_columns(m, HEADER_STRIPPED)
    assert a == b and len(a) == 20  # every one of the 20 Patsnap columns is mapped, in the same place
    assert a["publication_number"] == 0 and a["applicants"] == 4 and a["ipc_main"] == 9 and a["province"] == 18


def test_value_maps_of_patsnap():
    m = load_record_mapping(mapping_path("patsnap"))
    assert m.values["patent_type"] == {"发明申请": "invention_application", "授权发明": "invention_grant",
                                       "发明授权": "invention_grant", "实用新型": "utility_model", "外观设计": "design"}
    assert m.values["office"]["世界知识产权组织"] == "WO" and m.values["office"]["欧洲专利局"] == "EP"
    assert m.separator == " | " and m.missing == ["-"]


def _write(tmp_path, text):
    p = tmp_path / "m.yaml"
    p.write_text(text, encoding="utf-8")
    return p


BASE = """kind: patent
source_format: mine
title: test
columns:
  publication_number: [号]
  patent_type: [类型]
  application_year: [年]
values:
  patent_type: {发明: invention_application}
"""


def test_user_mapping_accepted_and_errors_named(tmp_path):
    assert load_record_mapping(_write(tmp_path, BASE)).columns["publication_number"] == ["号"]
    with pytest.raises(SpecError, match="extra|Extra"):
        load_record_mapping(_write(tmp_path, BASE + "colour: red\n"))
    with pytest.raises(SpecError, match="unknown field"):
        load_record_mapping(_write(tmp_path, BASE.replace("application_year", "flavour")))
    with pytest.raises(SpecError, match="must be"):
        load_record_mapping(_write(tmp_path, BASE.replace("invention_application", "patent")))
    with pytest.raises(SpecError, match="record-id"):
        load_record_mapping(_write(tmp_path, BASE.replace("publication_number", "title")))
    with pytest.raises(SpecError, match="both"):
        load_record_mapping(_write(tmp_path, BASE.replace("[年]", "[号]")))
    with pytest.raises(SpecError, match="unknown records format"):
        mapping_path("espacenet")
