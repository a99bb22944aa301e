"""The work bell: rung once new external work is committed, never for a rolled-back change;
on PostgreSQL through NOTIFY, heard by a LISTEN connection in another event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from engine import work_bell, work_listener
from engine.service import work_notice
from engine.work_bell import BELL, Interest, Note
from tests.factories import deploy_fixture, start

pytestmark = pytest.mark.committed_db


class Boom(Exception):
    pass


def test_a_start_that_creates_an_external_task_rings_after_its_commit(uow_factory):
    deploy_fixture(uow_factory, "rest_external.bpmn")
    before = BELL.generation()
    with pytest.raises(Boom), uow_factory() as uow:
        work_notice.announce(uow, [Note("rest-score")])
        raise Boom
    assert BELL.generation() == before  # rolled back: nobody is woken
    start(uow_factory, "rest_external", business_key="BK-1", province_code="11", base=2)
    assert BELL.generation() > before


def test_notes_and_interests_match_on_topic_key_and_business_key():
    wanted = Interest("t", frozenset({"flow"}), "BK")
    assert wanted.wants(Note("t", "flow", "BK")) and wanted.wants(Note("t"))
    assert not wanted.wants(Note("t", "other", "BK"))
    assert not wanted.wants(Note("t", "flow", "BK-2")) and not wanted.wants(Note("u"))
    assert work_bell.decode(work_bell.encode([Note("t", "flow", "BK")])) == (
        Note("t", "flow", "BK"),)
    assert work_bell.encode([Note("t" * 8000)]) == ""  # too long for NOTIFY: ring all
    assert work_bell.decode("not json") == ()


async def _wait_for_ring(bell: work_bell.WorkBell, interests: list[Interest],
                         commit: threading.Thread, timeout: float) -> bool:
    waiter = bell.register(interests)
    try:
        commit.start()
        await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        return True
    except TimeoutError:
        return False
    finally:
        bell.unregister(waiter)
        await asyncio.to_thread(commit.join)


def test_postgresql_notify_from_another_connection_wakes_only_matching_waiters(
        uow_factory, db_engine):
    dsn = work_listener.libpq_dsn(db_engine.url.render_as_string(hide_password=False))
    if dsn is None:
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's (SQLite: the -wal watch and re-check)")
    deploy_fixture(uow_factory, "rest_external.bpmn")
    bell = work_bell.WorkBell()  # its own bell: the commits below ring only through NOTIFY

    def starting(business_key: str) -> threading.Thread:
        return threading.Thread(target=start, args=(uow_factory, "rest_external"),
                                kwargs={"business_key": business_key,
                                        "province_code": "11", "base": 1})

    def rolled_back() -> threading.Thread:
        def run() -> None:
            with pytest.raises(Boom), uow_factory() as uow:
                work_notice.announce(uow, [Note("rest-score", "rest_external", "BK-mine")])
                raise Boom
        return threading.Thread(target=run)

    async def scenario() -> tuple[bool, bool, bool]:
        bell.attach(asyncio.get_running_loop())
        listener = asyncio.create_task(work_listener.listen(dsn, bell))
        try:
            while not bell.listening:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # its "ring everybody" on connecting has gone out
            mine = [Interest("rest-score", frozenset({"rest_external"}), "BK-mine")]
            other = await _wait_for_ring(bell, mine, starting("BK-other"), 1.0)
            undone = await _wait_for_ring(bell, mine, rolled_back(), 1.0)
            woken = await _wait_for_ring(bell, mine, starting("BK-mine"), 10.0)
            return other, undone, woken
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            bell.detach()

    other, undone, woken = asyncio.run(scenario())
    assert (other, undone, woken) == (False, False, True)
