"""`vocflow demo`: load the catalogue, people and instances at every stage on the embedded DB."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click

import processes
from api.cli_support import Context, pass_ctx, run
from engine import clock, files, handlers, jobs, service
from engine.catalogue import load_catalogue
from engine.service import SYSTEM_ACTOR, Actor
from forms.validators import credit_code_check_char

PDF = b"%PDF-1.4\n%VocFlow demo\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROVINCES = {"11": "北京市", "44": "广东省", "51": "四川省"}
MINISTRY_KTS = ("KT01", "KT02", "KT05")
REVIEW_OK = {"decision": "approve", "opinion": "方案可行，同意。"}
RECOMMEND = {"recommended": True, "ranking": 1, "opinion": "推荐至教育部。"}


@dataclass
class Demo:
    """Drives the product through the service layer, one unit of work per step."""

    ctx: Context
    passwords: dict[str, str] = field(default_factory=dict)
    step: int = 0

    def say(self, text: str) -> None:
        self.step += 1
        click.echo(f"[{self.step:02d}] {text}")

    @property
    def now(self) -> datetime:
        return clock.now()

    def user(self, username: str, *groups: str, email: str | None = None) -> Actor:
        password = secrets.token_urlsafe(9)
        with self.ctx.uow() as uow:
            service.add_user(uow, username, self.now, password=password, email=email)
            for group in groups:
                service.add_member(uow, username, group)
            actor = service.actor_for(uow, username)
        self.passwords[username] = password
        return actor

    def actor(self, username: str) -> Actor:
        with self.ctx.uow() as uow:
            return service.actor_for(uow, username)

    def start(self, key: str, actor: Actor, **variables: Any) -> str:
        with self.ctx.uow() as uow:
            return service.start_instance(uow, key, actor, self.now, variables=variables).id

    def complete(self, pid: str, element_id: str, actor: Actor, data: dict[str, Any]) -> None:
        with self.ctx.uow() as uow:
            [task] = [t for t in uow.tasks.for_instance(pid) if t.element_id == element_id]
            service.complete_task(uow, task.id, data, actor, self.now)

    def run_jobs(self) -> int:
        return len(jobs.run_until_idle(self.ctx.uow_factory, self.ctx.settings, "demo"))

    def upload(self, actor: Actor, owner: str, name: str, salt: str) -> dict[str, Any]:
        with self.ctx.uow() as uow:
            ref = files.upload_file(uow, self.ctx.settings, owner, name,
                                    PDF + salt.encode(), actor, self.now)
        return ref.as_dict()


def _credit_code(serial: int) -> str:
    first17 = f"9100000080{serial:07d}"
    return first17 + credit_code_check_char(first17)


def _registration(code: str, name: str, serial: int, email: str) -> dict[str, Any]:
    return {"unit_name": name, "credit_code": _credit_code(serial), "unit_type": "school",
            "province_code": code, "address": f"{PROVINCES[code]}职教路{serial}号",
            "contact_name": "王老师", "contact_phone": "13800138000", "contact_email": email}


def _staff(demo: Demo) -> None:
    for name, group in (("ops", "ops"), ("designer", "designer"), ("admin", "admin")):
        demo.user(name, group)
    for code in PROVINCES:
        demo.user(f"reviewer{code}", f"province:{code}:reviewer",
                  email=f"reviewer{code}@edu.example.cn")
    for kt in MINISTRY_KTS:
        demo.user(f"moe-{kt.lower()}", f"ministry:{kt}")
    demo.say(f"用户 / users: ops, designer, admin, reviewer{{11,44,51}}, "
             f"moe-{{{','.join(k.lower() for k in MINISTRY_KTS)}}}")


def _register_unit(demo: Demo, code: str, letter: str, serial: int, *,
                   approve: bool = True) -> str | None:
    username = f"unit{code}{letter}"
    name = f"{PROVINCES[code]}第{serial}职业技术学院"
    applicant = demo.user(username, email=f"{username}@school.example.cn")
    pid = demo.start("unit_registration", applicant)
    demo.complete(pid, "Task_FillRegistration", applicant,
                  _registration(code, name, serial, f"{username}@school.example.cn"))
    if not approve:
        demo.say(f"注册待省级核验 / registration awaiting verification: {name}")
        return None
    demo.complete(pid, "Task_VerifyRegistration", demo.actor(f"reviewer{code}"),
                  {"decision": "approve"})
    demo.run_jobs()
    unit_id = str(demo.actor(username).unit_ids[0])
    demo.say(f"单位已注册 / unit registered: {name} ({unit_id}, {username})")
    return unit_id


# Project names as units write them (a place or field, then the key task's own words);
# two per key task, one per demo unit of a province.
PROJECT_NAMES = {
    "KT01": ("亦庄新城智能制造市域产教联合体", "中关村软件园新一代信息技术市域产教联合体"),
    "KT02": ("新材料行业产教融合共同体", "船舶与海洋工程装备行业产教融合共同体"),
    "KT03": ("智能网联汽车开放型区域产教融合实践中心", "现代物流开放型区域产教融合实践中心"),
    "KT04": ("工业机器人技术专业教学资源库", "智慧健康养老服务与管理专业教学资源库"),
    "KT05": ("智慧校园职业教育信息化标杆学校建设", "数字化教学改革职业教育信息化标杆学校建设"),
    "KT06": ("化工安全生产示范性虚拟仿真实训基地", "轨道交通运营示范性虚拟仿真实训基地"),
    "KT07": ("电工电子技术一流核心课程", "跨境电商实务一流核心课程"),
    "KT08": ("数控加工技术优质教材", "护理学基础优质教材"),
    "KT09": ("新能源汽车电池包装配校企合作典型生产实践项目",
             "光伏组件生产校企合作典型生产实践项目"),
    "KT10": ("中文+职业技能国际标准与资源建设", "鲁班工坊实训装备国际化建设"),
    "KT11": ("高水平国际化职业学校建设", "中外合作办学国际化职业学校建设"),
}


def _project_name(kt: str, username: str) -> str:
    """The plan's project name for a demo unit (unit11a, unit11b, ...)."""
    names = PROJECT_NAMES.get(kt, (f"{kt} 建设项目", f"{kt} 建设项目（二期）"))
    return names[0 if username.endswith("a") else 1]


def _plan(demo: Demo, unit: Actor, unit_id: str, kt: str, start: int,
          end: int, name: str) -> dict[str, Any]:
    owner = f"unit:{unit_id}"
    return {
        "key_task": kt, "project_name": name,
        "period_start_year": start, "period_end_year": end,
        "targets": [{"year": y, "indicator": "IND01", "unit": "个", "target_value": 10}
                    for y in range(start, end + 1)],
        "plan_file": demo.upload(unit, owner, "建设方案.pdf", f"{unit_id}{kt}"),
        "evidence_files": [demo.upload(unit, owner, "佐证材料.pdf", f"{unit_id}{kt}e")],
    }


@dataclass(frozen=True)
class Project:
    username: str
    unit_id: str
    code: str
    kt: str
    name: str | None = None  # the plan's project name; by default from PROJECT_NAMES


def _project(demo: Demo, p: Project, stage: str, start: int = 2026,
             end: int = 2027) -> str:
    """Drive one project to a stage: review, returned, ministry, assessment."""
    unit = demo.actor(p.username)
    reviewer = demo.actor(f"reviewer{p.code}")
    pid = demo.start("key_task_project", unit, unit_id=p.unit_id, province_code=p.code,
                     max_revision_rounds=2)
    demo.complete(pid, "Task_SubmitPlan", unit,
                  _plan(demo, unit, p.unit_id, p.kt, start, end,
                        p.name or _project_name(p.kt, p.username)))
    if stage == "review":
        return pid
    if stage == "returned":
        demo.complete(pid, "Task_ReviewPlan", reviewer,
                      {"decision": "return", "opinion": "请细化年度绩效目标。"})
        return pid
    demo.complete(pid, "Task_ReviewPlan", reviewer, REVIEW_OK)
    demo.complete(pid, "Task_Recommend", reviewer, RECOMMEND)
    if stage == "ministry":
        return pid
    demo.complete(pid, "Task_MinistryConfirm", demo.actor(f"moe-{p.kt.lower()}"),
                  {"decision": "confirm"})
    demo.run_jobs()
    return pid


def _report(demo: Demo, pid: str, p: Project, year: int, actual: float) -> None:
    unit = demo.actor(p.username)
    demo.complete(pid, "Task_AnnualReport", unit, {
        "year": year, "actuals": [{"indicator": "IND01", "actual_value": actual}],
        "work_report": demo.upload(unit, f"unit:{p.unit_id}", f"{year}年度工作报告.pdf",
                                   f"{pid}{year}"),
    })


def _stages(demo: Demo, units: dict[str, list[str]]) -> None:
    a11, b11 = (Project(f"unit11{x}", u, "11", "KT01") for x, u in zip("ab", units["11"],
                                                                      strict=True))
    a44, b44 = (Project(f"unit44{x}", u, "44", "KT02") for x, u in zip("ab", units["44"],
                                                                      strict=True))
    a51, b51 = (Project(f"unit51{x}", u, "51", "KT05") for x, u in zip("ab", units["51"],
                                                                      strict=True))
    _project(demo, a44, "review")
    demo.say("建设方案省级评审中 / plan in provincial review (44, KT02)")
    _project(demo, a51, "returned")
    demo.say("建设方案退回修改 / plan returned for revision (51, KT05)")
    _project(demo, b44, "ministry")
    demo.say("已推荐，待教育部确认 / recommended, awaiting the Ministry (44, KT02)")
    _project(demo, a11, "assessment")
    demo.say("年度绩效评价进行中 / in the 2026 annual assessment, report open (11, KT01)")
    late = _project(demo, b11, "assessment", 2025, 2026)
    demo.run_jobs()
    _report(demo, late, b11, 2025, 9)
    demo.say("2025 年度报告逾期提交，待省级评价 / late 2025 report, awaiting rating (11, KT01)")
    waiting = _project(demo, b51, "assessment")
    _report(demo, waiting, b51, 2026, 10)
    demo.complete(waiting, "Task_ProvincialAssessment", demo.actor("reviewer51"),
                  {"rating": "优秀"})
    demo.run_jobs()
    demo.say("2026 年度已评价，等待 12 月 16 日年度总结周期 / rated, waiting on the 2026 cycle")
    _incident(demo, Project("unit11a", units["11"][0], "11", "KT01",
                            f"{PROJECT_NAMES['KT01'][0]}（二期）"))


def _incident(demo: Demo, p: Project) -> None:
    pid = _project(demo, p, "assessment")
    with demo.ctx.uow() as uow:
        service.set_variables(uow, pid, {"targets": "（数据损坏）"}, SYSTEM_ACTOR, demo.now,
                              reason="demo: broken targets to show an incident")
    _report(demo, pid, p, 2026, 10)
    with demo.ctx.uow() as uow:
        count = len(uow.incidents.open_for(pid))
    demo.say(f"故障实例（{count} 个未解决事件）/ instance with an incident: {pid}")


SIGN_IN_URL = "http://127.0.0.1:8000/signin"
ROLES = {"ops": "运维 / ops", "designer": "流程设计 / designer", "admin": "管理员 / admin"}


def process_dir() -> Path:
    """VOCFLOW_PROCESS_DIR when set, else the diagrams shipped inside the package."""
    configured = os.environ.get("VOCFLOW_PROCESS_DIR")
    return Path(configured) if configured else processes.DIRECTORY


def role_of(username: str) -> str:
    """What a demo user is for, in words (the groups decide what they may do)."""
    if username in ROLES:
        return ROLES[username]
    if username.startswith("reviewer"):
        code = username.removeprefix("reviewer")
        return f"{PROVINCES.get(code, code)}省级评审 / provincial reviewer ({code})"
    if username.startswith("moe-"):
        return f"教育部 {username[4:].upper()} / Ministry, key task {username[4:].upper()}"
    if username.startswith("unit"):
        code = username[4:6]
        return f"{PROVINCES.get(code, code)}建设单位 / construction unit ({code})"
    return ""


@click.command("demo")
@click.option("--force", is_flag=True, help="Also run on a non-SQLite database.")
@pass_ctx
def demo(ctx: Context, force: bool) -> None:
    """演示数据：加载目录、用户和各阶段实例 / Load demo users and instances at every stage."""
    run(lambda: _demo(ctx, force))


def _demo(ctx: Context, force: bool) -> None:
    if not ctx.settings.is_sqlite and not force:
        raise click.UsageError("demo runs on the embedded SQLite database; use --force")
    with ctx.uow() as uow:
        if uow.users.get("ops") is not None:
            # Already loaded: say so and succeed, so that `vocflow demo && vocflow serve`
            # (README's first line) works on every run, not only the first.
            click.echo("演示数据已存在 / demo data is already loaded (user 'ops' exists); "
                       "passwords were printed on the first run")
            return
    catalogue = load_catalogue()
    d = Demo(ctx)
    d.say(f"目录 / catalogue: {len(catalogue.key_tasks)} 项重点任务, "
          f"{len(catalogue.provinces)} 个省级单位, {len(catalogue.indicators)} 项指标")
    folder = process_dir()
    paths = sorted(folder.glob("*.bpmn")) + sorted(folder.glob("*.dmn"))
    if not paths:
        raise click.UsageError(f"no .bpmn files in {folder} (VOCFLOW_PROCESS_DIR)")
    with ctx.uow() as uow:
        result = service.deploy(uow, {p.name: p.read_bytes() for p in paths}, SYSTEM_ACTOR,
                                d.now, name="processes")
    d.say(f"部署 / deployed {len(result.definitions)} definitions from {len(paths)} files")
    handlers.register_all()
    _staff(d)
    units: dict[str, list[str]] = {}
    serial = 1
    for code in PROVINCES:
        for letter in "ab":
            units.setdefault(code, []).append(str(_register_unit(d, code, letter, serial)))
            serial += 1
    _register_unit(d, "51", "c", serial, approve=False)
    _stages(d, units)
    click.echo("\n用户、角色与一次性密码 / users, roles and passwords (shown once):")
    for username, password in sorted(d.passwords.items()):
        click.echo(f"  {username:<14} {password:<14} {role_of(username)}")
    click.echo(f"\n运行 `vocflow serve` 后打开 / after `vocflow serve`, open {SIGN_IN_URL}")


def register(cli_group: click.Group) -> None:
    cli_group.add_command(demo)
