"""The catalogue of user-facing form messages (zh-CN, English) and their translation."""

from __future__ import annotations

import re
from typing import Any

# One catalogue of user-facing messages, keyed by a stable id: (zh-CN, English).
_TEXTS: dict[str, tuple[str, str]] = {
    "required": ("此项为必填项。", "This field is required."),
    "null": ("此项不能为空值。", "This field may not be null."),
    "validator_failed": ("取值无效。", "Invalid value."),
    "unknown": ("不允许的字段。", "Unknown field."),
    "invalid_object": ("应为对象（键值对）。", "Must be an object."),
    "invalid_string": ("应为文本。", "Must be text."),
    "invalid_integer": ("应为整数。", "Must be an integer."),
    "invalid_number": ("应为数字。", "Must be a number."),
    "invalid_boolean": ("应为布尔值（true 或 false）。", "Must be a boolean (true or false)."),
    "invalid_list": ("应为列表。", "Must be a list."),
    "special_number": ("不允许使用 NaN 或无穷大。", "NaN and infinity are not allowed."),
    "too_large": ("数值过大。", "Number too large."),
    "length_min": ("长度不能少于{min}个字符。", "Must be at least {min} characters long."),
    "length_max": ("长度不能超过{max}个字符。", "Must be at most {max} characters long."),
    "length_between": ("长度应为{min}至{max}个字符。", "Must be {min} to {max} characters long."),
    "items_min": ("至少需要{min}项。", "At least {min} items are required."),
    "items_max": ("最多允许{max}项。", "At most {max} items are allowed."),
    "items_between": ("应为{min}至{max}项。", "Must have {min} to {max} items."),
    "range_min": ("不能小于{min}。", "Must not be less than {min}."),
    "range_max": ("不能大于{max}。", "Must not be greater than {max}."),
    "range_between": ("应在{min}至{max}之间。", "Must be between {min} and {max}."),
    "one_of": ("取值无效，可选值：{choices}。", "Invalid value; allowed: {choices}."),
    "invalid_date": ("应为{pattern}格式的日期。", "Must be a date as {pattern}."),
    "read_only": ("此项只读，不能提交。", "This field is read-only: it cannot be submitted."),
    "must_confirm": ("必须确认后才能提交。", "Must be confirmed before submitting."),
    "credit_code": (
        "统一社会信用代码应为18位数字或大写字母。",
        "Credit code: 18 digits or capitals.",
    ),
    "credit_code_check": ("统一社会信用代码校验位错误。", "Wrong credit code check character."),
    "credit_code_taken": (
        "该统一社会信用代码已有注册单位，请勿重复注册；如需加入该单位请联系其管理员。",
        "A unit with this credit code is already registered; ask its administrator instead.",
    ),
    "phone": ("电话号码格式不正确（手机或带区号固话）。", "Invalid phone (mobile or area-coded)."),
    "email": ("电子邮箱格式不正确。", "Invalid email address."),
    "sha256": ("应为64位小写十六进制SHA-256摘要。", "Must be 64 lower-case hex digits."),
    "opinion_required": (
        "退回或不通过时必须填写意见。",
        "Returning or rejecting needs an opinion.",
    ),
    "ranking_required": ("推荐时必须填写推荐排序。", "A ranking is required when recommending."),
    "period_order": ("结束年份不能早于开始年份。", "End year is before start year."),
    "period_too_long": ("建设周期最长为{max}年。", "The period is at most {max} years."),
    "year_outside_period": (
        "年份应在建设周期{start}至{end}年内。",
        "Year must be in {start}..{end}.",
    ),
    "year_without_target": ("{year}年至少需要一项绩效目标。", "Year {year} needs a target."),
    "duplicate_target": ("同一年份同一指标只能填写一次。", "Indicator repeated in a year."),
    "unit_mismatch": ("该指标的计量单位应为“{unit}”。", "The unit of this indicator is “{unit}”."),
    "percent_max": ("百分比不能大于100。", "A percentage may not exceed 100."),
    "file_not_found": ("文件不存在。", "The file does not exist."),
    "file_not_owned": ("文件不属于本单位。", "The file does not belong to your unit."),
    "year_mismatch": ("年份应为{year}。", "The year must be {year}."),
    "actual_missing": ("缺少指标{indicator}的实际完成值。", "Missing actual of {indicator}."),
    "actual_not_target": ("该指标不是本年度的绩效目标。", "Not a target of the year."),
    "duplicate_actual": ("同一指标只能填写一次。", "Each indicator may appear once."),
    "override_reason_required": (
        "与建议等级（{suggested}）不一致时必须填写调整理由。",
        "Differing from {suggested} needs a reason.",
    ),
}
MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {key: pair[0] for key, pair in _TEXTS.items()},
    "en": {key: pair[1] for key, pair in _TEXTS.items()},
}


def msg(msg_id: str, **params: object) -> str:
    """Return the zh-CN text of a message id, formatted with params."""
    return MESSAGES["zh-CN"][msg_id].format(**params)


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^{pattern}$")


_ZH_PATTERNS = {key: _template_regex(text) for key, text in MESSAGES["zh-CN"].items()}


def messages_in(lang: str, messages: Any) -> Any:
    """Translate a (nested) zh-CN error structure into lang; unknown texts pass through."""
    if isinstance(messages, dict):
        return {key: messages_in(lang, value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [messages_in(lang, value) for value in messages]
    if not isinstance(messages, str) or lang == "zh-CN":
        return messages
    for key, pattern in _ZH_PATTERNS.items():
        found = pattern.match(messages)
        if found:
            return MESSAGES[lang][key].format(**found.groupdict())
    return messages
