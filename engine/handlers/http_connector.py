"""The built-in http-connector: camunda:connector tasks whose connectorId is "http-connector".

Camunda's connector reads the input parameters url, method, headers (a map) and payload, and
maps the answer into variables with output parameters evaluated over `response` (the body
as text), `statusCode` and `headers`. Here the worker runs it outside any transaction. Only
the hosts in VOCFLOW_HTTP_CONNECTOR_HOSTS may be called, redirects are not followed, proxies
from the environment are ignored and the body read is bounded.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from engine import expressions
from engine.handlers.base import Context, HandlerFailed

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


def host_allowed(url: httpx.URL, allowed: tuple[str, ...]) -> bool:
    """"host", "host:port" or "*.domain" entries; the scheme must be http or https."""
    if url.scheme not in ("http", "https") or not url.host:
        return False
    host = url.host.lower()
    port = url.port or (443 if url.scheme == "https" else 80)
    for entry in allowed:
        if entry in (host, f"{host}:{port}"):
            return True
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
    return False


def _request(inputs: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, str, dict[str, str],
                                                                       bytes | None]:
    raw_url = str(inputs.get("url") or "")
    try:
        url = httpx.URL(raw_url)
    except httpx.InvalidURL as exc:
        raise HandlerFailed(f"http-connector: url '{raw_url}' is not a URL: {exc}") from exc
    if not host_allowed(url, allowed):
        raise HandlerFailed(f"http-connector: host of '{raw_url}' is not in "
                            "VOCFLOW_HTTP_CONNECTOR_HOSTS")
    method = str(inputs.get("method") or "GET").upper()
    if method not in METHODS:
        raise HandlerFailed(f"http-connector: method '{method}' is not an HTTP method")
    headers = inputs.get("headers") or {}
    if not isinstance(headers, dict):
        raise HandlerFailed("http-connector: headers must be a camunda:map")
    payload = inputs.get("payload")
    if payload is None or isinstance(payload, bytes):
        body = payload
    elif isinstance(payload, str):
        body = payload.encode()
    else:
        body = json.dumps(payload, ensure_ascii=False).encode()
    return raw_url, method, {str(k): str(v) for k, v in headers.items()}, body


def _read(response: httpx.Response) -> str:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise HandlerFailed(f"http-connector: the answer is larger than "
                                f"{MAX_RESPONSE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")


def http_connector(ctx: Context) -> dict[str, Any]:
    """Call the URL; the variables are the output parameters evaluated over the answer."""
    call = ctx.connector or {}
    if call.get("error"):
        raise HandlerFailed(str(call["error"]))
    url, method, headers, body = _request(call.get("inputs") or {},
                                          ctx.settings.http_connector_hosts)
    try:
        with httpx.Client(timeout=ctx.settings.http_connector_timeout, follow_redirects=False,
                          trust_env=False) as client, \
                client.stream(method, url, headers=headers, content=body) as response:
            text = _read(response)
    except httpx.HTTPError as exc:
        raise HandlerFailed(f"http-connector {method} {url}: {exc}") from exc
    scope = {**ctx.variables, "response": text, "statusCode": response.status_code,
             "headers": dict(response.headers)}
    result: dict[str, Any] = {}
    for name, expression in (call.get("outputs") or {}).items():
        if not isinstance(expression, str):
            raise HandlerFailed(f"http-connector: output parameter '{name}' must be text")
        try:
            result[name] = expressions.evaluate(expression, scope, "text") if expression else None
        except (NameError, ValueError, TypeError, KeyError) as exc:
            raise HandlerFailed(f"http-connector: output parameter '{name}': {exc}") from exc
    return result
