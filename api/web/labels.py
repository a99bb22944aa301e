"""Names people read for the product's codes: processes, task elements, states (zh-CN / en)."""

from __future__ import annotations

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

PROCESSES = {
    "unit_registration": _l("单位注册登记"),
    "key_task_project": _l("重点任务项目"),
    "provincial_review": _l("省级评审"),
    "annual_assessment": _l("年度绩效评价"),
    "provincial_summary": _l("省级年度总结"),
    "annual_cycle": _l("年度总结周期"),
}
ELEMENTS = {
    "Task_FillRegistration": _l("填写注册信息"),
    "Task_VerifyRegistration": _l("审核注册信息"),
    "Task_SubmitPlan": _l("提交建设方案"),
    "Task_ReviewPlan": _l("省级评审"),
    "Task_Recommend": _l("省级推荐"),
    "Task_MinistryConfirm": _l("教育部确认"),
    "Task_AnnualReport": _l("提交年度报告"),
    "Task_ProvincialAssessment": _l("省级绩效评价"),
    "Task_WriteSummary": _l("撰写省级总结"),
    "Task_AcknowledgeSummary": _l("确认省级总结"),
}
STATUSES = {
    "running": _l("进行中"), "completed": _l("已完成"), "suspended": _l("已挂起"),
    "terminated": _l("已终止"), "error": _l("故障"),
}
ACTIONS = {
    "instance_started": _l("启动流程"), "task_completed": _l("完成任务"),
    "task_claimed": _l("认领任务"), "task_unclaimed": _l("退回任务池"),
    "task_assigned": _l("指派任务"), "instance_completed": _l("流程结束"),
    "incident_opened": _l("发生故障"), "incident_resolved": _l("故障已解决"),
    "timer_fired": _l("定时器触发"), "variables_set": _l("修改变量"),
    "instance_suspended": _l("挂起"), "instance_resumed": _l("恢复"),
    "instance_terminated": _l("终止"), "token_moved": _l("移动令牌"),
    "task_skipped": _l("跳过任务"), "due_date_changed": _l("修改期限"),
    "external_task_completed": _l("系统任务完成"), "external_task_failed": _l("系统任务失败"),
    "message_correlated": _l("收到消息"), "instance_migrated": _l("迁移版本"),
    "incident_retried": _l("重试故障"), "job_due_date_set": _l("修改定时器到期时间"),
    "job_retries_set": _l("修改重试次数"),
}
# The task list's column names and badges, asked once per list, not once per row
TASK_ROW = {
    "task": _l("任务"), "unit": _l("单位"), "project": _l("项目"), "province": _l("省份"),
    "due": _l("截止时间（北京时间）"), "overdue": _l("已逾期"), "due_soon": _l("即将到期"),
    "assignee": _l("处理人"), "unclaimed": _l("待认领"), "unclaim": _l("退回"),
    "claim": _l("认领"),
}
# Translated names by (locale, text): a list draws the same few names on every row, and
# each Flask-Babel lookup walks the request context (bench/web.py).
# Keyed by id(): the lazy strings are this module's constants, alive as long as it is.
_SEEN: dict[tuple[str, int], str] = {}


def _said(text: LazyString | str) -> str:
    if not isinstance(text, LazyString):
        return text
    key = (str(get_locale()), id(text))
    if key not in _SEEN:
        _SEEN[key] = str(text)
    return _SEEN[key]


def task_row_labels() -> dict[str, str]:
    return {name: _said(text) for name, text in TASK_ROW.items()}


def process(key: str | None) -> str:
    return _said(PROCESSES.get(key or "", key or ""))


def element(element_id: str | None, name: str | None = None) -> str:
    return _said(ELEMENTS.get(element_id or "", name or element_id or ""))


def status(value: str | None) -> str:
    return str(STATUSES.get(value or "", value or ""))


def action(value: str | None) -> str:
    return str(ACTIONS.get(value or "", value or ""))
