"""api/web/forms_view: HTML fields <-> a form's JSON data (rows, numbers, files kept), and the
committed browser assets and catalogues are the ones package.json and the .po name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

import forms
from api.web import forms_view

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "api" / "web"


def _app() -> Flask:
    app = Flask(__name__)
    Babel(app, default_locale="zh_Hans_CN")
    return app


def test_plan_post_becomes_the_forms_json_with_rows_and_numbers():
    schema = forms.form_json_schema("plan_submission")
    ref = {"file_id": "f1", "name": "方案.pdf", "size": 3, "sha256": "a" * 64}
    posted = MultiDict({
        "key_task": "KT01", "project_name": " 项目 ", "period_start_year": "2026",
        "period_end_year": "2027", "partner_units-present": "1", "targets-present": "1",
        "targets-0-year": "2026", "targets-0-indicator": "IND01",
        "targets-0-target_value": "10.5", "targets-0-unit": "个",
        "targets-3-year": "2027", "targets-3-indicator": "IND01",
        "targets-3-target_value": "", "targets-3-unit": "个",
        "plan_file__ref": json.dumps(ref)})
    data = forms_view.parse(schema, posted, posted.getlist)
    assert data["period_start_year"] == 2026 and data["partner_units"] == []
    assert data["targets"] == [
        {"year": 2026, "indicator": "IND01", "target_value": 10.5, "unit": "个"},
        {"year": 2027, "indicator": "IND01", "unit": "个"}]  # an empty cell is left out
    assert data["plan_file"] == ref  # the upload of an earlier post is kept


def test_errors_land_on_their_field_and_row_in_chinese_or_english():
    schema = forms.form_json_schema("plan_submission")
    errors = {"targets": {0: {"year": ["年份应在建设周期2026至2027年内。"]},
                          "_schema": ["2027年至少需要一项绩效目标。"]},
              "period_end_year": ["结束年份不能早于开始年份。"]}
    values = {"targets": [{"year": 2030}], "key_task": "KT01"}
    with _app().test_request_context():
        fields = {f.name: f for f in forms_view.build(schema, values, errors)}
        assert fields["period_end_year"].errors == ["结束年份不能早于开始年份。"]
        assert fields["targets"].errors == ["2027年至少需要一项绩效目标。"]
        [row] = fields["targets"].rows
        assert row[0].name == "targets-0-year" and row[0].value == 2030
        assert row[0].errors == ["年份应在建设周期2026至2027年内。"]
        assert ("KT01", "KT01 打造市域产教联合体") in fields["key_task"].options
        assert forms_view.translate({"a": ["结束年份不能早于开始年份。"]}) == {
            "a": ["结束年份不能早于开始年份。"]}


def test_enum_labels_not_codes():
    schema = forms.form_json_schema("review_decision")
    with _app().test_request_context():
        [decision, *_] = forms_view.build(schema, {}, {})
    assert decision.options == [("approve", "通过"), ("return", "退回修改"),
                                ("reject", "不通过")]


def test_every_page_text_has_english_and_the_mo_is_compiled_from_the_po():
    po_path = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        po = read_po(handle)
    with po_path.with_suffix(".mo").open("rb") as handle:
        mo = read_mo(handle)
    with (WEB / "translations" / "messages.pot").open("rb") as handle:
        pot = read_po(handle)
    missing = [m.id for m in pot if m.id and not (po.get(m.id) and po.get(m.id).string)]
    assert not missing, f"no English for {missing[:5]}: run scripts/i18n.py and translate"
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}


def test_vendored_assets_match_package_json_and_no_page_names_another_site():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    versions = (WEB / "static" / "vendor" / "VERSIONS.txt").read_text(encoding="utf-8")
    for name, spec in package["dependencies"].items():
        assert re.fullmatch(r"\^\d+\.\d+\.\d+", spec), f"{name} is not pinned by major"
        locked = lock["packages"][f"node_modules/{name}"]["version"]
        assert locked.split(".")[0] == spec[1:].split(".")[0]
        assert f"{name} {locked} " in versions, f"vendor/ is not {name} {locked}: npm run vendor"
    for line in versions.splitlines():
        assert (WEB / "static" / "vendor" / line.split()[2]).is_file(), line
    own = [*WEB.glob("templates/**/*.html"), WEB / "static" / "app.js", WEB / "static" / "app.css"]
    for path in own:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "<script>" not in text, f"{path}: inline scripts break the CSP"
