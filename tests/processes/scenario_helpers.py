"""Shared steps of the scenario tests: deploy the product, make people, act, run the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine

from engine import bpmn, clock, files, handlers, jobs, service
from engine.config import Settings
from engine.models import HumanTask
from engine.service import SYSTEM_ACTOR, Actor
from engine.service.runtime import load_workflow
from engine.uow import UowFactory
from forms.validators import credit_code_check_char
from tests.factories import PROCESSES, deploy_files

PDF = b"%PDF-1.7\n% vocflow scenario\n1 0 obj <<>> endobj\n%%EOF\n"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Beijing time, 2 March 2026


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def credit_code(serial: int) -> str:
    first17 = f"9111000080{serial:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass
class World:
    """A deployed product and its people; all steps go through the service layer."""

    uow_factory: UowFactory
    settings: Settings

    def deploy(self) -> None:
        paths = sorted(PROCESSES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.dmn"))
        deploy_files(self.uow_factory, *paths, now=clock.now(), name="processes")
        handlers.register_all()

    def user(self, username: str, *groups: str, email: str | None = None) -> Actor:
        with self.uow_factory() as uow:
            if uow.users.get(username) is None:
                service.add_user(uow, username, clock.now(), email=email)
            for group in groups:
                service.add_member(uow, username, group)
            return service.actor_for(uow, username)

    def actor(self, username: str) -> Actor:
        with self.uow_factory() as uow:
            return service.actor_for(uow, username)

    def start(self, key: str, actor: Actor = SYSTEM_ACTOR, business_key: str | None = None,
              **variables: Any) -> str:
        with self.uow_factory() as uow:
            instance = service.start_instance(uow, key, actor, clock.now(),
                                              variables=variables, business_key=business_key)
            return instance.id

    def tasks(self, instance_id: str) -> list[HumanTask]:
        with self.uow_factory() as uow:
            return list(uow.tasks.for_instance(instance_id))

    def task(self, instance_id: str, element_id: str) -> HumanTask:
        found = [t for t in self.tasks(instance_id) if t.element_id == element_id]
        assert found, f"{element_id} is not open; open: {self.open_elements(instance_id)}"
        return found[0]

    def open_elements(self, instance_id: str) -> list[str]:
        return sorted(t.element_id for t in self.tasks(instance_id))

    def complete(self, instance_id: str, element_id: str, actor: Actor,
                 data: dict[str, Any]) -> None:
        task = self.task(instance_id, element_id)
        with self.uow_factory() as uow:
            failure = service.complete_task(uow, task.id, data, actor, clock.now())
        assert failure is None, failure

    def upload(self, actor: Actor, owner: str, name: str = "方案.pdf",
               content: bytes = PDF) -> dict[str, Any]:
        with self.uow_factory() as uow:
            ref = files.upload_file(uow, self.settings, owner, name, content, actor,
                                    clock.now())
        return ref.as_dict()

    def run_jobs(self, owner: str = "worker-1") -> list[jobs.JobOutcome]:
        """The real worker path: claim due jobs, fire timers, run the product handlers."""
        outcomes = jobs.run_until_idle(self.uow_factory, self.settings, owner)
        errors = [o for o in outcomes if o.result == "error" or "failed" in o.result]
        assert not errors, errors
        return outcomes

    def variables(self, instance_id: str) -> dict[str, Any]:
        with self.uow_factory() as uow:
            return service.show_instance(uow, instance_id, SYSTEM_ACTOR).variables

    def task_data(self, instance_id: str, element_id: str) -> dict[str, Any]:
        """The data an open user task sees (what its form is validated against)."""
        task = self.task(instance_id, element_id)
        with self.uow_factory() as uow:
            workflow = load_workflow(uow, service.get_instance(uow, instance_id, SYSTEM_ACTOR))
            return dict(bpmn.find_task(workflow, task.id).data)

    def status(self, instance_id: str) -> str:
        with self.uow_factory() as uow:
            return service.get_instance(uow, instance_id, SYSTEM_ACTOR).status

    def outbox(self, template: str | None = None, instance_id: str | None = None) -> list[Any]:
        with self.uow_factory() as uow:
            ids = [instance_id] if instance_id else None
            return list(uow.product.outbox(template=template, instance_ids=ids))


def plan_data(world: World, unit: Actor, unit_id: str, *, key_task: str = "KT01",
              start: int = 2026, end: int = 2026, target: float = 10) -> dict[str, Any]:
    years = range(start, end + 1)
    return {
        "key_task": key_task, "project_name": f"{unit_id} 市域产教联合体建设项目",
        "period_start_year": start, "period_end_year": end,
        "targets": [{"year": y, "indicator": "IND01", "unit": "个", "target_value": target}
                    for y in years],
        "plan_file": world.upload(unit, f"unit:{unit_id}", "建设方案.pdf"),
        "evidence_files": [world.upload(unit, f"unit:{unit_id}", "佐证材料.pdf",
                                        PDF + unit_id.encode())],
    }


REVIEW = {"approve": {"decision": "approve", "opinion": "方案可行，同意。"},
          "return": {"decision": "return", "opinion": "绩效目标偏低，请修改。"},
          "reject": {"decision": "reject", "opinion": "不符合申报条件。"}}
RECOMMEND = {"recommended": True, "ranking": 1, "opinion": "推荐至教育部。"}


@dataclass
class People:
    unit: Actor
    reviewer: Actor
    ministry: Actor
    unit_id: str
    province: str


def people(world: World, unit_id: str = "U1", province: str = "11",
           key_task: str = "KT01") -> People:
    return People(
        unit=world.user(f"unit-user-{unit_id}", f"unit:{unit_id}",
                        email=f"{unit_id.lower()}@school.example.cn"),
        reviewer=world.user(f"reviewer-{province}", f"province:{province}:reviewer",
                            email=f"p{province}@edu.example.cn"),
        ministry=world.user(f"moe-{key_task}", f"ministry:{key_task}"),
        unit_id=unit_id, province=province,
    )


def start_project(world: World, p: People, rounds: int = 2) -> str:
    return world.start("key_task_project", p.unit, unit_id=p.unit_id,
                       province_code=p.province, max_revision_rounds=rounds)


def to_annual_assessment(world: World, p: People, **plan: Any) -> str:
    """Plan submitted, approved, recommended and confirmed; returns the instance id."""
    pid = start_project(world, p)
    world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, p.unit_id, **plan))
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    world.complete(pid, "Task_Recommend", p.reviewer, RECOMMEND)
    world.complete(pid, "Task_MinistryConfirm", p.ministry, {"decision": "confirm"})
    world.run_jobs()
    return pid


def travel(when: datetime) -> Any:
    """Move the clock (ours and SpiffWorkflow's datetime.now) to an instant; ticking."""
    return time_machine.travel(when, tick=True)


def annual_report(world: World, pid: str, p: People, year: int,
                  actual: float) -> None:
    world.complete(pid, "Task_AnnualReport", p.unit, {
        "year": year, "actuals": [{"indicator": "IND01", "actual_value": actual}],
        "work_report": world.upload(p.unit, f"unit:{p.unit_id}", f"{year}年度工作报告.pdf",
                                    PDF + str(year).encode()),
    })


def settings_for(tmp_path: Path) -> Settings:
    return Settings(file_dir=tmp_path / "files")
