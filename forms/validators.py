"""Field rules for Chinese identifiers (GB 32100 credit code, phone, email) and code lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError
from marshmallow.validate import Validator

from forms.messages import msg

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31 for positions 1..17.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"

MOBILE_PATTERN = r"^(?:\+86[- ]?)?1[3-9]\d{9}$"
LANDLINE_PATTERN = r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$"
EMAIL_PATTERN = (
    r"^[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)

# Code lists mirrored from processes/catalogue/*.json; tests/unit/test_catalogue.py asserts
# they match, so forms stay free of engine imports.
UNIT_TYPES = ("school", "enterprise", "government_department", "industrial_park")
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "66",
)  # fmt: skip
KEY_TASK_CODES = tuple(f"KT{number:02d}" for number in range(1, 12))
INDICATOR_UNITS = {
    "IND01": "个", "IND02": "个", "IND03": "人", "IND04": "人次", "IND05": "万元",
    "IND06": "门", "IND07": "条", "IND08": "人", "IND09": "个", "IND10": "个",
    "IND11": "门", "IND12": "种", "IND13": "个", "IND14": "项", "IND15": "人",
    "IND16": "个", "IND17": "万元", "IND18": "%",
}  # fmt: skip
INDICATOR_CODES = tuple(INDICATOR_UNITS)
MEASURE_UNITS = tuple(sorted(set(INDICATOR_UNITS.values())))


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(char not in CREDIT_CODE_CHARS for char in first17):
        raise ValueError("need 17 characters from the GB 32100 character set")
    total = sum(
        CREDIT_CODE_CHARS.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None for a valid 统一社会信用代码, else the id of the message that explains why not."""
    if not re.fullmatch(CREDIT_CODE_PATTERN, code):
        return "credit_code"
    if credit_code_check_char(code[:17]) != code[17]:
        return "credit_code_check"
    return None


def is_valid_credit_code(code: str) -> bool:
    """Whether code is a well-formed credit code with the right check character."""
    return credit_code_error(code) is None


def is_valid_phone(phone: str) -> bool:
    """Whether phone is a mainland mobile number or a landline with its area code."""
    return bool(re.fullmatch(MOBILE_PATTERN, phone) or re.fullmatch(LANDLINE_PATTERN, phone))


def is_valid_email(email: str) -> bool:
    """Whether email looks like a deliverable address (syntax only, at most 254 chars)."""
    return len(email) <= 254 and re.fullmatch(EMAIL_PATTERN, email) is not None


class CreditCode(Validator):
    """Field rule: a 统一社会信用代码 with a correct GB 32100 check character."""

    def __call__(self, value: Any) -> Any:
        problem = credit_code_error(value)
        if problem:
            raise ValidationError(msg(problem))
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"pattern": CREDIT_CODE_PATTERN, "minLength": 18, "maxLength": 18}


class Phone(Validator):
    """Field rule: a mainland mobile or landline phone number."""

    def __call__(self, value: Any) -> Any:
        if not is_valid_phone(value):
            raise ValidationError(msg("phone"))
        return value

    def json_schema(self) -> dict[str, Any]:
        mobile, landline = MOBILE_PATTERN[1:-1], LANDLINE_PATTERN[1:-1]
        return {"pattern": f"^(?:{mobile}|{landline})$"}


class Email(Validator):
    """Field rule: an email address."""

    def __call__(self, value: Any) -> Any:
        if not is_valid_email(value):
            raise ValidationError(msg("email"))
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"format": "email", "maxLength": 254}


def require_opinion(data: Mapping[str, Any], decisions: Iterable[str]) -> None:
    """Form rule: an opinion (non-blank) is required when the decision is one of decisions."""
    if data.get("decision") in tuple(decisions) and not data.get("opinion"):
        raise ValidationError(msg("opinion_required"), "opinion")
