"""Tests of the form registry, every form's rules, zh-CN messages and JSON Schema output."""

import copy

import pytest
from jsonschema import Draft202012Validator

from forms import (
    FORM_KEYS,
    MESSAGES,
    FormContext,
    FormNotFound,
    FormValidationError,
    form_json_schema,
    get_form,
    messages_in,
    validate_form,
)

OWNERS = {
    "f-plan": "unit:u1",
    "f-ev0": "unit:u1",
    "f-ev1": "unit:u1",
    "f-report": "unit:u1",
    "f-other": "unit:u2",
    "f-summary": "province:44",
}


def context(**task_data):
    return FormContext(task_data=task_data, file_owner=OWNERS.get, actor_unit_id="u1")


def ref(file_id):
    return {"file_id": file_id, "name": f"{file_id}.pdf", "size": 1024, "sha256": "a" * 64}


def registration():
    return {
        "unit_name": "福建船政交通职业学院",
        "credit_code": "91350100M000100Y43",
        "unit_type": "school",
        "province_code": "35",
        "address": "福州市仓山区首山路80号",
        "contact_name": "张三",
        "contact_phone": "0591-83760000",
        "contact_email": "zhangsan@example.edu.cn",
    }


def plan():
    return {
        "key_task": "KT03",
        "project_name": "开放型区域产教融合实践中心建设",
        "partner_units": [{"name": "某某装备有限公司", "credit_code": "91110000600037341L"}],
        "period_start_year": 2024,
        "period_end_year": 2025,
        "targets": [
            {"year": 2024, "indicator": "IND01", "target_value": 5, "unit": "个"},
            {"year": 2025, "indicator": "IND01", "target_value": 8, "unit": "个"},
            {"year": 2025, "indicator": "IND18", "target_value": 60.5, "unit": "%"},
        ],
        "plan_file": ref("f-plan"),
        "evidence_files": [ref("f-ev0"), ref("f-ev1")],
    }


def report():
    return {
        "year": 2025,
        "actuals": [
            {"indicator": "IND01", "actual_value": 9},
            {"indicator": "IND18", "actual_value": 55},
        ],
        "work_report": ref("f-report"),
    }


def report_context():
    return context(year=2025, targets=plan()["targets"])


VALID = {
    "unit_registration": (registration, context),
    "registration_verification": (lambda: {"decision": "approve"}, context),
    "plan_submission": (plan, context),
    "review_decision": (lambda: {"decision": "approve", "score": 88.5}, context),
    "recommendation": (
        lambda: {"recommended": True, "ranking": 1, "opinion": "同意推荐"},
        context,
    ),
    "ministry_confirmation": (lambda: {"decision": "confirm"}, context),
    "annual_report": (report, report_context),
    "provincial_assessment": (
        lambda: {"rating": "良好"},
        lambda: context(suggested_rating="良好"),
    ),
    "provincial_summary": (
        lambda: {
            "summary_text": "本省本年度重点任务建设进展顺利，各建设单位按期完成目标。",
            "summary_file": ref("f-summary"),
        },
        lambda: context(province_code="44"),
    ),  # fmt: skip
    "summary_acknowledgement": (lambda: {"acknowledged": True}, context),
}


def errors_of(form_key, data, ctx=None):
    with pytest.raises(FormValidationError) as caught:
        validate_form(form_key, data, ctx or context())
    return caught.value.messages


# --- registry and shared behaviour ---------------------------------------------------------


def test_registry_has_exactly_the_bpmn_form_keys():
    assert set(FORM_KEYS) == set(VALID)
    assert len(FORM_KEYS) == 10


def test_unknown_form_key_raises_form_not_found():
    with pytest.raises(FormNotFound) as caught:
        get_form("no_such_form")
    assert caught.value.form_key == "no_such_form"
    assert isinstance(caught.value, LookupError)


@pytest.mark.parametrize("form_key", sorted(VALID))
def test_every_form_accepts_its_happy_path(form_key):
    make_data, make_context = VALID[form_key]
    loaded = validate_form(form_key, make_data(), make_context())
    assert isinstance(loaded, dict)
    assert set(loaded) >= set(make_data())


def test_unknown_fields_are_refused_in_chinese():
    data = {"decision": "approve", "extra": 1}
    assert errors_of("registration_verification", data) == {"extra": ["不允许的字段。"]}


def test_unknown_fields_in_nested_objects_are_refused_at_their_path():
    data = plan()
    data["evidence_files"][1]["path"] = "/etc/passwd"
    assert errors_of("plan_submission", data) == {
        "evidence_files": {1: {"path": ["不允许的字段。"]}}
    }


def test_required_and_null_messages_are_chinese():
    errors = errors_of("unit_registration", {**registration(), "address": None})
    assert errors == {"address": ["此项不能为空值。"]}
    data = registration()
    del data["unit_name"]
    assert errors_of("unit_registration", data) == {"unit_name": ["此项为必填项。"]}


def test_non_object_input_is_refused():
    assert errors_of("review_decision", ["approve"]) == {"_schema": ["应为对象（键值对）。"]}


def test_types_are_strict():
    data = plan()
    data["period_start_year"] = "2024"
    data["targets"][0]["target_value"] = True
    errors = errors_of("plan_submission", data)
    assert errors["period_start_year"] == ["应为整数。"]
    assert errors["targets"] == {0: {"target_value": ["应为数字。"]}}
    rec = {"recommended": "true", "ranking": 1.0, "opinion": "同意推荐"}
    errors = errors_of("recommendation", rec)
    assert errors == {"recommended": ["应为布尔值（true 或 false）。"], "ranking": ["应为整数。"]}


def test_text_is_stripped_and_blank_counts_as_missing():
    loaded = validate_form(
        "unit_registration", {**registration(), "unit_name": "  某学院 "}, context()
    )
    assert loaded["unit_name"] == "某学院"
    errors = errors_of("unit_registration", {**registration(), "unit_name": "   "})
    assert errors == {"unit_name": ["长度应为2至100个字符。"]}


def test_messages_translate_to_english_by_message_id():
    errors = errors_of("plan_submission", {**plan(), "period_end_year": 2029})
    assert messages_in("en", errors) == {"period_end_year": ["The period is at most 5 years."]}
    errors = errors_of("plan_submission", {**plan(), "key_task": "KT12", "targets": []})
    english = messages_in("en", errors)
    assert english["targets"] == ["Must have 1 to 500 items."]
    assert english["key_task"][0].startswith("Invalid value; allowed: KT01, KT02")
    assert messages_in("zh-CN", errors) == errors
    assert messages_in("en", {"x": ["not ours"]}) == {"x": ["not ours"]}
    assert set(MESSAGES["en"]) == set(MESSAGES["zh-CN"])


# --- unit_registration and registration_verification ---------------------------------------


def test_registration_checks_the_credit_code_check_character():
    errors = errors_of("unit_registration", {**registration(), "credit_code": "91350100M000100Y44"})
    assert errors == {"credit_code": ["统一社会信用代码校验位错误。"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "9135010", "统一社会信用代码应为18位数字或大写字母。"),
        ("contact_phone", "12345", "电话号码格式不正确（手机或带区号固话）。"),
        ("contact_email", "zhangsan@", "电子邮箱格式不正确。"),
        ("unit_type", "university", None),
        ("province_code", "67", None),
    ],
)
def test_registration_field_rules(field, value, message):
    errors = errors_of("unit_registration", {**registration(), field: value})
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    else:
        assert errors[field][0].startswith("取值无效，可选值：")


def test_province_66_is_accepted():
    loaded = validate_form(
        "unit_registration", {**registration(), "province_code": "66"}, context()
    )
    assert loaded["province_code"] == "66"


def test_verification_return_needs_an_opinion():
    errors = errors_of("registration_verification", {"decision": "return", "opinion": "  "})
    assert errors == {"opinion": ["退回或不通过时必须填写意见。"]}
    ok = validate_form(
        "registration_verification", {"decision": "return", "opinion": "地址不完整"}, context()
    )
    assert ok["opinion"] == "地址不完整"


# --- plan_submission --------------------------------------------------------------------------


def test_plan_end_before_start():
    errors = errors_of("plan_submission", {**plan(), "period_start_year": 2026})
    assert errors == {"period_end_year": ["结束年份不能早于开始年份。"]}


def test_plan_period_at_most_five_years():
    data = plan()
    data["period_start_year"], data["period_end_year"] = 2025, 2030
    assert errors_of("plan_submission", data) == {"period_end_year": ["建设周期最长为5年。"]}


def test_plan_years_bounded_2023_to_2035():
    errors = errors_of("plan_submission", {**plan(), "period_start_year": 2022})
    assert errors == {"period_start_year": ["应在2023至2035之间。"]}


def test_plan_target_year_outside_period():
    data = plan()
    data["targets"].append({"year": 2026, "indicator": "IND02", "target_value": 1, "unit": "个"})
    errors = errors_of("plan_submission", data)
    assert errors == {"targets": {3: {"year": ["年份应在建设周期2024至2025年内。"]}}}


def test_plan_every_year_needs_a_target():
    data = plan()
    del data["targets"][0]
    errors = errors_of("plan_submission", data)
    assert errors == {"targets": {"_schema": ["2024年至少需要一项绩效目标。"]}}


def test_plan_duplicate_year_and_indicator():
    data = plan()
    data["targets"].append(copy.deepcopy(data["targets"][1]))
    errors = errors_of("plan_submission", data)
    assert errors == {"targets": {3: {"indicator": ["同一年份同一指标只能填写一次。"]}}}


def test_plan_target_unit_must_match_indicator_and_percent_bounded():
    data = plan()
    data["targets"][0]["unit"] = "门"
    data["targets"][2]["target_value"] = 120
    errors = errors_of("plan_submission", data)
    assert errors == {
        "targets": {
            0: {"unit": ["该指标的计量单位应为“个”。"]},
            2: {"target_value": ["百分比不能大于100。"]},
        }
    }


def test_plan_target_values_are_non_negative_numbers():
    data = plan()
    data["targets"][1]["target_value"] = -1
    errors = errors_of("plan_submission", data)
    assert errors == {"targets": {1: {"target_value": ["不能小于0。"]}}}


def test_plan_needs_targets_and_plan_file():
    data = plan()
    data["targets"] = []
    del data["plan_file"]
    errors = errors_of("plan_submission", data)
    assert errors == {"targets": ["应为1至500项。"], "plan_file": ["此项为必填项。"]}


def test_plan_evidence_file_must_exist():
    data = plan()
    data["evidence_files"][1] = ref("f-missing")
    errors = errors_of("plan_submission", data)
    assert errors == {"evidence_files": {1: {"file_id": ["文件不存在。"]}}}


def test_plan_files_must_belong_to_the_actor_unit():
    data = plan()
    data["plan_file"] = ref("f-other")
    data["evidence_files"][0] = ref("f-summary")
    errors = errors_of("plan_submission", data)
    assert errors == {
        "plan_file": {"file_id": ["文件不属于本单位。"]},
        "evidence_files": {0: {"file_id": ["文件不属于本单位。"]}},
    }


def test_plan_files_refused_without_an_acting_unit():
    ctx = FormContext(file_owner=OWNERS.get)
    errors = errors_of("plan_submission", plan(), ctx)
    assert errors["plan_file"] == {"file_id": ["文件不属于本单位。"]}


def test_plan_file_reference_shape():
    data = plan()
    data["plan_file"]["sha256"] = "XYZ"
    data["plan_file"]["size"] = -5
    errors = errors_of("plan_submission", data)
    assert errors == {
        "plan_file": {"sha256": ["应为64位小写十六进制SHA-256摘要。"], "size": ["不能小于0。"]}
    }


def test_plan_partner_credit_code_checked_at_its_path():
    data = plan()
    data["partner_units"].append({"name": "某园区", "credit_code": "91110000600037341A"})
    errors = errors_of("plan_submission", data)
    assert errors == {"partner_units": {1: {"credit_code": ["统一社会信用代码校验位错误。"]}}}


def test_plan_partner_units_and_evidence_are_optional():
    data = plan()
    del data["partner_units"], data["evidence_files"]
    loaded = validate_form("plan_submission", data, context())
    assert loaded["partner_units"] == []
    assert loaded["evidence_files"] == []


# --- review_decision, recommendation, ministry_confirmation ---------------------------------


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_review_return_or_reject_needs_opinion(decision):
    errors = errors_of("review_decision", {"decision": decision})
    assert errors == {"opinion": ["退回或不通过时必须填写意见。"]}
    ok = validate_form("review_decision", {"decision": decision, "opinion": "目标偏低"}, context())
    assert ok["decision"] == decision


def test_review_score_between_0_and_100_and_decision_enum():
    errors = errors_of("review_decision", {"decision": "maybe", "score": 100.5})
    assert errors["score"] == ["应在0至100之间。"]
    assert errors["decision"] == ["取值无效，可选值：approve, return, reject。"]


def test_recommendation_ranking_required_when_recommended():
    errors = errors_of("recommendation", {"recommended": True, "opinion": "同意推荐"})
    assert errors == {"ranking": ["推荐时必须填写推荐排序。"]}
    ok = validate_form("recommendation", {"recommended": False, "opinion": "暂不推荐"}, context())
    assert ok == {"recommended": False, "opinion": "暂不推荐"}


def test_recommendation_ranking_at_least_one_and_opinion_required():
    errors = errors_of("recommendation", {"recommended": True, "ranking": 0})
    assert errors == {"ranking": ["不能小于1。"], "opinion": ["此项为必填项。"]}


def test_ministry_return_needs_opinion():
    errors = errors_of("ministry_confirmation", {"decision": "return"})
    assert errors == {"opinion": ["退回或不通过时必须填写意见。"]}
    errors = errors_of("ministry_confirmation", {"decision": "approve"})
    assert list(errors) == ["decision"]


# --- annual_report and provincial_assessment ------------------------------------------------


def test_report_needs_every_target_of_the_year():
    data = report()
    del data["actuals"][1]
    errors = errors_of("annual_report", data, report_context())
    assert errors == {"actuals": {"_schema": ["缺少指标IND18的实际完成值。"]}}


def test_report_refuses_indicators_that_are_not_targets_and_repeats():
    data = report()
    data["actuals"] += [
        {"indicator": "IND05", "actual_value": 1},
        {"indicator": "IND01", "actual_value": 2},
    ]
    errors = errors_of("annual_report", data, report_context())
    assert errors == {
        "actuals": {
            2: {"indicator": ["该指标不是本年度的绩效目标。"]},
            3: {"indicator": ["同一指标只能填写一次。"]},
        }
    }


def test_report_year_must_be_the_task_year():
    errors = errors_of("annual_report", {**report(), "year": 2024}, report_context())
    assert errors["year"] == ["年份应为2025。"]


def test_report_of_a_year_with_targets_from_another_year_only():
    ctx = context(year=2024, targets=plan()["targets"])
    data = {**report(), "year": 2024, "actuals": [{"indicator": "IND01", "actual_value": 4}]}
    assert validate_form("annual_report", data, ctx)["year"] == 2024


def test_report_actual_values_non_negative_and_report_owned():
    data = report()
    data["actuals"][0]["actual_value"] = -0.5
    errors = errors_of("annual_report", data, report_context())
    assert errors == {"actuals": {0: {"actual_value": ["不能小于0。"]}}}
    data = {**report(), "work_report": ref("f-other")}
    errors = errors_of("annual_report", data, report_context())
    assert errors == {"work_report": {"file_id": ["文件不属于本单位。"]}}


def test_assessment_override_needs_a_reason():
    ctx = context(suggested_rating="良好")
    errors = errors_of("provincial_assessment", {"rating": "优秀"}, ctx)
    assert errors == {"override_reason": ["与建议等级（良好）不一致时必须填写调整理由。"]}
    errors = errors_of(
        "provincial_assessment", {"rating": "优秀", "override_reason": "成效突出"}, ctx
    )
    assert errors == {"override_reason": ["长度应为5至2000个字符。"]}
    data = {"rating": "优秀", "override_reason": "获国家级教学成果奖"}
    assert validate_form("provincial_assessment", data, ctx)["rating"] == "优秀"


def test_assessment_rating_enum():
    errors = errors_of("provincial_assessment", {"rating": "excellent"})
    assert errors == {"rating": ["取值无效，可选值：优秀, 良好, 合格, 不合格。"]}


# --- provincial_summary and summary_acknowledgement -----------------------------------------


def test_summary_text_length_and_file_owned_by_province():
    ctx = context(province_code="44")
    errors = errors_of(
        "provincial_summary", {"summary_text": "太短", "summary_file": ref("f-summary")}, ctx
    )
    assert errors == {"summary_text": ["长度应为20至20000个字符。"]}
    data = {"summary_text": "本省" * 10, "summary_file": ref("f-report")}
    errors = errors_of("provincial_summary", data, ctx)
    assert errors == {"summary_file": {"file_id": ["文件不属于本单位。"]}}
    errors = errors_of("provincial_summary", {**data, "summary_file": ref("f-summary")}, context())
    assert errors == {"summary_file": {"file_id": ["文件不属于本单位。"]}}


def test_acknowledgement_must_be_true():
    errors = errors_of("summary_acknowledgement", {"acknowledged": False})
    assert errors == {"acknowledged": ["必须确认后才能提交。"]}


# --- JSON Schema ----------------------------------------------------------------------------


@pytest.mark.parametrize("form_key", sorted(VALID))
def test_json_schema_is_valid_and_accepts_a_valid_sample(form_key):
    schema = form_json_schema(form_key)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["x-title-en"]
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert prop["title"] and prop["x-title-en"], name
    Draft202012Validator(schema).validate(VALID[form_key][0]())


def test_json_schema_carries_rules():
    schema = form_json_schema("plan_submission")
    props = schema["properties"]
    assert set(schema["required"]) == {
        "key_task", "project_name", "period_start_year", "period_end_year", "targets", "plan_file"
    }  # fmt: skip
    assert props["key_task"]["enum"][0] == "KT01"
    assert props["period_start_year"] == {
        "type": "integer", "minimum": 2023, "maximum": 2035,
        "title": "建设周期起始年份", "x-title-en": "First year of the period",
    }  # fmt: skip
    assert props["targets"]["minItems"] == 1
    target = props["targets"]["items"]
    assert target["properties"]["target_value"]["minimum"] == 0
    assert props["plan_file"]["properties"]["sha256"]["pattern"] == "^[0-9a-f]{64}$"
    reg = form_json_schema("unit_registration")["properties"]
    assert reg["contact_email"]["format"] == "email"
    assert reg["credit_code"]["maxLength"] == 18
    assert "66" in reg["province_code"]["enum"]
    ack = form_json_schema("summary_acknowledgement")["properties"]["acknowledged"]
    assert ack["const"] is True


def test_json_schema_expresses_conditional_opinion():
    validator = Draft202012Validator(form_json_schema("review_decision"))
    assert not validator.is_valid({"decision": "reject"})
    assert validator.is_valid({"decision": "reject", "opinion": "不符合要求"})
    assert validator.is_valid({"decision": "approve"})
    rec = Draft202012Validator(form_json_schema("recommendation"))
    assert not rec.is_valid({"recommended": True, "opinion": "同意推荐"})
    assert rec.is_valid({"recommended": False, "opinion": "暂不推荐"})


def test_json_schema_of_unknown_key():
    with pytest.raises(FormNotFound):
        form_json_schema("nope")
