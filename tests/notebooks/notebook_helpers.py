"""Execute a notebook with papermill for a test: no error cell allowed; returns its text outputs and the notebook."""
from __future__ import annotations

import json


def run_notebook(path, params, tmp_path):
    import papermill as pm

    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters=params, progress_bar=False, log_output=False,
                        cwd=str(path.parent), kernel_name="python3")
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            assert o["output_type"] != "error", o.get("evalue")
            data = o.get("data", {})
            # a view's fallback sentence must render as text, never as the Python literal '…' or None
            if set(data) == {"text/plain"}:
                plain = "".join(data["text/plain"])
                assert not plain.startswith(("'", '"', "None", "<")), (path.name, plain[:80])
            text.append("".join(data.get("text/markdown", "")) + "".join(data.get("text/html", "")))
    return "\n".join(text), nb
