"""Restored process specs, cached in memory per definition version and call bindings."""

from __future__ import annotations

import json
import threading
from typing import Any

from engine import bpmn
from engine.models import ProcessDefinition

SpecPair = tuple[Any, dict[str, Any]]
_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], SpecPair] = {}
_SPEC_CACHE: dict[str, tuple[Any, dict[str, Any]]] = {}
_LOCK = threading.Lock()


def _own_specs(definition: ProcessDefinition) -> tuple[Any, dict[str, Any]]:
    """The definition's process spec and its embedded subprocess specs (immutable, shared)."""
    cached = _SPEC_CACHE.get(definition.id)
    if cached is None:
        doc = json.loads(definition.spec_json)
        spec = bpmn.load_spec(doc["spec"])
        embedded = {name: bpmn.load_spec(d) for name, d in doc.get("embedded", {}).items()}
        cached = (spec, embedded)
        with _LOCK:
            _SPEC_CACHE[definition.id] = cached
    return cached


def specs_for(
    definition: ProcessDefinition,
    bindings: dict[str, str],
    lookup: Any,
) -> SpecPair:
    """Top spec plus every subprocess spec the instance may reach, under its bindings.

    `bindings` maps each called process key to the definition id chosen when the instance
    started; `lookup(definition_id)` returns that ProcessDefinition row.
    """
    key = (definition.id, tuple(sorted(bindings.items())))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    spec, subprocesses = _own_specs(definition)
    merged = dict(subprocesses)
    for called_key, def_id in bindings.items():
        called_spec, called_embedded = _own_specs(lookup(def_id))
        merged[called_key] = called_spec
        merged.update(called_embedded)
    with _LOCK:
        _CACHE[key] = (spec, merged)
    return spec, merged


own_specs = _own_specs


def cached(definition_id: str, bindings: dict[str, str]) -> SpecPair | None:
    """The specs of a definition under its bindings when already restored, else None."""
    return _CACHE.get((definition_id, tuple(sorted(bindings.items()))))


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
        _SPEC_CACHE.clear()
