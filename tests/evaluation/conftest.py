from pathlib import Path

import numpy as np
import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "params" / "evaluation" / "examples"


@pytest.fixture
def panel():
    """Three regions-years panel with three subsystems (the docs' worked example 3)."""
    return pd.read_csv(EXAMPLES / "coupling_panel.csv", dtype={"id": str})


@pytest.fixture
def panel_spec():
    import yaml
    return yaml.safe_load((EXAMPLES / "coupling_panel.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def random_table():
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"id": [f"{320100 + 100 * i}" for i in range(13)]})
    for j in range(6):
        df[f"x{j}"] = rng.lognormal(size=13)
    return df
