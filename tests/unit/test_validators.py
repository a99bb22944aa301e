"""Tests of forms.validators: GB 32100 check character, phone and email rules."""

import re

import pytest
from marshmallow import ValidationError

from forms.validators import (
    CREDIT_CODE_CHARS,
    CreditCode,
    Email,
    Phone,
    credit_code_check_char,
    credit_code_error,
    is_valid_credit_code,
    is_valid_email,
    is_valid_phone,
)

VALID_CODES = ("91350100M000100Y43", "91110000600037341L")


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_credit_codes_pass(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert is_valid_credit_code(code)
    assert CreditCode()(code) == code


@pytest.mark.parametrize("code", VALID_CODES)
def test_every_other_check_character_fails(code):
    wrong = [char for char in CREDIT_CODE_CHARS if char != code[17]]
    assert len(wrong) == 30
    for char in wrong:
        assert credit_code_error(code[:17] + char) == "credit_code_check"


def test_check_character_zero_when_sum_is_a_multiple_of_31():
    # First 17 all zero: weighted sum 0, so 31 - 0 wraps to index 0.
    assert credit_code_check_char("0" * 17) == "0"


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100m000100Y43",  # lower case
        "91350100I000100Y43",  # I is not in the GB 32100 set
        "91350100O000100Y43",  # O is not either
        "",
    ],
)
def test_malformed_credit_codes_are_refused_before_the_check(code):
    assert credit_code_error(code) == "credit_code"


def test_credit_code_rule_raises_a_chinese_message():
    with pytest.raises(ValidationError) as caught:
        CreditCode()("91350100M000100Y44")
    assert caught.value.messages == ["统一社会信用代码校验位错误。"]


def test_check_char_needs_seventeen_known_characters():
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char("91350100M000100")
    with pytest.raises(ValueError, match="17 characters"):
        credit_code_check_char("91350100M000100IZ")


@pytest.mark.parametrize(
    "phone",
    ["13912345678", "+8613912345678", "+86 19912345678", "010-66097741", "0755-12345678",
     "02112345678", "010-66097741-123"],
)  # fmt: skip
def test_mobile_and_landline_numbers_pass(phone):
    assert is_valid_phone(phone)
    assert Phone()(phone) == phone


@pytest.mark.parametrize(
    "phone",
    ["12912345678", "1391234567", "139123456789", "66097741", "010-660977", "abc",
     "+1 4155550100", "010 66097741"],
)  # fmt: skip
def test_bad_phone_numbers_fail(phone):
    assert not is_valid_phone(phone)
    with pytest.raises(ValidationError) as caught:
        Phone()(phone)
    assert "电话号码格式不正确" in caught.value.messages[0]


@pytest.mark.parametrize("email", ["a@b.cn", "zhang.san+x@mail.example.edu.cn", "X_1@moe.gov.cn"])
def test_good_emails_pass(email):
    assert is_valid_email(email)
    assert Email()(email) == email


@pytest.mark.parametrize(
    "email", ["", "a@b", "a b@c.cn", "@c.cn", "a@-c.cn", "a@c..cn", "a@" + "x" * 250 + ".cn"]
)
def test_bad_emails_fail(email):
    assert not is_valid_email(email)
    with pytest.raises(ValidationError) as caught:
        Email()(email)
    assert caught.value.messages == ["电子邮箱格式不正确。"]


def test_rules_describe_themselves_for_json_schema():
    assert CreditCode().json_schema()["minLength"] == 18
    assert Email().json_schema()["format"] == "email"
    pattern = Phone().json_schema()["pattern"]
    assert re.fullmatch(pattern, "010-66097741")
    assert re.fullmatch(pattern, "13912345678")
    assert not re.fullmatch(pattern, "12345")
