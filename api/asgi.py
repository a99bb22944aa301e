"""The ASGI door of `vocflow serve`: long polls wait in the event loop, the rest is Flask.

Every request but a long-polling fetchAndLock goes unchanged to the Flask app through a
WSGI bridge (a2wsgi: one pool of `threads` threads). A fetchAndLock is read here, then
run as a normal Flask request in that pool (one unit of work, the caller's permissions);
when it locked nothing and asked for asyncResponseTimeout, the view says so in the
request's scope (SCOPE_KEY) instead of waiting, and the request then waits here: a
future in the work bell (engine.work_bell), no thread and no database connection, until
a matching ring, the deadline, the client's disconnect or the server's shutdown. On a
ring the same request runs again; at the deadline the last answer ([]) goes out.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from types import FrameType
from typing import Any

from a2wsgi import WSGIMiddleware
from flask import Flask

from api import create_app
from engine import Settings, UowFactory, work_bell, work_listener

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SCOPE_KEY = "vocflow.long_poll"  # the view's answer: {"timeout": s, "interests": [...]}
POLL_SUFFIX = "/external-task/fetchAndLock"
POLL_PREFIXES = ("/engine-rest", "/rest")
MAX_POLL_BODY = 1024 * 1024


class VocflowAsgi:
    """The Flask app as an ASGI app, with long polls held in the loop (see the module doc)."""

    def __init__(self, flask_app: Flask, *, threads: int = 4) -> None:
        self.flask = flask_app
        self.bridge = WSGIMiddleware(flask_app, workers=max(threads, 1))
        self.bell = work_bell.BELL
        self.stopping = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._background: list[asyncio.Task[None]] = []
        settings: Settings = flask_app.extensions["vocflow"]["settings"]
        self.database_url = settings.database_url
        self.uow_factory: UowFactory = flask_app.extensions["uow_factory"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif (scope["type"] == "http" and scope["method"] == "POST"
              and scope["path"].endswith(POLL_SUFFIX)
              and scope["path"][: -len(POLL_SUFFIX)] in POLL_PREFIXES):
            await _LongPoll(self, scope, receive, send).run()
        else:
            await self.bridge(scope, receive, send)

    async def start(self) -> None:
        """Attach the bell to this loop; start LISTEN (PostgreSQL) and the re-check."""
        self.loop = asyncio.get_running_loop()
        _STARTED.append(self)
        _drain_on_stop_signals()
        self.bell.attach(self.loop)
        self._background.append(asyncio.create_task(work_listener.recheck(
            self.uow_factory, self.bell, self.database_url, self.bridge.executor)))
        dsn = work_listener.libpq_dsn(self.database_url)
        if dsn is not None:
            self._background.append(asyncio.create_task(work_listener.listen(dsn, self.bell)))

    async def stop(self) -> None:
        self.drain()
        if self in _STARTED:
            _STARTED.remove(self)
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        self.bell.detach()

    def drain(self) -> None:
        """The server stops: every waiting long poll answers now (with [])."""
        self.stopping = True
        self.bell.ring()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


class _LongPoll:
    """One fetchAndLock request: attempts in the bridge's pool, waits in the loop."""

    def __init__(self, app: VocflowAsgi, scope: Scope, receive: Receive, send: Send) -> None:
        self.app, self.scope, self.receive, self.send = app, scope, receive, send
        self.body = b""
        self.gone = asyncio.Event()

    async def run(self) -> None:
        more = True
        while more:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                return
            self.body += message.get("body", b"")
            more = bool(message.get("more_body"))
            if len(self.body) > MAX_POLL_BODY:  # Flask answers 413 or 400; never waits
                await self.app.bridge(self.scope, self._rest_of_body(more), self.send)
                return
        watcher = asyncio.create_task(self._watch())
        try:
            await self._poll(watcher)
        finally:
            watcher.cancel()

    async def _poll(self, watcher: asyncio.Task[None]) -> None:
        loop = asyncio.get_running_loop()
        started, bell = loop.time(), self.app.bell
        interests: list[work_bell.Interest] | None = None  # unknown until the first try
        while True:
            waiter = bell.register(interests)  # before the try: a ring during it counts
            try:
                poll: dict[str, Any] = {}
                answer = await self._attempt(poll)
                left = started + float(poll.get("timeout", 0)) - loop.time()
                if not poll or left <= 0 or self.app.stopping or self.gone.is_set():
                    break
                interests = list(poll["interests"])
                if not waiter.future.done():  # nothing rang meanwhile: wait for a match
                    bell.unregister(waiter)
                    waiter = bell.register(interests)
                    await asyncio.wait({waiter.future, watcher}, timeout=left,
                                       return_when=asyncio.FIRST_COMPLETED)
                if self.gone.is_set():
                    return  # the client left: nothing to answer, nothing kept
                if not waiter.future.done() or self.app.stopping:
                    break  # the deadline (or the server stops): answer the last []
            finally:
                bell.unregister(waiter)
        if not self.gone.is_set():
            for message in answer:
                await self.send(message)

    async def _attempt(self, poll: dict[str, Any]) -> list[Message]:
        """Run the request once in Flask; its answer, held back until we know we send it."""
        answer: list[Message] = []
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": self.body, "more_body": False}
            await self.gone.wait()
            return {"type": "http.disconnect"}

        async def keep(message: Message) -> None:
            answer.append(message)

        await self.app.bridge(dict(self.scope, **{SCOPE_KEY: poll}), replay, keep)
        return answer

    async def _watch(self) -> None:
        """Wait for the client to hang up (the only message after the body)."""
        while (await self.receive())["type"] != "http.disconnect":
            pass
        self.gone.set()

    def _rest_of_body(self, more: bool) -> Receive:
        first = True

        async def receive() -> Message:
            nonlocal first
            if first:
                first = False
                return {"type": "http.request", "body": self.body, "more_body": more}
            return await self.receive()
        return receive


_STARTED: list[VocflowAsgi] = []  # the apps whose loop runs in this process


def drain_started() -> None:
    """From a signal handler or any thread: the started apps answer their long polls now."""
    for app in list(_STARTED):
        if app.loop is not None and not app.loop.is_closed():
            app.loop.call_soon_threadsafe(app.drain)


def _drain_on_stop_signals() -> None:
    """SIGTERM/SIGINT also answer the waiting long polls at once (the server's own handlers,
    installed before its startup, still run). uvicorn waits for running requests before
    its lifespan shutdown, so that could not do it."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if callable(previous) and getattr(previous, "__name__", "") != "_drain_then":

            def _drain_then(number: int, frame: FrameType | None,
                            previous: Callable[[int, FrameType | None], Any] = previous
                            ) -> None:
                drain_started()
                previous(number, frame)

            signal.signal(sig, _drain_then)


def create_asgi_app(settings: Settings | None = None, *, threads: int = 4,
                    uow_factory: UowFactory | None = None) -> VocflowAsgi:
    """The app `vocflow serve` runs: create_app's Flask app inside the ASGI door."""
    return VocflowAsgi(create_app(settings, uow_factory=uow_factory), threads=threads)
