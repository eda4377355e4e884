"""docs/evaluation.schema.json is the JSON Schema of the spec model, kept in step with the code.

Editors (VS Code YAML extension etc.) can validate a SPEC.yaml against it while researchers type.
Regenerate: python -c "from iplayout.evaluation.spec import EvaluationSpec; ..." (see docs/evaluation.md).
"""
import json
from pathlib import Path

from iplayout.evaluation.spec import EvaluationSpec

DOC = Path(__file__).resolve().parents[2] / "docs" / "evaluation.schema.json"


def test_schema_document_matches_the_model():
    assert json.loads(DOC.read_text(encoding="utf-8")) == EvaluationSpec.model_json_schema()


def test_schema_forbids_unknown_keys():
    schema = EvaluationSpec.model_json_schema()
    assert schema["additionalProperties"] is False
    assert all(d.get("additionalProperties") is False for d in schema["$defs"].values() if d.get("type") == "object")
