"""Tests of engine.catalogue: the shipped data, its agreement with forms, and bad data."""

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from engine.catalogue import DEFAULT_DIRECTORY, CatalogueError, load_catalogue
from forms.registration import UNIT_TYPE_LABELS
from forms.validators import INDICATOR_UNITS, KEY_TASK_CODES, PROVINCE_CODES, UNIT_TYPES

NOTICE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "notice-2023-20.txt"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_eleven_key_tasks_in_order(catalogue):
    assert [task.code for task in catalogue.key_tasks] == [f"KT{n:02d}" for n in range(1, 12)]
    assert catalogue.key_task("KT01").name_zh == "打造市域产教联合体"
    assert catalogue.key_task("KT11").name_zh == "建设具有较高国际化水平的职业学校"
    assert catalogue.target_year == 2025
    assert catalogue.notice == "教职成厅函〔2023〕20号"


def test_national_targets_from_the_notice(catalogue):
    def quantities(code):
        return [target.quantity for target in catalogue.key_task(code).targets]

    assert quantities("KT03")[0] == 300
    assert quantities("KT04") == [None, 1000]
    assert quantities("KT05") == [300, 1000]
    assert quantities("KT06") == [200, 1000]
    assert quantities("KT07") == [1000]
    assert quantities("KT08") == [2000]
    assert quantities("KT09") == [200]
    assert quantities("KT10") == [30, 100, 20]
    assert quantities("KT11") == [300]
    kt02 = catalogue.key_task("KT02").targets[0]
    assert kt02.quantity == 5
    assert kt02.note == "先进轨道交通装备、航空航天装备、船舶与海洋工程装备、新材料、兵器工业"
    assert catalogue.key_task("KT08").targets[0].unit == "种"


def test_annex_contacts_exactly_as_printed(catalogue):
    kt02 = catalogue.key_task("KT02").contact
    assert kt02.department == "教育部职业教育与成人教育司"
    assert kt02.names == ("王宁", "李恒")
    assert kt02.phone == "010-66097867"
    assert catalogue.key_task("KT01").contact.names == ("卢昊",)
    assert catalogue.key_task("KT11").contact.phone == "010-66097857"
    assert catalogue.platform_contact.names == ("刘艳苹",)
    assert catalogue.platform_contact.phone == "010-66091041/2"


@pytest.mark.skipif(not NOTICE.exists(), reason=f"seed notice not found at {NOTICE}")
def test_every_contact_appears_in_the_notice_text(catalogue):
    text = re.sub(r"\s+", " ", NOTICE.read_text(encoding="utf-8"))
    for task in catalogue.key_tasks:
        line = " ".join(task.contact.names) + " " + task.contact.phone
        assert line in text, task.code


def test_thirty_two_provinces_with_the_corps_as_66(catalogue):
    codes = [province.code for province in catalogue.provinces]
    assert len(codes) == 32
    assert codes[0] == "11" and catalogue.province("11").name_zh == "北京市"
    assert catalogue.province("65").name_zh == "新疆维吾尔自治区"
    assert catalogue.province("66").name_zh == "新疆生产建设兵团"
    with pytest.raises(KeyError):
        catalogue.province("71")


def test_indicators_reference_real_key_tasks(catalogue):
    assert 12 <= len(catalogue.indicators) <= 20
    for indicator in catalogue.indicators:
        assert indicator.unit
        assert set(indicator.key_tasks) <= set(KEY_TASK_CODES)
    assert catalogue.indicator("IND01").applies_to("KT07")
    assert catalogue.indicator("IND06").applies_to("KT04")
    assert not catalogue.indicator("IND06").applies_to("KT11")


def test_form_code_lists_match_the_catalogue(catalogue):
    assert tuple(task.code for task in catalogue.key_tasks) == KEY_TASK_CODES
    assert tuple(province.code for province in catalogue.provinces) == PROVINCE_CODES
    assert tuple(unit_type.code for unit_type in catalogue.unit_types) == UNIT_TYPES
    assert {t.code: t.name_zh for t in catalogue.unit_types} == UNIT_TYPE_LABELS
    assert {i.code: i.unit for i in catalogue.indicators} == INDICATOR_UNITS


def test_entries_are_frozen(catalogue):
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue.key_tasks[0].code = "KT99"


@pytest.fixture
def bad_dir(tmp_path):
    for path in DEFAULT_DIRECTORY.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(folder, filename, change):
    path = folder / filename
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_copy_of_the_shipped_data_loads(bad_dir):
    assert len(load_catalogue(bad_dir).provinces) == 32


def test_duplicate_code_names_file_and_entry(bad_dir):
    edit(bad_dir, "provinces.json", lambda d: d["provinces"][1].update(code="11"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(bad_dir)
    assert caught.value.file == bad_dir / "provinces.json"
    assert caught.value.entry == "provinces[1] 11"
    assert "duplicate code '11'" in str(caught.value)


def test_bad_phone_names_the_contact(bad_dir):
    edit(bad_dir, "key_tasks.json", lambda d: d["key_tasks"][3]["contact"].update(phone="66097837"))
    with pytest.raises(
        CatalogueError, match=r"key_tasks\.json: key_tasks\[3\] KT04\.contact: phone"
    ):
        load_catalogue(bad_dir)


def test_negative_quantity_names_the_target(bad_dir):
    edit(bad_dir, "key_tasks.json", lambda d: d["key_tasks"][6]["targets"][0].update(quantity=-1))
    with pytest.raises(CatalogueError, match=r"KT07\.targets\[0\]: quantity must be"):
        load_catalogue(bad_dir)


def test_indicator_with_unknown_key_task(bad_dir):
    edit(bad_dir, "indicators.json", lambda d: d["indicators"][5].update(key_tasks=["KT99"]))
    with pytest.raises(CatalogueError, match=r"indicators\[5\] IND06: key_tasks .*KT99"):
        load_catalogue(bad_dir)


def test_missing_and_unknown_keys(bad_dir):
    edit(bad_dir, "unit_types.json", lambda d: d["unit_types"][0].pop("name_en"))
    with pytest.raises(CatalogueError, match=r"unit_types\[0\] school: missing keys \['name_en'\]"):
        load_catalogue(bad_dir)
    edit(bad_dir, "unit_types.json", lambda d: d["unit_types"][0].update(name_en="S", extra=1))
    with pytest.raises(CatalogueError, match=r"unknown keys \['extra'\]"):
        load_catalogue(bad_dir)


def test_bad_code_pattern(bad_dir):
    edit(bad_dir, "provinces.json", lambda d: d["provinces"][0].update(code="110000"))
    with pytest.raises(CatalogueError, match=r"provinces\[0\] 110000: code must be"):
        load_catalogue(bad_dir)


def test_invalid_json_and_missing_file(bad_dir):
    (bad_dir / "indicators.json").write_text('{"indicators": [', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"indicators\.json: \(file\): invalid JSON at line 1"):
        load_catalogue(bad_dir)
    (bad_dir / "unit_types.json").unlink()
    with pytest.raises(CatalogueError, match=r"unit_types\.json: \(file\): file not found"):
        load_catalogue(bad_dir)


def test_catalogue_error_is_a_value_error(bad_dir):
    edit(bad_dir, "key_tasks.json", lambda d: d.update(target_year="2025"))
    with pytest.raises(ValueError, match="target_year must be an integer"):
        load_catalogue(bad_dir)
