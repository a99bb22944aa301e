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
# Camunda's activityType values (historic activity instances) as the timeline names them
ACTIVITY_TYPES = {
    "userTask": _l("用户任务"), "serviceTask": _l("系统任务"), "scriptTask": _l("脚本任务"),
    "businessRuleTask": _l("规则任务"), "manualTask": _l("人工任务"), "sendTask": _l("发送任务"),
    "receiveTask": _l("接收任务"), "task": _l("任务"), "subProcess": _l("子流程"),
    "callActivity": _l("调用子流程"), "startEvent": _l("开始事件"),
    "noneEndEvent": _l("结束事件"), "exclusiveGateway": _l("排他网关"),
    "parallelGateway": _l("并行网关"), "inclusiveGateway": _l("包容网关"),
    "eventBasedGateway": _l("事件网关"), "intermediateTimer": _l("定时事件"),
    "intermediateMessageCatch": _l("消息事件"), "intermediateSignalCatch": _l("信号事件"),
    "boundaryTimer": _l("边界定时器"), "boundaryMessage": _l("边界消息"),
    "boundaryError": _l("边界错误"), "boundarySignal": _l("边界信号"),
    "boundaryEscalation": _l("边界升级"), "intermediateCatchEvent": _l("中间捕获事件"),
    "intermediateThrowEvent": _l("中间抛出事件"),
    "intermediateMessageThrowEvent": _l("发送消息事件"), "errorEndEvent": _l("错误结束事件"),
    "terminateEndEvent": _l("终止结束事件"), "messageEndEvent": _l("消息结束事件"),
    "signalEndEvent": _l("信号结束事件"), "escalationEndEvent": _l("升级结束事件"),
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


def activity_type(value: str | None) -> str:
    return _said(ACTIVITY_TYPES.get(value or "", value or ""))


def duration(ms: int | None) -> str:
    """A run's duration as people say it: the two largest units (days and hours, hours and
    minutes, ...); under a second reads as such."""
    if ms is None:
        return ""
    seconds = ms // 1000
    if seconds < 1:
        return str(_l("不到 1 秒"))
    units = [(86400, _l("%(n)s 天")), (3600, _l("%(n)s 小时")), (60, _l("%(n)s 分")),
             (1, _l("%(n)s 秒"))]
    parts = []
    for size, text in units:
        if seconds >= size or parts:
            parts.append(str(text) % {"n": seconds // size})
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(p for p in parts if not p.startswith("0 "))
