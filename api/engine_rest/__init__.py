"""Camunda 7 REST subset under /engine-rest (and /rest), plus the Modeler's well-known URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, request
from flask.blueprints import BlueprintSetupState

from api.engine_rest import (  # noqa: F401 - importing a resource module registers its routes
    authorization,
    batch,
    decision_definition,
    decision_requirements,
    deployment,
    errors,
    event_subscription,
    execution,
    external_task,
    external_task_work,
    filters,
    history,
    history_activity,
    history_cleanup,
    history_decision,
    history_log,
    history_report,
    history_task,
    history_variable,
    identity,
    identity_link_log,
    incident,
    incident_admin,
    instance_comments,
    job,
    job_admin,
    job_definition,
    message,
    migration,
    process_definition,
    process_definition_admin,
    process_definition_forms,
    process_instance,
    process_instance_batch,
    process_instance_historic,
    process_instance_runtime,
    removal_time,
    schema_log,
    system,
    task,
    task_comments,
    task_forms,
    task_people,
    task_variables,
    user_operation,
    variable_data,
    variable_instance,
)
from api.engine_rest.common import routes

errors.register(routes)
routes.after_request(errors.add_cors)


blueprint = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")
blueprint.register_blueprint(routes)
well_known = Blueprint("camunda_well_known", __name__)
ALIAS = "/rest"  # Camunda Run's path for the same API


class RestAlias:
    """Serves /rest/... as /engine-rest/... by rewriting the path (one set of routes: a
    second blueprint would double the URL map, which every app creation compiles)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == ALIAS or path.startswith(ALIAS + "/"):
            environ["PATH_INFO"] = "/engine-rest" + path[len(ALIAS):]
        return self.wsgi_app(environ, start_response)


@well_known.get("/.well-known/camunda-automation-platform/webapps")
def webapps() -> Any:
    """Where the Modeler's "Open in Cockpit" links land: our own ops pages."""
    root = request.host_url.rstrip("/")
    response = jsonify({"adminUrl": f"{root}/admin/", "cockpitUrl": f"{root}/ops/",
                        "tasklistUrl": f"{root}/tasks/"})
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin") or "*"
    return response


def _register_companions(state: BlueprintSetupState) -> None:
    """Registering `blueprint` also serves the /rest alias and the well-known document."""
    app: Flask = state.app
    if well_known.name not in app.blueprints:
        app.register_blueprint(well_known)
        app.wsgi_app = RestAlias(app.wsgi_app)  # type: ignore[method-assign]


blueprint.record_once(_register_companions)

__all__ = ["RestAlias", "blueprint", "well_known"]
