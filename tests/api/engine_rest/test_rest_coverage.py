"""docs/camunda-rest-coverage.md is current, and every unanswered operation is Camunda's 404."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "docs" / "camunda_rest_coverage.py"


def _coverage():
    spec = importlib.util.spec_from_file_location("camunda_rest_coverage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_matches_the_routes():
    coverage = _coverage()
    assert coverage.TABLE.read_text(encoding="utf-8") == coverage.render(), (
        "docs/camunda-rest-coverage.md is stale: run python docs/camunda_rest_coverage.py")


def test_unanswered_operations_answer_camundas_404(client, ops):
    coverage = _coverage()
    answered = coverage.answered()
    missing = [(m, p) for m, p in coverage.operations()
               if (m, coverage._shape(p)) not in answered]
    assert missing
    for method, path in missing[::15]:
        url = "/engine-rest" + re.sub(r"\{[^}]+\}", "x1", path)
        response = client.open(url, method=method, headers=ops, json={})
        assert response.status_code in (404, 405), (method, url, response.status_code)
        assert set(response.json) >= {"type", "message"}, (method, url)
        assert response.headers["Access-Control-Allow-Origin"]
