"""Every screen in a real browser for each role: renders in Chinese, at 390 px, keyboard
reachable, axe-clean; another province's task, instance, file and dashboard row are 404."""

from __future__ import annotations

from typing import Any

import processes
from engine import service
from engine.service import SYSTEM_ACTOR, scopes


def _other_province(world: Any) -> dict[str, str]:
    """Ids in Guangdong (44) that Beijing's reviewer and unit must not see."""
    with world.uow_factory() as uow:
        [task, *_] = scopes.inbox(uow, SYSTEM_ACTOR, view="all", province_code="44")
        detail = service.show_instance(uow, task.instance_id, SYSTEM_ACTOR)
        files = [v for v in detail.variables.values() if isinstance(v, dict) and "file_id" in v]
        return {"task": task.id, "instance": task.instance_id, "file": files[0]["file_id"]}


def test_sign_in_page_is_chinese_and_links_registration(world, people):
    anon = people("anon")
    page = anon.go("/")
    assert page.url.endswith("/signin")
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    anon.shot("signin", readme=True)
    page.click("text=单位注册 >> nth=-1")
    assert page.url.endswith("/register")
    page.fill("#credit_code", "91000000800000001X")
    page.locator("#credit-code-check .field-error").wait_for()
    anon.shot("register")
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Unit registration"


def test_reviewer_task_list_and_forms(world, people):
    reviewer = people("reviewer11")
    reviewer.sign_in("reviewer11")
    page = reviewer.go("/tasks")
    assert page.locator("h1").inner_text() == "待办任务"
    rows = page.locator("#tasks tbody tr")
    assert rows.count() >= 1
    assert "职业技术学院" in page.locator("#tasks").inner_text()  # names, not unit ids
    reviewer.shot("tasks", readme=True)
    page.select_option("#f-sort", "priority")
    page.wait_for_url("**sort=priority**")
    page.locator("#tasks tbody tr a").first.click()
    page.wait_for_load_state()
    assert page.locator("form[enctype='multipart/form-data']").count() == 1
    page.locator(".djs-container").first.wait_for()
    reviewer.shot("task", readme=True)
    reviewer.go("/tasks/done")
    reviewer.shot("done")
    reviewer.go("/account")
    reviewer.shot("account")


def test_ops_console_instance_and_designer(world, people):
    ops = people("ops")
    ops.sign_in("ops")
    page = ops.go("/ops")
    assert page.locator("h1").inner_text() == "运维控制台"
    assert page.locator("[id^=incident-]").count() >= 1
    ops.shot("ops", readme=True)
    page.locator("[id^=incident-] a[href^='/instances/']").first.click()
    page.locator(".djs-container").first.wait_for()
    page.locator(".ov.incident").first.wait_for()
    ops.shot("instance", readme=True)
    designer = people("designer")
    designer.sign_in("designer")
    page = designer.go("/designer")
    assert "/engine-rest" in page.locator("#engine-rest-url").inner_text()
    designer.shot("designer")


def test_ministry_dashboard(world, people):
    moe = people("moe-kt01")
    moe.sign_in("moe-kt01")
    page = moe.go("/dashboard?year=2025")
    assert page.locator("#figures tbody tr").count() >= 1
    page.locator("[data-chart] svg").first.wait_for()
    moe.shot("dashboard", readme=True)
    # The filters are select lists from the catalogue, worked from the keyboard
    assert page.locator("#d-kt option").count() == 12 and page.locator("#d-p option").count() == 33
    page.focus("#d-kt")
    page.keyboard.press("ArrowDown")  # 全部 -> KT01
    page.focus("#d-p")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "查看"
    page.keyboard.press("Enter")
    page.wait_for_url("**key_task=KT01**")
    assert page.locator("#d-kt").input_value() == "KT01"
    assert page.locator("#d-year").input_value() == "2025"
    page.click("#total-report-late")
    page.wait_for_load_state()
    assert page.locator("#drill tbody tr").count() >= 1
    moe.shot("drill")


def test_narrow_screen_and_keyboard(world, people):
    unit = people("unit11a-390", width=390)
    unit.sign_in("unit11a")
    page = unit.go("/tasks")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width})"
    unit.shot("tasks-390")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "跳到正文"


def test_other_province_is_404_for_every_role(world, people):
    other = _other_province(world)
    for username in ("reviewer11", "unit11a", "moe-kt01"):
        person = people(f"{username}-scope")
        person.sign_in(username)
        for path in (f"/tasks/{other['task']}", f"/instances/{other['instance']}"):
            response = person.page.goto(world.base + path)
            assert response.status == 404, (username, path, response.status)
            assert "不存在" in person.page.locator("h1").inner_text()
        # Another province's (the Ministry: another key task's) figures are 404; a unit has
        # no dashboard at all (403).
        row = "key_task=KT02" if username.startswith("moe") else "province=44"
        response = person.page.goto(
            f"{world.base}/dashboard/list?year=2026&{row}&measure=projects")
        assert response.status == (403 if username.startswith("unit") else 404), username
        person.shot("not-found")
        response = person.page.goto(f"{world.base}/api/v1/files/{other['file']}")
        assert response.status == 404, (username, "file")


def test_designer_uploads_a_version_and_sees_the_diff_in_colour(world, people, tmp_path):
    source = (processes.DIRECTORY / "unit_registration.bpmn").read_text(encoding="utf-8")
    changed = source.replace('name="省级核验注册信息"', 'name="省级核验注册信息（复核）"')
    assert changed != source
    upload = tmp_path / "unit_registration.bpmn"
    upload.write_text(changed, encoding="utf-8")
    designer = people("designer-diff")
    designer.sign_in("designer")
    page = designer.go("/designer")
    page.set_input_files("#deploy-files", str(upload))
    page.click("form[action='/designer/deploy'] button[type=submit]")
    page.wait_for_load_state()
    assert "已部署 1 个定义" in page.locator(".flash").inner_text()
    page.locator("a", has_text="与 v1 对比").first.click()
    page.wait_for_load_state()
    page.locator(".diff-changed").first.wait_for()  # drawn in colour on the diagram
    assert "Task_VerifyRegistration" in page.content() or "复核" in page.content()
    designer.shot("diff")


def _csrf(page: Any) -> str:
    return str(page.evaluate(
        "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']"))


def test_ops_actions_take_a_reason_that_the_timeline_shows(world, people):
    ops = people("ops-reasons")
    ops.sign_in("ops")
    page = ops.go("/ops")
    row = page.locator("tr", has=page.locator("form[action^='/ops/jobs/']")).first
    action = row.locator("form").get_attribute("action")
    instance_path = row.locator("a[href^='/instances/']").get_attribute("href")
    refused = page.request.post(world.base + action, form={
        "due_at": "2030-01-02T09:30", "csrf_token": _csrf(page)})
    assert refused.status == 400  # no reason: refused, naming what is missing
    assert "请填写操作理由" in refused.text()
    row.locator("input[name=due_at]").fill("2030-01-02T09:30")
    row.locator("input[name=reason]").fill("省厅通知延长评审期限")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "到期时间已修改" in page.locator(".flash").inner_text()
    page = ops.go(instance_path)
    assert "省厅通知延长评审期限" in page.locator(".timeline").inner_text()
    assert "修改定时器到期时间" in page.locator(".timeline").inner_text()
    page.fill("#act-reason", "等待省厅复核材料")
    page.locator("button", has_text="挂起").click()
    page.wait_for_load_state()
    assert page.locator("h1 .badge").inner_text() == "已挂起"
    page.fill("#act-reason", "省厅复核完毕")
    page.locator("button", has_text="恢复").click()
    page.wait_for_load_state()
    timeline = page.locator(".timeline").inner_text()
    assert "理由：等待省厅复核材料" in timeline and "理由：省厅复核完毕" in timeline
    ops.shot("instance-reasons")


def test_bulk_retry_asks_for_a_reason_first(world, people):
    ops = people("ops-bulk")
    ops.sign_in("ops")
    page = ops.go("/ops")
    page.locator("input[data-incident]").first.wait_for()
    page.locator("[data-bulk-retry]").click()
    assert page.locator("#bulk-status").inner_text() == "请填写操作理由。"
    assert page.evaluate("document.activeElement.id") == "bulk-reason"
    assert page.locator("#bulk-progress").is_hidden()
    ops.shot("bulk-reason")


def test_the_language_chosen_is_kept_with_the_account(world, people):
    first = people("reviewer51-lang")
    first.sign_in("reviewer51")
    page = first.go("/tasks")
    page.click("text=English")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My tasks"
    elsewhere = people("reviewer51-elsewhere")  # another browser: no cookie, no session
    assert elsewhere.go("/signin").locator("html").get_attribute("lang") == "zh-CN"
    elsewhere.sign_in("reviewer51")
    page = elsewhere.go("/tasks")
    assert page.locator("html").get_attribute("lang") == "en"
    elsewhere.shot("tasks-en")
    page.click("text=中文")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "待办任务"


# The outermost elements that reach past the viewport (named in a failure)
WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
  > innerWidth + 1 && e.parentElement.getBoundingClientRect().right <= innerWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(
  e.getBoundingClientRect().right) + ' ' + (e.textContent || '').trim().slice(0, 40))"""


def test_every_screen_fits_390_px(world, people):
    checks = (("ops", ("/ops", "/designer", "/account")),
              ("moe-kt01", ("/dashboard?year=2025", "/tasks", "/tasks/done")),
              ("reviewer11", ("/tasks?view=all", "/tasks/done")))
    for username, paths in checks:
        person = people(f"{username}-narrow", width=390)
        person.sign_in(username)
        todo = list(paths)
        while todo:
            path = todo.pop(0)
            page = person.go(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate(WIDEST) if width > 390 else []
            assert width <= 390, f"{username} {path} is {width} px wide at 390 px: {wide}"
            if path == "/ops":  # and the instance page of the first stuck instance
                todo.append(str(page.locator("main a[href^='/instances/']").first
                                .get_attribute("href")))
        person.shot("narrow")
    anon = people("anon-narrow", width=390)
    assert anon.go("/register").evaluate("document.documentElement.scrollWidth") <= 390


def test_only_ops_may_repair_from_the_pages(world, people):
    with world.uow_factory() as uow:
        [incident, *_] = scopes.list_incidents(uow, SYSTEM_ACTOR)
    for username in ("reviewer11", "unit11a", "moe-kt01"):
        person = people(f"{username}-no-ops")
        person.sign_in(username)
        assert person.page.goto(world.base + "/ops").status == 403, username
        page = person.go("/tasks")
        answer = page.request.post(f"{world.base}/ops/incidents/{incident.id}/retry", form={
            "reason": "不该允许", "csrf_token": _csrf(page)})
        assert answer.status in (403, 404), (username, answer.status)  # 404: out of scope
    with world.uow_factory() as uow:
        assert scopes.visible_incident(uow, incident.id, SYSTEM_ACTOR).resolved_at is None
