"""Lazily built url_for() functions build what eager ones build; /rest is /engine-rest."""

from __future__ import annotations

from flask import Flask, url_for

from api.engine_rest import RestAlias
from api.routing import LazyBuildRule


def _app() -> Flask:
    app = Flask(__name__)
    app.url_rule_class = LazyBuildRule
    app.add_url_rule("/task/<task_id>/form", "form", lambda task_id: task_id)
    return app


def test_lazy_rules_build_paths_with_and_without_extra_arguments():
    app = _app()
    with app.test_request_context():
        assert url_for("form", task_id="t 1") == "/task/t%201/form"
        assert url_for("form", task_id="t2", lang="en") == "/task/t2/form?lang=en"
        assert url_for("form", task_id="t3") == "/task/t3/form"  # the built function, reused
    assert app.test_client().get("/task/abc/form").text == "abc"


def test_rest_alias_rewrites_only_its_own_prefix():
    seen: list[str] = []

    def inner(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return [b""]

    alias = RestAlias(inner)
    for path in ("/rest/version", "/rest", "/restaurant", "/engine-rest/task"):
        alias({"PATH_INFO": path}, lambda *a: None)
    assert seen == ["/engine-rest/version", "/engine-rest", "/restaurant", "/engine-rest/task"]
