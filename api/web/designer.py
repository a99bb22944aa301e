"""Screen: 流程设计: deployments and versions per key, upload, the Modeler URL, version diff."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from api.web.common import run, script_json, signed_in
from engine import errors, service
from engine.service import definitions, deployments, diagram_diff

bp = Blueprint("designer", __name__, url_prefix="/designer")
SUFFIXES = (".bpmn", ".dmn", ".bpmn20.xml")
MAX_UPLOAD = 5 * 1024 * 1024


@bp.get("")
@signed_in
def index() -> str:
    """Every key with its versions, the deployments, the upload form and the Modeler URL."""
    rows = run(definitions.list_definitions, latest_only=False)
    keys = [(key, list(items)) for key, items in groupby(rows, key=lambda d: d.key)]
    return render_template("designer/index.html", title=_("流程设计"), keys=keys,
                           deployments=run(deployments.list_deployments, 20),
                           engine_rest=request.host_url.rstrip("/") + "/engine-rest")


@bp.post("/deploy")
@signed_in
def deploy() -> Response:
    """Deploy the uploaded .bpmn / .dmn files (the command checks them and who may)."""
    files = {}
    for part in request.files.getlist("files"):
        name = part.filename or ""
        if not name.lower().endswith(SUFFIXES):
            raise errors.ValidationFailed(_("只能上传 .bpmn 或 .dmn 文件：%(n)s", n=name))
        files[name] = part.read(MAX_UPLOAD + 1)
    if not files:
        raise errors.ValidationFailed(_("请选择要部署的文件。"))
    result = run(service.deploy, files, name=request.form.get("name") or None)
    flash(_("已部署 %(n)s 个定义。", n=len(result.definitions)))
    return redirect(url_for("web.designer.index"))


@bp.get("/diff")
@signed_in
def diff() -> str:
    """Two versions drawn side by side, added / removed / changed in colour; blocked instances."""
    old, new = request.args.get("old", ""), request.args.get("new", "")
    result = run(diagram_diff.diff_definitions, old, new)
    old_marks = ([{"id": e.id, "css": "diff-removed", "kind": "incident",
                   "label": _("删除")} for e in result.removed]
                 + [{"id": c.element_id, "css": "diff-changed", "kind": "timer",
                     "label": _("修改")} for c in result.changed])
    new_marks = ([{"id": e.id, "css": "diff-added", "kind": "done",
                   "label": _("新增")} for e in result.added]
                 + [{"id": c.element_id, "css": "diff-changed", "kind": "timer",
                     "label": _("修改")} for c in result.changed])
    return render_template(
        "designer/diff.html", title=_("版本对比"), diff=result,
        old_diagram=script_json({"xml": result.old_xml, "marks": old_marks}),
        new_diagram=script_json({"xml": result.new_xml, "marks": new_marks}))
