"""The built-in http-connector runs camunda:connector tasks against allowed hosts only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine import authz, external, jobs, service
from engine.config import Settings
from engine.errors import ProcessDefinitionError
from engine.handlers import http_connector
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, show, start


class Registry(BaseHTTPRequestHandler):
    """A stand-in for a unit registry: answers 201 and the code it was sent."""

    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Registry.seen.append({"path": self.path, "headers": dict(self.headers),
                              "body": json.loads(body)})
        answer = json.dumps({"registered": True, "path": self.path}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[str]:
    Registry.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def connector() -> Iterator[None]:
    external.register_handler("http-connector", http_connector)
    yield
    external.unregister_handler("http-connector")


def deploy(uow_factory, name: str = "compat_http_connector.bpmn") -> service.DeploymentResult:
    with uow_factory() as uow:
        return service.deploy(uow, {name: (FIXTURES / name).read_bytes()}, SYSTEM_ACTOR, NOW)


def run(uow_factory, settings: Settings, seconds: float = 0) -> None:
    jobs.run_until_idle(uow_factory, settings, "w1", now=lambda: NOW + timedelta(seconds=seconds))


def test_http_connector_calls_the_url_and_maps_the_answer(uow_factory, registry, connector):
    result = deploy(uow_factory)
    assert result.external_topics == ["http-connector"]
    instance = start(uow_factory, "compat_http_connector", registryUrl=registry,
                     creditCode="91110000MA01ABCD1X")
    run(uow_factory, Settings(http_connector_hosts=("127.0.0.1",)))
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["lookupStatus"] == 201
    assert json.loads(detail.variables["lookupBody"]) == {
        "registered": True, "path": "/units/91110000MA01ABCD1X"}
    [request] = Registry.seen
    assert request["body"] == {"code": "91110000MA01ABCD1X"}
    assert request["headers"]["X-Unit"] == "91110000MA01ABCD1X"
    assert request["headers"]["Content-Type"] == "application/json"
    assert "payload" not in detail.variables and "url" not in detail.variables


def test_a_host_not_on_the_allow_list_is_never_called_and_ends_in_an_incident(
        uow_factory, registry, connector):
    deploy(uow_factory)
    instance = start(uow_factory, "compat_http_connector", registryUrl=registry,
                     creditCode="X")
    settings = Settings(http_connector_hosts=("registry.example.cn",))
    for seconds in (0, 21, 62, 200):
        run(uow_factory, settings, seconds)
    assert Registry.seen == []
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
    assert "not in VOCFLOW_HTTP_CONNECTOR_HOSTS" in incident.message


@pytest.mark.parametrize(("url", "allowed", "ok"), [
    ("http://127.0.0.1:8080/x", ("127.0.0.1",), True),
    ("http://127.0.0.1:8080/x", ("127.0.0.1:8080",), True),
    ("http://127.0.0.1:8080/x", ("127.0.0.1:9090",), False),
    ("https://api.moe.gov.cn/x", ("*.gov.cn",), True),
    ("https://evilgov.cn/x", ("*.gov.cn",), False),
    ("file:///etc/passwd", ("*",), False),
    ("http://10.0.0.1/", (), False),
])
def test_allow_list_entries(url, allowed, ok):
    import httpx
    assert http_connector.__module__  # the handler module is importable on its own
    from engine.handlers.http_connector import host_allowed
    assert host_allowed(httpx.URL(url), allowed) is ok


def test_a_generic_worker_may_not_take_http_connector_tasks():
    worker = service.Actor("w", frozenset({"worker"}))
    assert not authz.works_topic(worker, "http-connector")
    assert authz.works_topic(service.Actor("w", frozenset({"worker:http-connector"})),
                             "http-connector")


def test_http_connector_without_url_is_refused_naming_the_element(uow_factory):
    xml = (FIXTURES / "compat_http_connector.bpmn").read_text()
    start_tag = '<camunda:inputParameter name="url">'
    cut = xml[xml.index(start_tag):xml.index("</camunda:inputParameter>", xml.index(start_tag))
              + len("</camunda:inputParameter>")]
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"no_url.bpmn": xml.replace(cut, "").encode()}, SYSTEM_ACTOR, NOW)
    assert "'Task_Lookup'" in refused.value.message
    assert "needs an input parameter 'url'" in refused.value.message
