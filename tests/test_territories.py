"""Territory profiles (params/territories.yaml): shipped entries, fallback, validation errors name file and key."""
import pytest

from iplayout import narrative as nv
from iplayout.errors import ParameterError
from iplayout.territories import CHINA, WORLD, load_profiles, territory_profile


def test_shipped_profiles():
    profiles = load_profiles()
    assert {"100000", "320000", WORLD} <= set(profiles)
    national, jiangsu, world = (territory_profile(c) for c in ("100000", "320000", WORLD))
    assert (national.scope_word, jiangsu.scope_word) == ("全国", "全省")
    assert (national.evaluation_spec, jiangsu.evaluation_spec, world.evaluation_spec) == \
        ("pilot.yaml", "jiangsu_cities.yaml", "international.yaml")
    assert national.group_order == ("东部", "中部", "西部", "东北")
    assert jiangsu.group_order == ("苏南", "苏中", "苏北")
    assert national.map.boundary_file == "china_provinces.geojson" and national.map.join_by == "name"
    assert national.map.south_china_sea_inset and not jiangsu.map.south_china_sea_inset
    assert jiangsu.map.join_field == "adcode" and jiangsu.map.projection == "EPSG:32650"
    assert world.map is None and CHINA == "100000"


def test_fallback_profile_for_a_territory_without_entry():
    assert territory_profile("330000").scope_word == "全省"  # another province's cities
    assert territory_profile("320100").scope_word == "全市"  # a city's districts
    p = territory_profile("330000")
    assert p.map is None and p.evaluation_spec is None and p.group_rank("x") == (0, "x")
    assert nv.scope_word("100000") == "全国" and nv.scope_word("320000") == "全省"


def test_group_rank_orders_known_groups_first():
    p = territory_profile("100000")
    assert sorted(["未分组", "西部", "东部", "东北", "中部"], key=p.group_rank) == ["东部", "中部", "西部", "东北", "未分组"]


@pytest.mark.parametrize("text, match", [
    ('territories:\n  "320000": {label: 江苏省, scope_word: 全省, colour: red}\n', "colour"),
    ('territories:\n  320000: {label: 江苏省, scope_word: 全省}\n', "quoted string"),
    ('territories:\n  "320000": {label: 江苏省, scope_word: 全省, map: {boundary_file: ../x.geojson, '
     'join_field: adcode, projection: "EPSG:32650"}}\n', "boundary_file"),
    ('territories:\n  "320000": {label: 江苏省, scope_word: 全省, evaluation_spec: /etc/x.yaml}\n', "evaluation_spec"),
    ("regions: {}\n", "territories"),
])
def test_invalid_profiles_are_parameter_errors(tmp_path, text, match):
    (tmp_path / "territories.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=match) as exc:
        territory_profile("320000", tmp_path)
    assert "territories.yaml" in str(exc.value)
