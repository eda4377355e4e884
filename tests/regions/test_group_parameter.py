"""The runner checks a group parameter against the territory's region groups (from the database)."""
from iplayout.config import default_db_path, params_dir
from iplayout.reporting.parameters import CodeBook, load_declarations, validate_parameters


def test_groups_from_database_and_validation():
    codes = CodeBook.from_db(default_db_path())
    assert codes.groups("320000") == ["苏南", "苏中", "苏北"]
    assert codes.groups("100000") == ["东部", "中部", "西部", "东北"]
    decl = load_declarations(params_dir() / "notebooks.yaml").notebooks["04_regions/group.ipynb"]
    ok, problems = validate_parameters("04_regions/group.ipynb", decl, {"territory": "320000", "year": 2018,
                                                                        "group": "苏中"}, codes)
    assert not problems and ok["group"] == "苏中"
    _, problems = validate_parameters("04_regions/group.ipynb", decl, {"territory": "320000", "year": 2018,
                                                                       "group": "东部"}, codes)
    assert len(problems) == 1 and "苏南、苏中、苏北" in str(problems[0])
