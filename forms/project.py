"""Forms of the key_task_project and provincial_review processes: plan, review, recommend."""

from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from forms.base import (
    BaseForm,
    FieldErrors,
    FileRefForm,
    Flag,
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
    required_when,
    value_range,
)
from forms.messages import msg
from forms.validators import (
    INDICATOR_CODES,
    INDICATOR_UNITS,
    KEY_TASK_CODES,
    MEASURE_UNITS,
    CreditCode,
    require_opinion,
)

FIRST_YEAR, LAST_YEAR = 2023, 2035
MAX_PERIOD_YEARS = 5


class PartnerUnitForm(BaseForm):
    """One partner unit of a project."""

    title = "合作单位"
    title_en = "Partner unit"

    name = Text(required=True, validate=length(2, 100), metadata=meta("单位名称", "Unit name"))
    credit_code = Text(
        validate=CreditCode(), metadata=meta("统一社会信用代码", "Unified social credit code")
    )


class TargetForm(BaseForm):
    """One annual performance target: a value of an indicator for a year."""

    title = "年度绩效目标"
    title_en = "Annual performance target"

    year = Int(
        required=True,
        validate=value_range(FIRST_YEAR, LAST_YEAR),
        metadata=meta("年度", "Year"),
    )
    indicator = Text(
        required=True, validate=one_of(INDICATOR_CODES), metadata=meta("绩效指标", "Indicator")
    )
    target_value = Num(
        required=True, validate=value_range(0), metadata=meta("目标值", "Target value")
    )
    unit = Text(required=True, validate=one_of(MEASURE_UNITS), metadata=meta("计量单位", "Unit"))


def check_targets(errors: FieldErrors, data: dict[str, Any]) -> None:
    """Years inside the period, one target per year at least, no repeats, matching units."""
    start, end = data["period_start_year"], data["period_end_year"]
    seen: set[tuple[int, str]] = set()
    for index, target in enumerate(data["targets"]):
        year, indicator = target["year"], target["indicator"]
        if not start <= year <= end:
            errors.add(("targets", index, "year"), msg("year_outside_period", start=start, end=end))
        if (year, indicator) in seen:
            errors.add(("targets", index, "indicator"), msg("duplicate_target"))
        seen.add((year, indicator))
        expected_unit = INDICATOR_UNITS[indicator]
        if target["unit"] != expected_unit:
            errors.add(("targets", index, "unit"), msg("unit_mismatch", unit=expected_unit))
        if expected_unit == "%" and target["target_value"] > 100:
            errors.add(("targets", index, "target_value"), msg("percent_max"))
    years_with_targets = {year for year, _ in seen}
    for year in range(start, end + 1):
        if year not in years_with_targets:
            errors.add(("targets", "_schema"), msg("year_without_target", year=year))


class PlanSubmissionForm(BaseForm):
    """提交建设方案: the project, its period, annual targets and documents."""

    title = "提交建设方案"
    title_en = "Construction plan submission"

    key_task = Text(
        required=True, validate=one_of(KEY_TASK_CODES), metadata=meta("重点任务", "Key task")
    )
    project_name = Text(
        required=True, validate=length(2, 200), metadata=meta("项目名称", "Project name")
    )
    partner_units = ListOf(
        Sub(PartnerUnitForm),
        load_default=list,
        validate=items(max_items=50),
        metadata=meta("合作单位", "Partner units"),
    )
    period_start_year = Int(
        required=True,
        validate=value_range(FIRST_YEAR, LAST_YEAR),
        metadata=meta("建设周期起始年份", "First year of the period"),
    )
    period_end_year = Int(
        required=True,
        validate=value_range(FIRST_YEAR, LAST_YEAR),
        metadata=meta("建设周期结束年份", "Last year of the period"),
    )
    targets = ListOf(
        Sub(TargetForm),
        required=True,
        validate=items(1, 500),
        metadata=meta("年度绩效目标", "Annual performance targets"),
    )
    plan_file = file_ref("建设方案文件", "Plan document")
    evidence_files = ListOf(
        Sub(FileRefForm),
        load_default=list,
        validate=items(max_items=50),
        metadata=meta("佐证材料", "Evidence files"),
    )

    @validates_schema
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = FieldErrors()
        start, end = data["period_start_year"], data["period_end_year"]
        if end < start:
            errors.add(("period_end_year",), msg("period_order"))
        elif end - start + 1 > MAX_PERIOD_YEARS:
            errors.add(("period_end_year",), msg("period_too_long", max=MAX_PERIOD_YEARS))
        else:
            check_targets(errors, data)
        owner = self.unit_owner()
        self.check_file(errors, ("plan_file",), data["plan_file"], owner)
        for index, ref in enumerate(data["evidence_files"]):
            self.check_file(errors, ("evidence_files", index), ref, owner)
        errors.raise_if_any()


class ReviewDecisionForm(BaseForm):
    """省级评审: approve, return for revision or reject, with an opinion and a score."""

    title = "省级评审"
    title_en = "Provincial review"
    json_schema_extra = {"allOf": [required_when("decision", ["return", "reject"], "opinion")]}

    decision = Text(
        required=True,
        validate=one_of(("approve", "return", "reject")),
        metadata=meta(
            "评审结论",
            "Decision",
            **{"x-enum-labels": {"approve": "通过", "return": "退回修改", "reject": "不通过"}},
        ),
    )
    opinion = Text(validate=length(max_len=2000), metadata=meta("评审意见", "Opinion"))
    score = Num(validate=value_range(0, 100), metadata=meta("评分", "Score"))

    @validates_schema
    def _opinion(self, data: dict[str, Any], **kwargs: Any) -> None:
        require_opinion(data, ("return", "reject"))


class RecommendationForm(BaseForm):
    """省级推荐: whether the province recommends the project to the Ministry, and its rank."""

    title = "省级推荐"
    title_en = "Provincial recommendation"
    json_schema_extra = {"allOf": [required_when("recommended", [True], "ranking")]}

    recommended = Flag(required=True, metadata=meta("是否推荐", "Recommended"))
    ranking = Int(validate=value_range(1), metadata=meta("推荐排序", "Ranking"))
    opinion = Text(required=True, validate=length(2, 2000), metadata=meta("推荐意见", "Opinion"))

    @validates_schema
    def _ranking(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["recommended"] and "ranking" not in data:
            errors = FieldErrors()
            errors.add(("ranking",), msg("ranking_required"))
            errors.raise_if_any()


class MinistryConfirmationForm(BaseForm):
    """教育部确认: the Ministry staff of the key task confirm or return the recommendation."""

    title = "教育部确认"
    title_en = "Ministry confirmation"
    json_schema_extra = {"allOf": [required_when("decision", ["return"], "opinion")]}

    decision = Text(
        required=True,
        validate=one_of(("confirm", "return")),
        metadata=meta(
            "确认结论",
            "Decision",
            **{"x-enum-labels": {"confirm": "确认", "return": "退回省级"}},
        ),
    )
    opinion = Text(validate=length(max_len=2000), metadata=meta("意见", "Opinion"))

    @validates_schema
    def _opinion(self, data: dict[str, Any], **kwargs: Any) -> None:
        require_opinion(data, ("return",))
