"""A form's JSON Schema -> the fields a template draws, and posted HTML fields -> JSON data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import get_locale

from engine.catalogue import shipped_catalogue
from forms import FORM_KEYS, form_json_schema, messages_in

LONG_TEXT = 200
FileSaver = Callable[[Any], dict[str, Any]]


@lru_cache(maxsize=1)
def _catalogue_labels() -> dict[str, dict[str, tuple[str, str]]]:
    cat = shipped_catalogue()
    return {
        "province_code": {p.code: (p.name_zh, p.name_en) for p in cat.provinces},
        "key_task": {k.code: (f"{k.code} {k.name_zh}", f"{k.code} {k.name_en}")
                     for k in cat.key_tasks},
        "indicator": {i.code: (f"{i.name_zh}（{i.unit}）", f"{i.name_en} ({i.unit})")
                      for i in cat.indicators},
    }


def english() -> bool:
    return str(get_locale()) == "en"


def label_of(name: str, value: Any) -> str:
    """The Chinese (or English) name of a code: province, key task, indicator, or a form's
    enum value (decision approve -> 通过)."""
    pair = _catalogue_labels().get(name, {}).get(str(value))
    if pair is not None:
        return pair[1] if english() else pair[0]
    text = _enum_labels().get(name, {}).get(str(value))
    if text is not None:
        return text
    return "" if value is None else str(value)


@lru_cache(maxsize=1)
def _enum_labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key in FORM_KEYS:
        for name, prop in form_json_schema(key).get("properties", {}).items():
            out.setdefault(name, {}).update(prop.get("x-enum-labels", {}))
    return out


def field_label(name: str) -> str:
    """A form field's title by name (tables of submitted rows use it for their headers)."""
    pair = _labels().get(name, (name, name))
    return pair[1] if english() else pair[0]


@dataclass
class Field:
    """One field to draw: its HTML name, label, widget, options, value and errors."""

    name: str
    label: str
    kind: str
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)
    help: str = ""
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    readonly: bool = False  # shown, never posted (a generated form's readonly field)


def _is_file(prop: Mapping[str, Any]) -> bool:
    return prop.get("type") == "object" and "file_id" in prop.get("properties", {})


def _kind(name: str, prop: Mapping[str, Any]) -> str:
    if _is_file(prop):
        return "file"
    if prop.get("type") == "array":
        return "files" if _is_file(prop.get("items", {})) else "rows"
    if "enum" in prop:
        return "select"
    if prop.get("type") == "boolean":
        return "bool"
    if prop.get("type") in ("integer", "number"):
        return prop["type"]  # type: ignore[no-any-return]
    if prop.get("format") == "date":
        return "date"
    if prop.get("x-camunda-type") == "string":
        return "text"  # Camunda draws a generated form's text field as one line
    if prop.get("maxLength", LONG_TEXT + 1) > LONG_TEXT and "pattern" not in prop:
        return "textarea"
    return "text"


def _options(name: str, prop: Mapping[str, Any]) -> list[tuple[str, str]]:
    labels = prop.get("x-enum-labels", {})
    out = []
    for value in prop.get("enum", []):
        text = labels.get(value) or label_of(name, value)
        out.append((str(value), text if not english() or text == str(value) else
                    f"{text} ({value})"))
    return out


def _help(prop: Mapping[str, Any]) -> str:
    return str(prop.get("x-description-en" if english() else "description", "")
               or prop.get("description", ""))


def build(schema: Mapping[str, Any], values: Mapping[str, Any],
          errors: Mapping[str, Any], prefix: str = "") -> list[Field]:
    """The fields of an object schema with values and (translated) errors, in order; a
    field without a value starts with the schema's default (a generated form's value)."""
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        title = prop.get("x-title-en") if english() else prop.get("title")
        kind = _kind(name, prop)
        err = errors.get(name, [])
        f = Field(f"{prefix}{name}", title or name, kind, name in required,
                  _options(name, prop), values.get(name, prop.get("default")), [],
                  _help(prop), readonly=bool(prop.get("readOnly")))
        if kind == "rows":
            item = prop.get("items", {})
            f.columns = build(item, {}, {}, f"{f.name}-__i__-")
            rows = values.get(name) or ([{}] if f.required else [])
            row_errors = err if isinstance(err, dict) else {}
            for index, row in enumerate(rows):
                f.rows.append(build(item, row if isinstance(row, dict) else {},
                                    row_errors.get(str(index), row_errors.get(index, {})),
                                    f"{f.name}-{index}-"))
            err = row_errors.get("_schema", []) if isinstance(err, dict) else err
        if kind in ("file", "files") and isinstance(err, dict):
            err = [m for v in err.values() for m in (v if isinstance(v, list) else [str(v)])]
        f.errors = _flat(err)
        out.append(f)
    return out


def _flat(err: Any) -> list[str]:
    if isinstance(err, str):
        return [err]
    if isinstance(err, list):
        return [m for e in err for m in _flat(e)]
    if isinstance(err, dict):
        return [m for e in err.values() for m in _flat(e)]
    return []


def translate(details: Any) -> Any:
    """FormInvalid details (zh-CN) in the page's language."""
    return messages_in("en", details) if english() else details


def _scalar(prop: Mapping[str, Any], raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw  # the form says "应为数字" beside the field
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _ref(raw: str) -> Any:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def parse(schema: Mapping[str, Any], form: Mapping[str, str], getlist: Callable[[str], list[Any]],
          save: FileSaver | None = None, prefix: str = "") -> dict[str, Any]:
    """The JSON object an HTML post means under schema; empty fields are left out.

    Files: an uploaded part (saved through save, which returns the file reference) or the
    reference kept from an earlier post in the hidden `<name>__ref` field.
    """
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        kind = _kind(name, prop)
        if prop.get("readOnly"):
            continue  # never submitted: the engine refuses a value for a readonly field
        if kind == "rows":
            rows = _rows(prop.get("items", {}), form, getlist, key)
            if rows or f"{key}-present" in form:
                data[name] = rows
        elif kind in ("file", "files"):
            value = _files(kind, key, form, getlist, save)
            if value is not None:
                data[name] = value
        elif key in form:
            value = _scalar(prop, form[key])
            if value is not None:
                data[name] = value
    return data


def _rows(item: Mapping[str, Any], form: Mapping[str, str], getlist: Callable[[str], list[Any]],
          key: str) -> list[dict[str, Any]]:
    indexes = sorted({int(k[len(key) + 1:].split("-", 1)[0]) for k in form
                      if k.startswith(f"{key}-") and k[len(key) + 1:].split("-", 1)[0].isdigit()})
    rows = [parse(item, form, getlist, None, f"{key}-{i}-") for i in indexes]
    return [r for r in rows if r]


def _files(kind: str, key: str, form: Mapping[str, str], getlist: Callable[[str], list[Any]],
           save: FileSaver | None) -> Any:
    kept = _ref(form.get(f"{key}__ref", ""))
    parts = [p for p in getlist(key) if getattr(p, "filename", "")]
    saved = [save(p) for p in parts] if save else []
    if kind == "file":
        return saved[0] if saved else kept
    refs = (kept if isinstance(kept, list) else []) + saved
    return refs or None


PREFILLED = frozenset({"unit_registration", "plan_submission", "annual_report",
                       "provincial_summary"})
SHOWN = ("unit_name", "project_name", "key_task", "period_start_year", "period_end_year",
         "targets", "plan_file", "evidence_files", "year", "actuals", "work_report",
         "completion_ratio", "late", "suggested_rating", "decision", "opinion", "rating",
         "override_reason", "summary_text", "summary_file", "credit_code", "unit_type",
         "province_code", "address", "contact_name", "contact_phone", "contact_email")


@lru_cache(maxsize=1)
def _labels() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {
        "completion_ratio": ("完成率", "Completion ratio"), "late": ("是否逾期", "Late"),
        "suggested_rating": ("建议等级", "Suggested rating")}
    for key in FORM_KEYS:
        for name, prop in form_json_schema(key).get("properties", {}).items():
            out.setdefault(name, (prop.get("title", name), prop.get("x-title-en", name)))
            for sub, sprop in prop.get("items", {}).get("properties", {}).items():
                out.setdefault(sub, (sprop.get("title", sub), sprop.get("x-title-en", sub)))
    return out


def starting_values(form_key: str | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """What a form starts with: the instance's values for the forms a party revises
    (plan, registration, report, summary); empty for decisions (no earlier opinion)."""
    return dict(data) if form_key in PREFILLED else {}


def context_rows(data: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(name, label, value) of the submitted material the person deciding should read."""
    labels = _labels()
    rows = []
    for name in SHOWN:
        if name in data and data[name] not in (None, "", []):
            pair = labels.get(name, (name, name))
            rows.append((name, pair[1] if english() else pair[0], data[name]))
    return rows
