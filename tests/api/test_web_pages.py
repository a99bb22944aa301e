"""Pages through the Flask test client: CSRF on HTML forms, Chinese error pages (never JSON),
sign-in redirects, unit registration's server checks, English on request."""

from __future__ import annotations

import re

import processes
from engine import service
from engine.service import SYSTEM_ACTOR
from forms.validators import credit_code_check_char
from tests.api.conftest import PASSWORD
from tests.factories import NOW, make_user


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _page_sign_in(client, username: str) -> None:
    response = client.post("/signin", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_root_leads_to_sign_in_and_pages_need_it(client):
    assert client.get("/").headers["Location"].endswith("/signin")
    response = client.get("/tasks")
    assert response.status_code == 302 and "/signin?next=" in response.headers["Location"]
    page = client.get("/signin").get_data(as_text=True)
    assert "<h1>登录</h1>" in page and 'href="/register"' in page


def test_wrong_password_stays_on_the_page_in_chinese(client, uow_factory):
    make_user(uow_factory, "wang", password=PASSWORD)
    response = client.post("/signin", data={"username": "wang", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_form_posts_need_the_hidden_csrf_field(client, uow_factory):
    make_user(uow_factory, "wang", password=PASSWORD)
    _page_sign_in(client, "wang")
    refused = client.post("/account/tokens", data={"name": "laptop"})
    assert refused.status_code == 403
    assert refused.mimetype == "text/html" and "无权执行此操作" in refused.get_data(as_text=True)
    token = _csrf(client, "/account")
    made = client.post("/account/tokens", data={"name": "laptop", "csrf_token": token})
    assert made.status_code == 200 and 'id="new-token"' in made.get_data(as_text=True)


def test_out_of_scope_task_is_a_chinese_404_page(client, uow_factory):
    make_user(uow_factory, "wang", "province:11:reviewer", password=PASSWORD)
    _page_sign_in(client, "wang")
    response = client.get("/tasks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "页面或记录不存在" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/signin"})
    assert "vocflow_lang=en" in response.headers["Set-Cookie"]
    assert "<h1>Sign in</h1>" in client.get("/signin").get_data(as_text=True)
    client.get("/lang/zh_Hans_CN")
    assert "<h1>登录</h1>" in client.get("/signin").get_data(as_text=True)


def test_credit_code_is_checked_as_typed(client):
    good = "91110000800123456"
    good += credit_code_check_char(good)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    wrong = client.get(f"/register/check-credit-code?credit_code={bad}").get_data(as_text=True)
    assert "校验位错误" in wrong
    right = client.get(f"/register/check-credit-code?credit_code={good}").get_data(as_text=True)
    assert "校验通过" in right


def _deploy_registration(uow_factory) -> None:
    folder = processes.DIRECTORY
    with uow_factory() as uow:
        service.deploy(uow, {"unit_registration.bpmn":
                             (folder / "unit_registration.bpmn").read_bytes()},
                       SYSTEM_ACTOR, NOW)


def test_registration_errors_show_beside_fields_and_leave_nothing(client, uow_factory):
    _deploy_registration(uow_factory)
    form = {"csrf_token": _csrf(client, "/register"), "username": "xinhua",
            "password": "Xh-2026-jiaoyu-lianheti", "password2": "Xh-2026-jiaoyu-lianheti",
            "unit_name": "北京市新华职业技术学院", "credit_code": "91110000800123456X",
            "unit_type": "school", "province_code": "11", "address": "北京市海淀区",
            "contact_name": "李老师", "contact_phone": "123", "contact_email": "li@x.cn"}
    response = client.post("/register", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="contact_phone-error"' in page and "电话号码格式不正确" in page
    assert 'value="北京市新华职业技术学院"' in page  # values kept
    with uow_factory() as uow:
        assert uow.users.get("xinhua") is None  # one unit of work: nothing half-made
    code = "91110000800123456"
    form.update(contact_phone="13900139000", credit_code=code + credit_code_check_char(code))
    done = client.post("/register", data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith("/register/status")
    status = client.get("/register/status").get_data(as_text=True)
    assert "北京市新华职业技术学院" in status and "审核注册信息" in status
