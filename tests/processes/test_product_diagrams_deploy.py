"""Every product diagram and decision table deploys through the service in one deployment.

BPMNDI completeness of each diagram is checked in test_diagrams_structure.py.
"""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, PROCESSES

FILES = sorted([*PROCESSES.glob("*.bpmn"), *PROCESSES.glob("*.dmn")])


def test_all_product_files_deploy_together_then_redeploy_is_a_no_op(uow_factory):
    files = {p.name: p.read_bytes() for p in FILES}
    with uow_factory() as uow:
        first = service.deploy(uow, files, SYSTEM_ACTOR, NOW, name="product")
    keys = {(d.kind, d.key) for d in first.definitions}
    expected_processes = {p.stem for p in PROCESSES.glob("*.bpmn")}
    assert {k for kind, k in keys if kind == "process"} >= expected_processes
    assert ("decision", "assessment_rating") in keys
    assert all(d.version == 1 for d in first.definitions)
    with uow_factory() as uow:
        again = service.deploy(uow, files, SYSTEM_ACTOR, NOW, name="product")
        assert again.duplicate and again.deployment.id == first.deployment.id
        assert len(uow.definitions.list()) == len(first.definitions)
