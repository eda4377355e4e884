"""DEA (CCR/BCC) against Cooper, Seiford & Tone (2007) textbook examples."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import MethodError
from iplayout.methods.dea import dea

# Cooper W.W., Seiford L.M., Tone K. (2007) Data Envelopment Analysis, 2nd ed., Springer.
# Ch. 1, Table 1.1: eight branch stores, one input (employees) and one output (sales).
STORES_1 = pd.DataFrame({"employee": [2, 3, 3, 4, 5, 5, 6, 8], "sales": [1, 3, 2, 3, 4, 2, 3, 5]},
                        index=list("ABCDEFGH"), dtype=float)
# Ch. 1 two-input example: six stores, inputs employee and floor area, output sales = 1.
STORES_2 = pd.DataFrame({"employee": [4, 7, 8, 4, 2, 10], "floor": [3, 3, 1, 2, 4, 1], "sales": [1] * 6},
                        index=list("ABCDEF"), dtype=float)


def test_ccr_single_input_output_cst_table_1_1():
    # CCR efficiency = (sales/employee) / max ratio (B: 3/3 = 1): A 0.5, B 1, C 0.6667, D 0.75, E 0.8,
    # F 0.4, G 0.5, H 0.625 (CST 2007 §1.2, relative efficiency column).
    r = dea(STORES_1[["employee"]], STORES_1[["sales"]], model="ccr")
    np.testing.assert_allclose(r["efficiency"], [0.5, 1, 2 / 3, 0.75, 0.8, 0.4, 0.5, 0.625], atol=1e-9)
    assert r["efficient"].tolist() == [False, True] + [False] * 6
    out = dea(STORES_1[["employee"]], STORES_1[["sales"]], model="ccr", orientation="output")
    np.testing.assert_allclose(out["efficiency"], r["efficiency"], atol=1e-9)  # CCR: θ = 1/φ


def test_ccr_two_inputs_cst_stores():
    # CST 2007 ch. 1–3 two-input example: A = 6/7 = 0.8571, B = 12/19 = 0.6316, C, D, E, F = 1
    # (F is only weakly efficient: radial score 1 with slack in employee).
    r = dea(STORES_2[["employee", "floor"]], STORES_2[["sales"]], model="ccr")
    np.testing.assert_allclose(r["efficiency"], [6 / 7, 12 / 19, 1, 1, 1, 1], atol=1e-9)
    assert set(r.loc["A", "peers"].split(";")) == {"D", "E"}


def test_bcc_single_input_output_frontier():
    # BCC input orientation on CST Table 1.1: the VRS frontier is A(2,1)–B(3,3)–E(5,4)–H(8,5)
    # (CST 2007 ch. 4, BCC model), so C needs 2.5 employees for sales 2 → 2.5/3, D 3/4, F 2.5/5, G 3/6.
    r = dea(STORES_1[["employee"]], STORES_1[["sales"]], model="bcc")
    np.testing.assert_allclose(r["efficiency"], [1, 1, 2.5 / 3, 0.75, 1, 0.5, 0.5, 1], atol=1e-9)


def test_dea_invariants_random():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(1, 10, size=(20, 2)), columns=["i1", "i2"])
    y = pd.DataFrame(rng.uniform(1, 10, size=(20, 2)), columns=["o1", "o2"])
    for model in ("ccr", "bcc"):
        for orient in ("input", "output"):
            e = dea(x, y, model=model, orientation=orient)["efficiency"]
            assert (e <= 1 + 1e-9).all() and (e > 0).all() and (e >= 1 - 1e-9).any()
    ccr = dea(x, y, model="ccr")["efficiency"]
    bcc = dea(x, y, model="bcc")["efficiency"]
    assert (bcc >= ccr - 1e-9).all()  # VRS envelops more tightly than CRS


def test_dea_input_checks():
    with pytest.raises(MethodError, match="positive inputs"):
        dea(pd.DataFrame({"i": [0.0, 1.0]}), pd.DataFrame({"o": [1.0, 1.0]}))
    with pytest.raises(MethodError, match="unknown model"):
        dea(STORES_1[["employee"]], STORES_1[["sales"]], model="sbm")
