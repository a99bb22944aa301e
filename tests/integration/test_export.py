"""engine.service.export: the annual notification workbook, read back with openpyxl."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from engine import service
from engine.errors import Forbidden
from engine.service.export import annual_workbook
from tests.integration.annual_data import AFTER_DEADLINE, build_year
from tests.processes.scenario_helpers import START, World, settings_for, travel


@pytest.fixture
def year(uow_factory, tmp_path):
    with travel(START):
        world = World(uow_factory, settings_for(tmp_path))
        world.deploy()
        yield build_year(world)


def _book(year, actor):
    with year.world.uow_factory() as uow:
        data = annual_workbook(uow, 2026, actor, now=AFTER_DEADLINE)
    assert data[:2] == b"PK"  # a zip container, as every .xlsx
    return load_workbook(io.BytesIO(data))


def _rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_every_table_is_a_sheet_with_chinese_headers_frozen_and_sized(year):
    book = _book(year, service.SYSTEM_ACTOR)
    assert book.sheetnames == ["说明", "分省分任务统计", "分任务汇总", "项目清单", "省级总结报告"]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABC"), name
    figures = _rows(book["分省分任务统计"])
    header = figures[0]
    assert header[:4] == ["省份代码", "省份", "重点任务代码", "重点任务"]
    p11 = dict(zip(header, figures[1], strict=True))
    assert (p11["省份"], p11["项目总数"], p11["年度报告逾期提交"], p11["年度报告未提交"]) == (
        "北京市", 4, 1, 1)
    assert (p11["评价优秀"], p11["评价良好"], p11["省级总结报告已收到"]) == (1, 1, 1)
    total = dict(zip(header, figures[-1], strict=True))
    assert total["省份代码"] == "合计" and total["项目总数"] == 5


def test_the_project_list_contains_the_late_report(year):
    projects = _rows(_book(year, service.SYSTEM_ACTOR)["项目清单"])
    header = projects[0]
    assert header == ["省份", "重点任务", "建设单位", "项目名称", "项目状态", "年度报告",
                      "报告提交时间", "考核等级", "流程实例编号"]
    rows = {r[-1]: dict(zip(header, r, strict=True)) for r in projects[1:]}
    late = rows[year.p2]
    assert (late["建设单位"], late["年度报告"], late["考核等级"]) == (
        "第2职业技术学院", "逾期提交", "良好")
    assert late["报告提交时间"] == "2026-12-20 10:00"
    assert rows[year.p3]["年度报告"] == "未提交" and rows[year.p4]["年度报告"] == "不适用"
    assert len(rows) == 5
    [summary] = _rows(_book(year, service.SYSTEM_ACTOR)["省级总结报告"])[1:]
    assert summary[0] == "北京市" and summary[2:4] == ["已提交", "2026-12-20 10:00"]
    assert summary[-1] == year.summary and summary[1]


def test_a_province_exports_only_its_own_and_units_cannot(year):
    book = _book(year, year.people["U4"].reviewer)
    assert [r[-1] for r in _rows(book["项目清单"])[1:]] == [year.p4]
    with pytest.raises(Forbidden):
        _book(year, year.people["U1"].unit)
