"""The zh-CN notification texts, one subject and body per template code."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

SHANGHAI = ZoneInfo("Asia/Shanghai")

TEMPLATES: dict[str, tuple[str, str]] = {
    "reminder_7d": (
        "【提醒】{year}年度绩效数据填报将于7天后截止",
        "{unit_label}：\n{year}年度绩效数据及年度工作报告的填报截止时间为{deadline}（北京时间），"
        "距截止还有7天，请尽快登录系统填报。\n项目：{project_name}（{key_task}）",
    ),
    "reminder_1d": (
        "【提醒】{year}年度绩效数据填报将于明天截止",
        "{unit_label}：\n{year}年度绩效数据及年度工作报告的填报截止时间为{deadline}（北京时间），"
        "距截止仅剩1天，请务必按时填报。\n项目：{project_name}（{key_task}）",
    ),
    "deadline_passed": (
        "【逾期】{project_name} 未按时提交{year}年度绩效报告",
        "省级教育行政部门：\n项目“{project_name}”（{key_task}，单位编号 {unit_id}）未在"
        "{deadline}（北京时间）前提交{year}年度绩效数据及年度工作报告。单位仍可补交，"
        "补交的报告将标记为逾期。",
    ),
    "review_result": (
        "【通知】评审结果：{decision_label}",
        "{unit_label}：\n您的申请“{subject_name}”的审核/评审结论为：{decision_label}。\n"
        "意见：{opinion}",
    ),
    "recommendation_result": (
        "【通知】推荐结果：{recommendation_label}",
        "{unit_label}：\n项目“{project_name}”（{key_task}）的推荐结果为："
        "{recommendation_label}。\n意见：{opinion}",
    ),
    "rating_result": (
        "【通知】{year}年度绩效评价结果：{rating}",
        "{unit_label}：\n项目“{project_name}”（{key_task}）{year}年度绩效评价结果为：{rating}"
        "（系统建议：{suggested_rating}；完成率 {completion_ratio}；{late_label}）。\n"
        "说明：{override_reason}",
    ),
}

DECISIONS = {"approve": "通过", "return": "退回修改", "reject": "未通过", "confirm": "确认"}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


def _local(value: Any) -> str:
    if not value:
        return "—"
    try:
        when = value if isinstance(value, datetime) else dateparser.isoparse(str(value))
    except (ValueError, OverflowError):
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    return when.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def _recommendation_label(variables: dict[str, Any]) -> str:
    if not variables.get("recommended"):
        return "未获省级推荐"
    if variables.get("decision") == "confirm":
        return "已获教育部确认"
    return "已获省级推荐"


def render(template: str, variables: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a template; unknown templates raise KeyError."""
    subject, body = TEMPLATES[template]
    values = _Blank({k: v for k, v in variables.items() if v is not None and v != ""})
    values["deadline"] = _local(variables.get("report_deadline"))
    values["unit_label"] = str(variables.get("unit_name") or "建设单位")
    values["subject_name"] = variables.get("project_name") or variables.get("unit_name") or "—"
    values["decision_label"] = DECISIONS.get(str(variables.get("decision")), "—")
    values["recommendation_label"] = _recommendation_label(variables)
    values["late_label"] = "逾期提交" if variables.get("late") else "按时提交"
    return subject.format_map(values), body.format_map(values)
