"""Forms of the annual_assessment process: the unit's annual report, the province's rating."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from forms.base import (
    BaseForm,
    FieldErrors,
    Int,
    ListOf,
    Num,
    Sub,
    Text,
    file_ref,
    items,
    length,
    meta,
    one_of,
    value_range,
)
from forms.messages import msg
from forms.project import FIRST_YEAR, LAST_YEAR
from forms.validators import INDICATOR_CODES

# Ratings are stored as their zh-CN words, the same strings the DMN table outputs.
RATINGS = ("优秀", "良好", "合格", "不合格")
RATING_LABELS_EN = {"优秀": "Excellent", "良好": "Good", "合格": "Pass", "不合格": "Fail"}


class ActualForm(BaseForm):
    """The actual value reached for one indicator in the year."""

    title = "实际完成值"
    title_en = "Actual value"

    indicator = Text(
        required=True, validate=one_of(INDICATOR_CODES), metadata=meta("绩效指标", "Indicator")
    )
    actual_value = Num(
        required=True, validate=value_range(0), metadata=meta("实际完成值", "Actual value")
    )


def _targets_of(task_data: Mapping[str, Any], year: int) -> set[str] | None:
    targets = task_data.get("targets")
    if not isinstance(targets, list):
        return None
    return {
        str(target["indicator"])
        for target in targets
        if isinstance(target, Mapping) and target.get("year") == year
    }


class AnnualReportForm(BaseForm):
    """年度绩效填报: a value for every target of the year and the annual work report."""

    title = "年度绩效数据填报"
    title_en = "Annual performance report"

    year = Int(
        required=True, validate=value_range(FIRST_YEAR, LAST_YEAR), metadata=meta("年度", "Year")
    )
    actuals = ListOf(
        Sub(ActualForm),
        required=True,
        validate=items(max_items=500),
        metadata=meta("绩效完成情况", "Actual values"),
    )
    work_report = file_ref("年度工作报告", "Annual work report")
    remarks = Text(validate=length(max_len=2000), metadata=meta("备注", "Remarks"))

    @validates_schema
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = FieldErrors()
        task_data = self.form_context.task_data
        year = task_data.get("year", data["year"])
        if data["year"] != year:
            errors.add(("year",), msg("year_mismatch", year=year))
        expected = _targets_of(task_data, year)
        seen: set[str] = set()
        for index, actual in enumerate(data["actuals"]):
            indicator = actual["indicator"]
            if indicator in seen:
                errors.add(("actuals", index, "indicator"), msg("duplicate_actual"))
            elif expected is not None and indicator not in expected:
                errors.add(("actuals", index, "indicator"), msg("actual_not_target"))
            seen.add(indicator)
        for indicator in sorted((expected or set()) - seen):
            errors.add(("actuals", "_schema"), msg("actual_missing", indicator=indicator))
        self.check_file(errors, ("work_report",), data["work_report"], self.unit_owner())
        errors.raise_if_any()


class ProvincialAssessmentForm(BaseForm):
    """省级考核评价: confirm the suggested rating or override it with a reason."""

    title = "省级考核评价"
    title_en = "Provincial assessment"

    rating = Text(
        required=True,
        validate=one_of(RATINGS),
        metadata=meta("考核等级", "Rating", **{"x-enum-labels-en": RATING_LABELS_EN}),
    )
    override_reason = Text(
        validate=length(5, 2000), metadata=meta("调整理由", "Reason for overriding")
    )
    opinion = Text(validate=length(max_len=2000), metadata=meta("评价意见", "Opinion"))

    @validates_schema
    def _override(self, data: dict[str, Any], **kwargs: Any) -> None:
        suggested = self.form_context.task_data.get("suggested_rating")
        if suggested and data["rating"] != suggested and not data.get("override_reason"):
            errors = FieldErrors()
            errors.add(("override_reason",), msg("override_reason_required", suggested=suggested))
            errors.raise_if_any()
