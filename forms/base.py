"""Shared form machinery: messages, strict fields, BaseForm, context, errors, JSON Schema."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from forms.messages import MESSAGES, msg


def _zh(**extra: str) -> dict[str, Any]:
    base: dict[str, Any] = {key: msg(key) for key in ("required", "null", "validator_failed")}
    base.update({key: msg(msg_id) for key, msg_id in extra.items()})
    return base


def meta(title: str, title_en: str, **extra: Any) -> dict[str, Any]:
    """Field metadata: zh-CN title, English title, extra JSON Schema keywords."""
    return {"title": title, "title_en": title_en, **extra}


class Text(fields.String):
    """A string field that strips surrounding whitespace."""

    default_error_messages = _zh(invalid="invalid_string", invalid_utf8="invalid_string")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Int(fields.Integer):
    """An integer field accepting only JSON integers (no strings, floats or booleans)."""

    default_error_messages = _zh(invalid="invalid_integer", too_large="too_large")

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return int(value)


class Num(fields.Float):
    """A finite number field accepting only JSON numbers (no strings or booleans)."""

    default_error_messages = _zh(
        invalid="invalid_number", too_large="too_large", special="special_number"
    )

    def _validated(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if not math.isfinite(value):
            raise self.make_error("special")
        return float(value)


class Flag(fields.Boolean):
    """A boolean field accepting only true and false."""

    default_error_messages = _zh(invalid="invalid_boolean")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ListOf(fields.List):  # type: ignore[type-arg]
    """A list field with zh-CN messages."""

    default_error_messages = _zh(invalid="invalid_list")


class Sub(fields.Nested):
    """A nested object field with zh-CN messages."""

    default_error_messages = _zh(type="invalid_object")


def _bound_key(prefix: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{prefix}_between"
    return f"{prefix}_min" if low is not None else f"{prefix}_max"


def length(min_len: int | None = None, max_len: int | None = None) -> validate.Length:
    """A text length rule with a zh-CN message."""
    key = _bound_key("length", min_len, max_len)
    return validate.Length(min=min_len, max=max_len, error=MESSAGES["zh-CN"][key])


def items(min_items: int | None = None, max_items: int | None = None) -> validate.Length:
    """A list size rule with a zh-CN message."""
    key = _bound_key("items", min_items, max_items)
    return validate.Length(min=min_items, max=max_items, error=MESSAGES["zh-CN"][key])


def value_range(low: float | None = None, high: float | None = None) -> validate.Range:
    """An inclusive numeric range rule with a zh-CN message."""
    key = _bound_key("range", low, high)
    return validate.Range(min=low, max=high, error=MESSAGES["zh-CN"][key])


def one_of(choices: Iterable[Any]) -> validate.OneOf:
    """An enumeration rule with a zh-CN message."""
    return validate.OneOf(tuple(choices), error=MESSAGES["zh-CN"]["one_of"])


def _no_files(file_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class FormContext:
    """What a form may consult besides its input: the task's variables, files, the actor."""

    task_data: Mapping[str, Any] = field(default_factory=dict)
    file_owner: Callable[[str], str | None] = _no_files
    actor_unit_id: str | None = None
    # True when a registered unit already carries this credit code (registration refuses it)
    credit_code_taken: Callable[[str], bool] = lambda _code: False


class FormValidationError(ValueError):
    """A form input was invalid; .messages is marshmallow's nested dict keyed by field path."""

    def __init__(self, messages: dict[str, Any]) -> None:
        super().__init__(messages)
        self.messages = messages


class FieldErrors:
    """Collects messages at field paths such as ("targets", 2, "year") and raises them once."""

    def __init__(self) -> None:
        self.messages: dict[Any, Any] = {}

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        node = self.messages
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


class BaseForm(Schema):
    """Base of every form: unknown keys raise, strict types, zh-CN messages, explicit context."""

    title: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    json_schema_extra: ClassVar[Mapping[str, Any]] = {}
    error_messages: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        "type": msg("invalid_object"),
        "unknown": msg("unknown"),
    }

    class Meta:
        unknown = RAISE

    def __init__(self, *, form_context: FormContext | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.form_context = form_context or FormContext()

    def check_file(
        self,
        errors: FieldErrors,
        path: tuple[str | int, ...],
        ref: Mapping[str, Any] | None,
        owner: str | None,
    ) -> None:
        """Record an error at path + ("file_id",) unless the file exists and owner owns it."""
        if ref is None:
            return
        actual = self.form_context.file_owner(ref["file_id"])
        if actual is None:
            errors.add((*path, "file_id"), msg("file_not_found"))
        elif owner is None or actual != owner:
            errors.add((*path, "file_id"), msg("file_not_owned"))

    def unit_owner(self) -> str | None:
        """The owner string of the acting unit's files, or None without an actor."""
        unit_id = self.form_context.actor_unit_id
        return f"unit:{unit_id}" if unit_id else None


class FileRefForm(BaseForm):
    """A reference to a stored file; the content lives in file storage, never in task data."""

    title = "文件"
    title_en = "File"
    file_id = Text(required=True, validate=length(1, 64), metadata=meta("文件编号", "File id"))
    name = Text(required=True, validate=length(1, 255), metadata=meta("文件名", "File name"))
    size = Int(
        required=True, validate=value_range(0), metadata=meta("大小（字节）", "Size (bytes)")
    )
    sha256 = Text(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error=msg("sha256")),
        metadata=meta("SHA-256 摘要", "SHA-256 digest"),
    )


def file_ref(title: str, title_en: str, *, required: bool = True) -> Sub:
    """A field holding one file reference."""
    return Sub(FileRefForm, required=required, metadata=meta(title, title_en))


def required_when(field_name: str, values: Iterable[Any], *needed: str) -> dict[str, Any]:
    """A JSON Schema if/then clause: when field_name takes one of values, needed are required."""
    return {
        "if": {"properties": {field_name: {"enum": list(values)}}, "required": [field_name]},
        "then": {"required": list(needed)},
    }


def _rules_schema(rule: Any) -> dict[str, Any]:
    """The JSON Schema keywords a marshmallow validator stands for."""
    if hasattr(rule, "json_schema"):
        return dict(rule.json_schema())
    out: dict[str, Any] = {}
    if isinstance(rule, validate.OneOf):
        out["enum"] = list(rule.choices)
    elif isinstance(rule, validate.Equal):
        out["const"] = rule.comparable
    elif isinstance(rule, validate.Regexp):
        out["pattern"] = rule.regex.pattern
    elif isinstance(rule, validate.Range):
        if rule.min is not None:
            out["minimum" if rule.min_inclusive else "exclusiveMinimum"] = rule.min
        if rule.max is not None:
            out["maximum" if rule.max_inclusive else "exclusiveMaximum"] = rule.max
    elif isinstance(rule, validate.Length):
        low = rule.min if rule.equal is None else rule.equal
        high = rule.max if rule.equal is None else rule.equal
        out.update({"minLength": low, "maxLength": high})
    return {key: value for key, value in out.items() if value is not None}


def _type_schema(field_obj: fields.Field[Any]) -> dict[str, Any]:
    if isinstance(field_obj, fields.Boolean):
        return {"type": "boolean"}
    if isinstance(field_obj, fields.Integer):
        return {"type": "integer"}
    if isinstance(field_obj, fields.Number):
        return {"type": "number"}
    if isinstance(field_obj, fields.String):
        return {"type": "string"}
    if isinstance(field_obj, fields.List):
        return {"type": "array", "items": field_schema(field_obj.inner)}
    if isinstance(field_obj, fields.Nested):
        return schema_object(field_obj.schema)
    return {}


def field_schema(field_obj: fields.Field[Any]) -> dict[str, Any]:
    """The JSON Schema of one marshmallow field: type, titles, rules, extra metadata."""
    out = _type_schema(field_obj)
    for rule in field_obj.validators:
        keywords = _rules_schema(rule)
        if out.get("type") == "array":
            keywords = {key.replace("Length", "Items"): val for key, val in keywords.items()}
        out.update(keywords)
    metadata = dict(field_obj.metadata)
    if "title" in metadata:
        out["title"] = metadata.pop("title")
    if "title_en" in metadata:
        out["x-title-en"] = metadata.pop("title_en")
    out.update(metadata)
    if field_obj.allow_none and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def schema_object(form: Schema) -> dict[str, Any]:
    """The JSON Schema of a (nested) form: an object with properties and required names."""
    out: dict[str, Any] = {"type": "object"}
    title = getattr(form, "title", "")
    if title:
        out["title"] = title
        out["x-title-en"] = getattr(form, "title_en", "")
    loadable = {name: obj for name, obj in form.fields.items() if not obj.dump_only}
    out["properties"] = {obj.data_key or name: field_schema(obj) for name, obj in loadable.items()}
    out["required"] = [obj.data_key or name for name, obj in loadable.items() if obj.required]
    out["additionalProperties"] = False
    out.update(getattr(form, "json_schema_extra", {}))
    return out


def form_schema(form_class: type[BaseForm]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) document of a form class."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema_object(form_class()),
    }
