"""Forms of the provincial_summary process: the province's report, the Ministry's receipt."""

from __future__ import annotations

from typing import Any

from marshmallow import validate, validates_schema

from forms.base import BaseForm, FieldErrors, Flag, Text, file_ref, length, meta
from forms.messages import msg


class ProvincialSummaryForm(BaseForm):
    """省级总结报告: one per province, key task and year, with the report document."""

    title = "省级总结报告"
    title_en = "Provincial summary report"

    summary_text = Text(
        required=True, validate=length(20, 20000), metadata=meta("总结摘要", "Summary")
    )
    summary_file = file_ref("总结报告文件", "Summary report document")

    @validates_schema
    def _file(self, data: dict[str, Any], **kwargs: Any) -> None:
        code = self.form_context.task_data.get("province_code")
        owner = f"province:{code}" if code else None
        errors = FieldErrors()
        self.check_file(errors, ("summary_file",), data["summary_file"], owner)
        errors.raise_if_any()


class SummaryAcknowledgementForm(BaseForm):
    """教育部确认收悉: the Ministry acknowledges a provincial summary report."""

    title = "确认收悉总结报告"
    title_en = "Summary acknowledgement"

    acknowledged = Flag(
        required=True,
        validate=validate.Equal(True, error=msg("must_confirm")),
        metadata=meta("确认收悉", "Acknowledged"),
    )
    remarks = Text(validate=length(max_len=2000), metadata=meta("备注", "Remarks"))
