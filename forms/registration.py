"""Forms of the unit_registration process: a unit registers, its province verifies."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validates_schema

from forms.base import BaseForm, Text, length, meta, one_of, required_when
from forms.messages import msg
from forms.validators import (
    PROVINCE_CODES,
    UNIT_TYPES,
    CreditCode,
    Email,
    Phone,
    require_opinion,
)

UNIT_TYPE_LABELS = {
    "school": "学校",
    "enterprise": "企业",
    "government_department": "政府部门",
    "industrial_park": "产业园区",
}


class UnitRegistrationForm(BaseForm):
    """单位注册登记: who the construction unit is and how to reach it."""

    title = "单位注册登记"
    title_en = "Unit registration"

    unit_name = Text(required=True, validate=length(2, 100), metadata=meta("单位名称", "Unit name"))
    credit_code = Text(
        required=True,
        validate=CreditCode(),
        metadata=meta("统一社会信用代码", "Unified social credit code"),
    )
    unit_type = Text(
        required=True,
        validate=one_of(UNIT_TYPES),
        metadata=meta("单位类型", "Unit type", **{"x-enum-labels": UNIT_TYPE_LABELS}),
    )
    province_code = Text(
        required=True,
        validate=one_of(PROVINCE_CODES),
        metadata=meta("所在省份", "Province (GB/T 2260 code)"),
    )
    address = Text(required=True, validate=length(2, 200), metadata=meta("通讯地址", "Address"))
    contact_name = Text(
        required=True, validate=length(2, 50), metadata=meta("联系人", "Contact person")
    )
    contact_phone = Text(required=True, validate=Phone(), metadata=meta("联系电话", "Phone"))
    contact_email = Text(required=True, validate=Email(), metadata=meta("电子邮箱", "Email"))

    @validates_schema
    def _new_unit(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A credit code of a unit that is already registered is refused here, at the
        applicant's form: approving can never add anyone to an existing unit."""
        code = str(data.get("credit_code") or "").strip().upper()
        if code and self.form_context.credit_code_taken(code):
            raise ValidationError(msg("credit_code_taken"), field_name="credit_code")


class RegistrationVerificationForm(BaseForm):
    """省级审核注册信息: approve the registration or return it for correction."""

    title = "注册信息审核"
    title_en = "Registration verification"
    json_schema_extra = {"allOf": [required_when("decision", ["return"], "opinion")]}

    decision = Text(
        required=True,
        validate=one_of(("approve", "return")),
        metadata=meta(
            "审核结论",
            "Decision",
            **{"x-enum-labels": {"approve": "通过", "return": "退回修改"}},
        ),
    )
    opinion = Text(validate=length(max_len=2000), metadata=meta("审核意见", "Opinion"))

    @validates_schema
    def _opinion(self, data: dict[str, Any], **kwargs: Any) -> None:
        require_opinion(data, ("return",))
