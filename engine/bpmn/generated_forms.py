"""Camunda 7 generated task forms: the fields of camunda:formData / camunda:formProperty.

SpiffWorkflow's Camunda parser reads formData only when the task also has a formKey (which a
generated form has not), never on start events and never the legacy formProperty, so the
fields are read here from the XML, with the deploy-time problems of each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from lxml import etree

from engine import expressions
from engine.bpmn.parser import BPMN_NS, CAMUNDA_NS, safe_xml

B = f"{{{BPMN_NS}}}"
C = f"{{{CAMUNDA_NS}}}"
TYPES = ("string", "long", "boolean", "date", "enum")
CONSTRAINTS = ("required", "readonly", "minlength", "maxlength", "min", "max")
DATE_PATTERN = "dd/MM/yyyy"  # Camunda's DateFormType for formField dates
_JAVA_DATE = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "hh": "%I",
              "mm": "%M", "ss": "%S"}
_JAVA_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|[^A-Za-z']+")


@dataclass(frozen=True)
class FormOption:
    """One value of an enum field: the stored id and the name a person reads."""

    id: str
    name: str


@dataclass(frozen=True)
class FormFieldSpec:
    """One generated form field. type "" is an untyped legacy formProperty."""

    id: str
    label: str
    type: str
    default: str | None = None
    required: bool = False
    readonly: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    options: tuple[FormOption, ...] = ()
    date_pattern: str = DATE_PATTERN
    variable: str = ""
    legacy: bool = False  # formProperty: required is met by a default, not by a variable

    @property
    def name(self) -> str:
        """The variable the field reads and writes (formProperty variable=, else its id)."""
        return self.variable or self.id

    @property
    def title(self) -> str:
        """How a refusal names the field: its label and id."""
        return f"{self.label} ({self.id})" if self.label and self.label != self.id else self.id


@dataclass(frozen=True)
class GeneratedForm:
    """The generated form of one user task or start event."""

    element_id: str
    fields: tuple[FormFieldSpec, ...]


Found = list[tuple[etree._Element, str]]


def strptime_pattern(java: str) -> str | None:
    """A Java SimpleDateFormat pattern as a strptime one (None: a letter we cannot read)."""
    out = []
    for match in _JAVA_TOKEN.finditer(java):
        token = match.group(0)
        if token.startswith("'"):
            out.append(token[1:-1].replace("%", "%%") or "'")
        elif token[0].isalpha():
            if token not in _JAVA_DATE:
                return None
            out.append(_JAVA_DATE[token])
        else:
            out.append(token.replace("%", "%%"))
    return "".join(out)


def _number(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _length(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def _constraints(node: etree._Element, kind: str, problems: Found) -> dict[str, object]:
    """The camunda:validation constraints of a formField as FormFieldSpec arguments."""
    found: dict[str, object] = {}
    for constraint in node.iterfind(f"{C}validation/{C}constraint"):
        name, config = constraint.get("name") or "", constraint.get("config")
        if name not in CONSTRAINTS:
            problems.append((constraint, f"constraint '{name}' is not one of Camunda's "
                                         f"built-in constraints ({', '.join(CONSTRAINTS)})"))
        elif name in ("required", "readonly"):
            found[name] = True
        elif name in ("min", "max"):
            if kind != "long":
                problems.append((constraint, f"constraint '{name}' applies to long fields, "
                                             f"not to a {kind or 'untyped'} field"))
            elif (value := _number(config)) is None:
                problems.append((constraint, f"constraint '{name}' needs a number as its "
                                             f"config, not '{config or ''}'"))
            else:
                found["minimum" if name == "min" else "maximum"] = value
        elif kind not in ("string", "enum"):
            problems.append((constraint, f"constraint '{name}' applies to string fields, "
                                         f"not to a {kind or 'untyped'} field"))
        elif (length := _length(config)) is None:
            problems.append((constraint, f"constraint '{name}' needs a whole number of "
                                         f"characters as its config, not '{config or ''}'"))
        else:
            found["min_length" if name == "minlength" else "max_length"] = length
    return found


def _options(node: etree._Element) -> tuple[FormOption, ...]:
    return tuple(FormOption(v.get("id") or "", v.get("name") or v.get("id") or "")
                 for v in node.iterfind(f"{C}value"))


def _default_problem(spec: FormFieldSpec) -> str | None:
    """Why a literal default cannot be the field's value (expressions are checked apart)."""
    text = spec.default
    if text is None:
        return None
    if "${" in text or "#{" in text:
        try:
            expressions.check_expression(text, "text")
        except expressions.ExpressionError as exc:
            return f"default value '{text}' cannot be evaluated: {exc.reason}"
        return None
    if spec.type == "date":
        try:
            datetime.strptime(text.strip(), strptime_pattern(spec.date_pattern) or "")
        except ValueError:
            return f"default value '{text}' is not a date as {spec.date_pattern}"
    if spec.type == "long" and not re.fullmatch(r"\s*[-+]?\d+\s*", text):
        return f"default value '{text}' is not a whole number"
    if spec.type == "boolean" and text.lower() not in ("true", "false"):
        return f"default value '{text}' is not true or false"
    if spec.type == "enum" and text not in {o.id for o in spec.options}:
        return f"default value '{text}' is not one of the field's values"
    return None


def _form_field(node: etree._Element, problems: Found) -> FormFieldSpec:
    # Camunda 7 refuses a formField without a type; SpiffWorkflow (whose files run here
    # too) reads it as text, and so do we: nothing a Camunda file relies on is lost
    kind = node.get("type") or "string"
    if kind not in TYPES:
        problems.append((node, f"unknown type '{kind}' (Camunda 7 form fields are "
                               "string, long, boolean, date or enum)"))
        kind = "string"
    limits = _constraints(node, kind, problems)
    return FormFieldSpec(
        id=node.get("id") or "", label=node.get("label") or node.get("id") or "", type=kind,
        default=node.get("defaultValue"), options=_options(node) if kind == "enum" else (),
        **limits)  # type: ignore[arg-type]


def _form_property(node: etree._Element, problems: Found) -> FormFieldSpec:
    kind = node.get("type") or ""
    if kind and kind not in TYPES:
        problems.append((node, f"unknown type '{kind}' (Camunda 7 form properties are "
                               "string, long, boolean, date or enum)"))
        kind = "string"
    pattern = node.get("datePattern") or DATE_PATTERN
    if kind == "date" and strptime_pattern(pattern) is None:
        problems.append((node, f"datePattern '{pattern}' uses letters VocFlow cannot read "
                               "(use yyyy, yy, MM, dd, HH, hh, mm, ss)"))
        pattern = DATE_PATTERN
    expression = (node.get("expression") or "").strip()
    variable = node.get("variable") or (
        expression[2:-1].strip() if re.fullmatch(r"\$\{\s*\w+\s*\}", expression) else "")
    return FormFieldSpec(
        id=node.get("id") or "", label=node.get("name") or node.get("id") or "", type=kind,
        default=node.get("default") if node.get("default") is not None else node.get("value"),
        required=(node.get("required") or "").lower() == "true",
        readonly=(node.get("writable") or "true").lower() == "false",
        options=_options(node) if kind == "enum" else (), date_pattern=pattern,
        variable=variable, legacy=True)


def _variable_name(name: str) -> bool:
    """A field id Camunda stores as a variable of that name: `person.dog_friendly` too
    (SpiffWorkflow's forms write such ids; Camunda keeps the dot in the name)."""
    return not name.startswith("_") and all(part.isidentifier() for part in name.split("."))


def read_form(element: etree._Element) -> tuple[GeneratedForm | None, Found]:
    """The generated form of a user task or start event (None: it has none) and what is
    wrong with its fields, each (the XML node, the reason naming the field)."""
    extensions = element.find(f"{B}extensionElements")
    if extensions is None:
        return None, []
    nodes = [(n, _form_field) for n in extensions.iterfind(f"{C}formData/{C}formField")]
    nodes += [(n, _form_property) for n in extensions.iterfind(f"{C}formProperty")]
    if not nodes:
        return None, []
    problems: Found = []
    fields: list[FormFieldSpec] = []
    for node, read in nodes:
        found: Found = []
        spec = read(node, found)
        if not _variable_name(spec.id):
            found.append((node, "its id must be a variable name (letters, digits, _ and "
                                "dots between them; not starting with _ or a digit)"))
        elif any(f.id == spec.id for f in fields):
            found.append((node, "is declared twice"))
        if (reason := _default_problem(spec)) is not None:
            found.append((node, reason))
        problems.extend((where, f"form field '{spec.id}': {why}") for where, why in found)
        fields.append(spec)
    return GeneratedForm(element.get("id") or "", tuple(fields)), problems


def form_problems(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Every problem of the generated forms in one BPMN document (checks.check_tree)."""
    for element in root.iter(f"{B}userTask", f"{B}startEvent"):
        yield from read_form(element)[1]


@lru_cache(maxsize=128)
def _forms_of(xml: str) -> dict[str, GeneratedForm]:
    root = safe_xml(xml.encode("utf-8"))
    found = {}
    for element in root.iter(f"{B}userTask", f"{B}startEvent"):
        form = read_form(element)[0]
        if form is not None:
            found[form.element_id] = form
    return found


def generated_form(xml: str, element_id: str) -> GeneratedForm | None:
    """The generated form of the element with that id in a deployed file (None: none)."""
    return _forms_of(xml).get(element_id)


@lru_cache(maxsize=128)
def start_generated_form(xml: str, key: str) -> GeneratedForm | None:
    """The generated form of the none start event of process `key` (the one REST starts)."""
    root = safe_xml(xml.encode("utf-8"))
    for process in root.iterchildren(f"{B}process"):
        if process.get("id") != key:
            continue
        for start in process.iterchildren(f"{B}startEvent"):
            if not any(isinstance(c.tag, str) and c.tag.endswith("EventDefinition")
                       for c in start):
                return generated_form(xml, start.get("id") or "")
    return None
