"""Load and validate the reference data in processes/catalogue/*.json into frozen dataclasses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "processes" / "catalogue"

_T = TypeVar("_T")


class CatalogueError(ValueError):
    """Bad catalogue data; the message names the file and the entry."""

    def __init__(self, file: Path, entry: str, problem: str) -> None:
        super().__init__(f"{file}: {entry}: {problem}")
        self.file = file
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class Target:
    """A national target of a key task as the notice states it (quantity None: 'a batch')."""

    label: str
    quantity: int | None
    unit: str
    note: str


@dataclass(frozen=True)
class Contact:
    """A contact listed in the notice's annex, names and phone exactly as printed."""

    role: str
    department: str | None
    names: tuple[str, ...]
    phone: str


@dataclass(frozen=True)
class KeyTask:
    """One of the notice's key tasks (重点任务)."""

    code: str
    section: str
    name_zh: str
    name_en: str
    targets: tuple[Target, ...]
    contact: Contact


@dataclass(frozen=True)
class Province:
    """A provincial-level unit with its GB/T 2260 two-digit code."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class UnitType:
    """A kind of construction unit (建设单位)."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Indicator:
    """A performance indicator a plan's annual targets may use, and the key tasks it fits."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    key_tasks: tuple[str, ...]
    all_key_tasks: bool

    def applies_to(self, key_task: str) -> bool:
        """Whether a project of this key task may use the indicator."""
        return self.all_key_tasks or key_task in self.key_tasks


@dataclass(frozen=True)
class Catalogue:
    """All reference data, validated, looked up by code."""

    notice: str
    target_year: int
    platform_contact: Contact
    key_tasks: tuple[KeyTask, ...]
    provinces: tuple[Province, ...]
    unit_types: tuple[UnitType, ...]
    indicators: tuple[Indicator, ...]

    def key_task(self, code: str) -> KeyTask:
        """The key task of a code; KeyError if unknown."""
        return _by_code(self.key_tasks, code)

    def province(self, code: str) -> Province:
        """The province of a GB/T 2260 code; KeyError if unknown."""
        return _by_code(self.provinces, code)

    def unit_type(self, code: str) -> UnitType:
        """The unit type of a code; KeyError if unknown."""
        return _by_code(self.unit_types, code)

    def indicator(self, code: str) -> Indicator:
        """The indicator of a code; KeyError if unknown."""
        return _by_code(self.indicators, code)


def _by_code(entries: Iterable[_T], code: str) -> _T:
    for entry in entries:
        if getattr(entry, "code", None) == code:
            return entry
    raise KeyError(code)


class _Entry:
    """Reads typed values out of one JSON object and reports problems with file and entry."""

    def __init__(self, file: Path, name: str, raw: Any, keys: Iterable[str]) -> None:
        self.file, self.name = file, name
        if not isinstance(raw, dict):
            self.fail("must be a JSON object")
        unknown = sorted(set(raw) - set(keys))
        missing = sorted(set(keys) - set(raw))
        if unknown:
            self.fail(f"unknown keys {unknown}")
        if missing:
            self.fail(f"missing keys {missing}")
        self.raw: dict[str, Any] = raw

    def fail(self, problem: str) -> NoReturn:
        raise CatalogueError(self.file, self.name, problem)

    def text(self, key: str, pattern: str = r".*\S.*") -> str:
        value = self.raw[key]
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            self.fail(f"{key} must be a string matching {pattern!r}, got {value!r}")
        return str(value)

    def optional_text(self, key: str) -> str | None:
        return None if self.raw[key] is None else self.text(key)

    def quantity(self, key: str) -> int | None:
        value = self.raw[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(f"{key} must be a non-negative integer or null, got {value!r}")
        return int(value)

    def items(self, key: str) -> list[Any]:
        value = self.raw[key]
        if not isinstance(value, list) or not value:
            self.fail(f"{key} must be a non-empty list")
        return list(value)

    def child(self, key: str, keys: Iterable[str], index: int | None = None) -> _Entry:
        raw = self.raw[key] if index is None else self.raw[key][index]
        suffix = key if index is None else f"{key}[{index}]"
        return _Entry(self.file, f"{self.name}.{suffix}", raw, keys)


def _read(directory: Path, filename: str, keys: Iterable[str]) -> _Entry:
    path = directory / filename
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(path, "(file)", "file not found") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            path, "(file)", f"invalid JSON at line {exc.lineno}: {exc.msg}"
        ) from None
    return _Entry(path, "(top level)", raw, keys)


def _entries(
    top: _Entry, key: str, keys: Iterable[str], code_pattern: str, build: Callable[[_Entry], _T]
) -> tuple[_T, ...]:
    """Build every entry of top[key], naming each by its code; codes must be unique."""
    built: list[_T] = []
    seen: set[str] = set()
    for index, raw in enumerate(top.items(key)):
        code = raw.get("code") if isinstance(raw, dict) else None
        entry = _Entry(top.file, f"{key}[{index}] {code or '?'}", raw, keys)
        entry.text("code", code_pattern)
        if code in seen:
            entry.fail(f"duplicate code {code!r}")
        seen.add(str(code))
        built.append(build(entry))
    return tuple(built)


_CONTACT_KEYS = ("role", "department", "names", "phone")
_PHONE = r"0\d{2,3}-\d{7,8}(/\d{1,4})?"


def _contact(entry: _Entry) -> Contact:
    names = entry.items("names")
    if not all(isinstance(name, str) and name.strip() for name in names):
        entry.fail("names must be non-empty strings")
    return Contact(
        role=entry.text("role"),
        department=entry.optional_text("department"),
        names=tuple(names),
        phone=entry.text("phone", _PHONE),
    )


def _key_task(entry: _Entry) -> KeyTask:
    target_keys = ("label", "quantity", "unit", "note")
    targets = []
    for index in range(len(entry.items("targets"))):
        target = entry.child("targets", target_keys, index)
        targets.append(
            Target(
                label=target.text("label"),
                quantity=target.quantity("quantity"),
                unit=target.text("unit"),
                note=target.text("note", r".*"),
            )
        )
    return KeyTask(
        code=entry.text("code"),
        section=entry.text("section"),
        name_zh=entry.text("name_zh"),
        name_en=entry.text("name_en"),
        targets=tuple(targets),
        contact=_contact(entry.child("contact", _CONTACT_KEYS)),
    )


def _named(entry: _Entry) -> tuple[str, str, str]:
    return entry.text("code"), entry.text("name_zh"), entry.text("name_en")


def _indicator_builder(key_task_codes: tuple[str, ...]) -> Callable[[_Entry], Indicator]:
    def build(entry: _Entry) -> Indicator:
        code, name_zh, name_en = _named(entry)
        raw = entry.raw["key_tasks"]
        if raw == "all":
            return Indicator(code, name_zh, name_en, entry.text("unit"), key_task_codes, True)
        tasks = entry.items("key_tasks")
        unknown = [task for task in tasks if task not in key_task_codes]
        if unknown:
            entry.fail(f'key_tasks must be "all" or known key task codes, unknown: {unknown}')
        return Indicator(code, name_zh, name_en, entry.text("unit"), tuple(tasks), False)

    return build


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Read and validate the four catalogue files; CatalogueError names the bad file and entry."""
    folder = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    named = ("code", "name_zh", "name_en")
    top_keys = ("notice", "target_year", "platform_contact", "key_tasks")
    top = _read(folder, "key_tasks.json", top_keys)
    task_keys = ("code", "section", "name_zh", "name_en", "targets", "contact")
    key_tasks = _entries(top, "key_tasks", task_keys, r"KT\d{2}", _key_task)
    target_year = top.raw["target_year"]
    if not isinstance(target_year, int) or isinstance(target_year, bool):
        top.fail("target_year must be an integer")
    platform = _contact(top.child("platform_contact", _CONTACT_KEYS))
    provinces_top = _read(folder, "provinces.json", ("standard", "provinces"))
    provinces = _entries(
        provinces_top, "provinces", named, r"\d{2}", lambda e: Province(*_named(e))
    )
    types_top = _read(folder, "unit_types.json", ("unit_types",))
    unit_types = _entries(
        types_top, "unit_types", named, r"[a-z_]+", lambda e: UnitType(*_named(e))
    )
    indicators_top = _read(folder, "indicators.json", ("indicators",))
    indicators = _entries(
        indicators_top,
        "indicators",
        (*named, "unit", "key_tasks"),
        r"IND\d{2}",
        _indicator_builder(tuple(task.code for task in key_tasks)),
    )
    return Catalogue(
        notice=top.text("notice"),
        target_year=int(target_year),
        platform_contact=platform,
        key_tasks=key_tasks,
        provinces=provinces,
        unit_types=unit_types,
        indicators=indicators,
    )


@lru_cache(maxsize=1)
def shipped_catalogue() -> Catalogue:
    """The catalogue shipped in the package, read once per process (pages draw their select
    lists from it on every request)."""
    return load_catalogue()
