"""One Camunda definition view under its three paths: by id, by key, by key and tenant-id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from engine.models import ProcessDefinition
from engine.service import rest_definitions

FORMS = ("id", "key", "tenant")
PATHS = {"id": "/{root}/<ident>", "key": "/{root}/key/<ident>",
         "tenant": "/{root}/key/<ident>/tenant-id/<tenant_id>"}


@dataclass(frozen=True)
class Ref:
    """How the path names a definition; `find` runs the engine's lookup."""

    ident: str
    by_key: bool
    tenant_id: str | None
    tenant: bool
    kind: str = "process"

    def find(self) -> ProcessDefinition:
        row: ProcessDefinition = run(rest_definitions.definition, self.ident, self.kind,
                                     by_key=self.by_key, tenant_id=self.tenant_id,
                                     tenant=self.tenant)
        return row

    def options(self) -> dict[str, Any]:
        """The same naming as keyword arguments of rest_definitions' commands."""
        return {"by_key": self.by_key, "tenant_id": self.tenant_id, "tenant": self.tenant}


def register(suffix: str, methods: Sequence[str], view: Callable[[Ref], Any], *,
             forms: Sequence[str] = FORMS, root: str = "process-definition",
             kind: str = "process", name: str | None = None) -> None:
    """Route view(Ref) under each path form, e.g. suffix "/diagram"."""
    for form in forms:
        def endpoint(form: str = form, **path: str) -> Any:
            return view(Ref(path["ident"], form != "id", path.get("tenant_id"),
                            form == "tenant", kind))
        routes.add_url_rule(PATHS[form].format(root=root) + suffix,
                            endpoint=f"{name or view.__name__}_{form}", view_func=endpoint,
                            methods=list(methods))


def time_to_live(ref: Ref) -> Any:
    """PUT …/history-time-to-live {historyTimeToLive: days or null}."""
    body = json_body()
    if "historyTimeToLive" not in body:
        raise RestError("historyTimeToLive is required (null removes it)")
    days = body["historyTimeToLive"]
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        raise RestError("historyTimeToLive must be an integer number of days or null")
    run(rest_definitions.set_time_to_live, ref.ident, ref.kind, days, **ref.options())
    return Response(status=204)


for _root, _kind in (("process-definition", "process"), ("decision-definition", "decision")):
    register("/history-time-to-live", ["PUT"], time_to_live, root=_root, kind=_kind,
             name=f"{_kind}_time_to_live")
