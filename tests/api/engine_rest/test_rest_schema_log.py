"""/schema/log: the Alembic revisions applied to the test database, for admin and ops."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from engine.schema import alembic_config

R = "/engine-rest"


def _chain() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_every_applied_revision_is_an_entry_oldest_first(client, ops):
    entries = client.get(f"{R}/schema/log", headers=ops).json
    assert [e["id"] for e in entries] == _chain()  # the test database is at the head
    assert entries[0] == {"id": "0001", "version": "0001", "timestamp": None}
    newest = client.get(f"{R}/schema/log?sortBy=timestamp&sortOrder=desc&maxResults=2",
                        headers=ops).json
    assert [e["id"] for e in newest] == _chain()[::-1][:2]


def test_post_query_filters_by_version_and_pages_from_the_url(client, ops):
    one = client.post(f"{R}/schema/log", headers=ops, json={"version": "0002"})
    assert one.status_code == 200 and [e["id"] for e in one.json] == ["0002"]
    assert client.post(f"{R}/schema/log", headers=ops, json={"version": "7.20.0"}).json == []
    paged = client.post(f"{R}/schema/log?firstResult=1&maxResults=2", headers=ops, json={
        "sorting": [{"sortBy": "timestamp", "sortOrder": "asc"}]})
    assert [e["id"] for e in paged.json] == _chain()[1:3]


def test_the_schema_log_is_for_admin_and_ops(client, user):
    assert client.get(f"{R}/schema/log", headers=user("root", "admin")).status_code == 200
    staff = user("wang", "province:11:reviewer")
    for answer in (client.get(f"{R}/schema/log", headers=staff),
                   client.post(f"{R}/schema/log", headers=staff, json={})):
        assert answer.status_code == 403 and answer.json["type"] == "AuthorizationException"


@pytest.mark.parametrize(("method", "url", "body", "word"), [
    ("get", "/schema/log?colour=red", None, "colour"),
    ("get", "/schema/log?sortBy=version&sortOrder=asc", None, "sortBy"),
    ("get", "/schema/log?maxResults=many", None, "maxResults"),
    ("post", "/schema/log", {"id": "0001"}, "id"),
    ("post", "/schema/log?version=0001", {}, "version"),
    ("post", "/schema/log", {"version": ["0001"]}, "version")])
def test_bad_schema_log_queries_are_400(client, ops, method, url, body, word):
    answer = getattr(client, method)(f"{R}{url}", headers=ops, json=body)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json
