"""The whole notice through the pages only, each role in its own browser context: a unit
registers, the province verifies; the unit submits a plan with targets and a file; the
province returns it; the unit revises; the province approves and recommends; the Ministry
confirms; the clock moves to December; the unit reports late; the province rates with an
override reason; the Ministry's dashboard shows the late report and the Excel export holds
it; ops repairs and retries the demo's incident from the console."""

from __future__ import annotations

import json
from datetime import datetime
from io import BytesIO
from pathlib import Path

import time_machine
from openpyxl import load_workbook

from forms.validators import credit_code_check_char
from tests.web.conftest import BEIJING

PDF = b"%PDF-1.4\n%journey\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
UNIT = "北京市新华职业技术学院"
PROJECT = "新华产教联合体建设项目"
PROJECT2 = "新华市域产教联合体建设项目（修订）"
APPLICANT, PASSWORD = "xinhua", "Xh-2026-jiaoyu-lianheti"
NOVEMBER = datetime(2026, 11, 21, 9, 0, tzinfo=BEIJING)
DECEMBER = datetime(2026, 12, 18, 10, 0, tzinfo=BEIJING)
GOOD_TARGETS = [{"year": 2026, "indicator": "IND01", "unit": "个", "target_value": 10}]


def _credit_code() -> str:
    first17 = "91110000800123456"
    return first17 + credit_code_check_char(first17)


def _open_task(person, text: str) -> None:
    page = person.go("/tasks")
    page.locator("#tasks tbody tr", has_text=text).locator("a").first.click()
    page.wait_for_load_state()


def _submit(page) -> None:
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()


def _register(unit, reviewer, world) -> None:
    page = unit.go("/register")
    page.fill("#username", APPLICANT)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.fill("#unit_name", UNIT)
    page.fill("#credit_code", _credit_code())
    page.locator("#credit-code-check .badge.ok").wait_for()
    page.select_option("#unit_type", "school")
    page.select_option("#province_code", "11")
    page.fill("#address", "北京市海淀区职教路1号")
    page.fill("#contact_name", "李老师")
    page.fill("#contact_phone", "13900139000")
    page.fill("#contact_email", "li@xinhua.example.cn")
    unit.shot("register-filled")
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url("**/register/status")
    assert "审核注册信息" in page.locator("#registration-state").inner_text()
    unit.shot("registration-status")
    _open_task(reviewer, UNIT)
    reviewer.page.select_option("#decision", "approve")
    reviewer.shot("verify-registration")
    _submit(reviewer.page)
    world.run_worker()  # create_unit_account, notify
    page = unit.go("/register/status")
    assert "已通过审核" in page.locator("#registration-state").inner_text()


def _plan(unit) -> None:
    page = unit.go("/tasks")
    page.click("text=申报新项目")
    page.wait_for_url("**/tasks/*")
    page.select_option("#key_task", "KT01")
    page.fill("#project_name", PROJECT)
    page.fill("#period_start_year", "2026")
    page.fill("#period_end_year", "2025")  # wrong on purpose: the error shows beside it
    page.fill("#targets-0-year", "2026")
    page.select_option("#targets-0-indicator", "IND01")
    page.fill("#targets-0-target_value", "10")
    page.select_option("#targets-0-unit", "个")
    page.set_input_files("#plan_file", files=[
        {"name": "建设方案.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _submit(page)
    page.locator("#period_end_year-error").wait_for()
    assert "结束年份不能早于开始年份" in page.locator("#period_end_year-error").inner_text()
    assert page.input_value("#project_name") == PROJECT  # values kept
    assert "建设方案.pdf" in page.locator(".kept").first.inner_text()  # the upload too
    unit.shot("plan-error")
    page.fill("#period_end_year", "2026")
    _submit(page)
    page.wait_for_url("**/tasks")


def _review(reviewer, decision: str, opinion: str) -> None:
    page = reviewer.go("/tasks")
    row = page.locator("#tasks tbody tr", has_text=UNIT).first
    if row.locator("text=认领").count():
        row.locator("button", has_text="认领").click()  # htmx redraws the row
        page.locator("#tasks tbody tr", has_text="reviewer11").first.wait_for()
    _open_task(reviewer, UNIT)
    assert page.locator("#task-context").count() == 1  # the plan beside the form
    page.select_option("#decision", decision)
    page.fill("#opinion", opinion)
    reviewer.shot(f"review-{decision}")
    _submit(page)


def _through_ministry(unit, reviewer, moe, world) -> None:
    _review(reviewer, "return", "请细化年度绩效目标。")
    _open_task(unit, UNIT)
    page = unit.page
    assert page.input_value("#project_name") == PROJECT  # the plan comes back filled in
    page.fill("#project_name", PROJECT2)
    _submit(page)
    _review(reviewer, "approve", "方案可行，同意。")
    _open_task(reviewer, UNIT)
    reviewer.page.select_option("#recommended", "true")
    reviewer.page.fill("#ranking", "1")
    reviewer.page.fill("#opinion", "推荐至教育部。")
    _submit(reviewer.page)
    _open_task(moe, PROJECT2)
    moe.page.select_option("#decision", "confirm")
    moe.shot("confirm")
    _submit(moe.page)
    world.run_worker()  # notify; the 2026 assessment opens (its timer is past)


def _late_report_and_rating(unit, reviewer, world) -> None:
    page = unit.go("/tasks")
    row = page.locator("#tasks tbody tr", has_text=PROJECT2).first
    assert "已逾期" in row.inner_text()
    unit.shot("tasks-overdue")
    row.locator("a").first.click()
    page.wait_for_load_state()
    page.select_option("#actuals-0-indicator", "IND01")
    page.fill("#actuals-0-actual_value", "9")
    page.set_input_files("#work_report", files=[
        {"name": "2026年度工作报告.pdf", "mimeType": "application/pdf", "buffer": PDF + b"r"}])
    _submit(page)
    page.wait_for_url("**/tasks")
    _open_task(reviewer, PROJECT2)
    page = reviewer.page
    assert "良好" in page.locator("[data-field=suggested_rating]").inner_text()
    page.select_option("#rating", "合格")
    _submit(page)
    assert page.locator("#override_reason-error").count() == 1
    reviewer.shot("rating-error")
    page.fill("#override_reason", "逾期提交且佐证材料不完整，降为合格。")
    _submit(page)
    page.wait_for_url("**/tasks")
    world.run_worker()


def _dashboard(moe) -> None:
    page = moe.go("/dashboard?year=2026")
    row = page.locator("#figures tbody tr[data-province='11'][data-key-task='KT01']")
    assert int(row.locator("td.report-late").inner_text()) >= 1
    moe.shot("dashboard-2026")
    row.locator("td.report-late a").click()
    page.wait_for_load_state()
    assert PROJECT2 in page.locator("#drill").inner_text()
    page = moe.go("/dashboard?year=2026")
    with page.expect_download() as download:
        page.click("#export-link")
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    cells = [str(c.value) for sheet in book for r in sheet.iter_rows() for c in r if c.value]
    assert PROJECT2 in cells


def _ops(ops) -> None:
    page = ops.go("/ops")
    incident = page.locator("section[id^=incident-]", has_text="Script_EvaluateReport").first
    incident_id = incident.get_attribute("id")
    incident.locator("a[href^='/instances/']").first.click()
    page.wait_for_load_state()
    page.fill("#var-name", "targets")
    page.fill("#var-value", json.dumps(GOOD_TARGETS, ensure_ascii=False))
    page.fill("#var-reason", "修复损坏的绩效目标数据")
    page.click("form[action$='/variables'] button[type=submit]")
    page.wait_for_load_state()
    assert "变量已修改" in page.locator(".flash").inner_text()
    page = ops.go("/ops")
    page.fill(f"#reason-{incident_id.removeprefix('incident-')}", "绩效目标数据已修复，重新评估")
    page.locator(f"#{incident_id} button", has_text="重试").click()  # htmx: result in place
    page.locator(f"#retry-result-{incident_id.removeprefix('incident-')} .badge.ok").wait_for()
    ops.shot("retried")
    assert ops.go("/ops").locator(f"#{incident_id}").count() == 0


def test_the_whole_notice_through_the_pages(world, people):
    traveller = time_machine.travel(NOVEMBER, tick=True)
    clock = traveller.start()
    try:
        unit, reviewer = people("applicant"), people("journey-reviewer11")
        moe, ops = people("journey-moe-kt01"), people("journey-ops")
        reviewer.sign_in("reviewer11")
        moe.sign_in("moe-kt01")
        ops.sign_in("ops")
        _register(unit, reviewer, world)
        _plan(unit)
        _through_ministry(unit, reviewer, moe, world)
        clock.move_to(DECEMBER)
        world.run_worker()  # the reminders and the deadline notice fall due
        _late_report_and_rating(unit, reviewer, world)
        _dashboard(moe)
        _ops(ops)
    finally:
        traveller.stop()
