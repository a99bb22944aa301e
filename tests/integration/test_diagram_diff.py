"""engine.service.diagram_diff: semantic element diff of two versions, blocked migrations."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden, NotFound
from engine.service.diagram_diff import diff_definitions
from tests.factories import FIXTURES, deploy_files, make_user, start

REVIEW = (FIXTURES / "review.bpmn").read_text(encoding="utf-8")
PRIORITY = 'camunda:priority="60"'
SCRIPT = '<bpmn:script>'


def _version(uow_factory, tmp_path, xml):
    path = tmp_path / "review.bpmn"
    path.write_text(xml, encoding="utf-8")
    [definition] = deploy_files(uow_factory, path)
    return definition.id


def _diff(uow_factory, old, new, actor):
    with uow_factory() as uow:
        return diff_definitions(uow, old, new, actor)


def _changed_v2():
    assert PRIORITY in REVIEW and 'name="已通过"' in REVIEW
    xml = REVIEW.replace(PRIORITY, 'camunda:priority="80"')
    xml = xml.replace('name="已通过"', 'name="审核通过"')
    return xml.replace(
        '<bpmn:endEvent id="End_Rejected"',
        '<bpmn:task id="Task_Archive" name="归档" />\n    <bpmn:endEvent id="End_Rejected"')


def test_added_removed_changed_and_the_blocked_instance(uow_factory, tmp_path):
    designer = make_user(uow_factory, "wang", "designer")
    v1 = _version(uow_factory, tmp_path, REVIEW)
    waiting = start(uow_factory, "simple_review", province_code="42",
                    review_due="2026-12-30T23:59:00+08:00")
    v2 = _version(uow_factory, tmp_path, _changed_v2().replace("Flow_4", "Flow_4b"))
    diff = _diff(uow_factory, v1, v2, designer)
    assert [e.id for e in diff.added] == ["Flow_4b", "Task_Archive"]
    assert [e.id for e in diff.removed] == ["Flow_4"]
    assert diff.added[1].type == "task" and diff.added[1].name == "归档"
    changes = {c.element_id: c.changes for c in diff.changed}
    assert changes["Task_Review"] == {"camunda.priority": ("60", "80")}
    assert changes["End_Approved"] == {"name": ("已通过", "审核通过")}
    assert changes["Script_Rejected"] == {"outgoing": (("Flow_4",), ("Flow_4b",))}
    assert changes["End_Rejected"] == {"incoming": (("Flow_4",), ("Flow_4b",))}
    assert set(changes) == {"Task_Review", "End_Approved", "Script_Rejected", "End_Rejected"}
    assert diff.running == 1 and diff.checked == 1 and diff.migratable == ()
    [blocked] = diff.blocked
    assert blocked.instance_id == waiting.id and not blocked.report.ok
    assert any(r.startswith("Task_Review:") for r in blocked.reasons)
    assert 'camunda:priority="80"' in diff.new_xml and PRIORITY in diff.old_xml


def test_a_change_away_from_the_tokens_lets_the_instance_migrate(uow_factory, tmp_path):
    ops = make_user(uow_factory, "ops-1", "ops")
    v1 = _version(uow_factory, tmp_path, REVIEW)
    waiting = start(uow_factory, "simple_review", province_code="42",
                    review_due="2026-12-30T23:59:00+08:00")
    v2 = _version(uow_factory, tmp_path, REVIEW.replace('name="已通过"', 'name="审核通过"'))
    diff = _diff(uow_factory, v1, v2, ops)
    assert [c.element_id for c in diff.changed] == ["End_Approved"]
    assert diff.added == () and diff.removed == ()
    assert diff.blocked == () and diff.migratable == (waiting.id,)


def test_only_designers_and_ops_and_unknown_ids(uow_factory, tmp_path):
    v1 = _version(uow_factory, tmp_path, REVIEW)
    reviewer = make_user(uow_factory, "li", "province:42:reviewer")
    with pytest.raises(Forbidden):
        _diff(uow_factory, v1, v1, reviewer)
    designer = make_user(uow_factory, "wang", "designer")
    with pytest.raises(NotFound):
        _diff(uow_factory, v1, "simple_review:9:nope", designer)
    same = _diff(uow_factory, v1, v1, designer)
    assert (same.added, same.removed, same.changed, same.running) == ((), (), (), 0)
