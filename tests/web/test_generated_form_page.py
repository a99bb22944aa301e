"""A task with a Camunda generated form (camunda:formData) on the task page: its fields
drawn from the diagram, readonly shown but not editable, refusals beside the field."""

from __future__ import annotations

from tests.factories import FIXTURES, deploy_files, open_tasks, start


def test_the_task_page_draws_and_checks_the_generated_fields(world, people):
    deploy_files(world.uow_factory, FIXTURES / "generated_forms.bpmn")
    instance = start(world.uow_factory, "generated_forms", province_code="11",
                     requester="Wang Wu")
    [task] = open_tasks(world.uow_factory, instance.id)
    reviewer = people("generated-form-reviewer")
    reviewer.sign_in("reviewer11")
    page = reviewer.go(f"/tasks/{task.id}")
    assert page.locator("#form-title").inner_text() == "Fill in the request"
    assert page.locator("label[for=amount]").inner_text().startswith("Amount")
    assert page.locator("#amount").input_value() == "10"
    assert page.locator("#kind option:checked").inner_text() == "Option A"
    assert page.locator("#due").get_attribute("type") == "date"
    assert page.locator("#due").input_value() == "2026-12-15"
    assert page.locator("#requester").input_value() == "Wang Wu"
    assert page.locator("#requester").get_attribute("readonly") is not None
    style = "e => [getComputedStyle(e).borderStyle, getComputedStyle(e).backgroundColor]"
    fixed, editable = (page.eval_on_selector(f, style) for f in ("#requester", "#amount"))
    assert fixed[0] == "dashed" and fixed != editable  # not editable, and looks it
    reviewer.shot("generated-form")
    page.fill("#amount", "0")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    assert "不能小于1" in page.locator("#amount-error").inner_text()
    assert page.locator("#requester").input_value() == "Wang Wu"
    reviewer.shot("generated-form-refused")
    page.fill("#amount", "5")
    page.select_option("#kind", "b")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/tasks")
    [legacy] = open_tasks(world.uow_factory, instance.id)
    assert legacy.element_id == "Task_Legacy"
