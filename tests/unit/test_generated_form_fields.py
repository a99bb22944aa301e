"""Reading camunda:formData and camunda:formProperty fields, and what deploy refuses."""

from __future__ import annotations

from lxml import etree

from engine.bpmn.generated_forms import read_form, strptime_pattern

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')


def _task(extensions: str) -> etree._Element:
    return etree.fromstring(f'<bpmn:userTask {NS} id="T"><bpmn:extensionElements>'
                            f"{extensions}</bpmn:extensionElements></bpmn:userTask>")


def _problems(extensions: str) -> list[str]:
    return [why for _, why in read_form(_task(extensions))[1]]


def test_form_fields_are_read_with_labels_constraints_and_options():
    form, problems = read_form(_task(
        '<camunda:formData><camunda:formField id="n" label="N" type="long" defaultValue="3">'
        '<camunda:validation><camunda:constraint name="min" config="1"/>'
        '<camunda:constraint name="readonly"/></camunda:validation></camunda:formField>'
        '<camunda:formField id="k" label="K" type="enum"><camunda:value id="x" name="X"/>'
        "</camunda:formField></camunda:formData>"))
    assert problems == [] and form is not None
    number, choice = form.fields
    assert (number.label, number.type, number.default, number.minimum, number.readonly) == (
        "N", "long", "3", 1.0, True)
    assert [(o.id, o.name) for o in choice.options] == [("x", "X")]


def test_legacy_form_properties_are_read():
    form, problems = read_form(_task(
        '<camunda:formProperty id="days" name="Days" type="long" default="1" required="true"/>'
        '<camunda:formProperty id="who" name="Who" expression="${employee}" writable="false"/>'))
    assert problems == [] and form is not None
    days, who = form.fields
    assert (days.label, days.required, days.legacy, days.default) == ("Days", True, True, "1")
    assert (who.type, who.readonly, who.name) == ("", True, "employee")


def test_a_form_field_without_a_type_is_text_as_spiffworkflow_reads_it():
    form, problems = read_form(_task(
        '<camunda:formData><camunda:formField id="D" label="Enter D"/></camunda:formData>'))
    assert problems == [] and form is not None
    assert [(f.id, f.type) for f in form.fields] == [("D", "string")]


def test_deploy_refusals_name_the_field_and_the_reason():
    assert _problems('<camunda:formData><camunda:formField id="a" type="money"/>'
                     "</camunda:formData>") == ["form field 'a': unknown type 'money' (Camunda "
                                                "7 form fields are string, long, boolean, "
                                                "date or enum)"]
    wrong = _problems(
        '<camunda:formData><camunda:formField id="a" type="string" defaultValue="x">'
        '<camunda:validation><camunda:constraint name="min" config="1"/>'
        '<camunda:constraint name="maxlength" config="ten"/>'
        '<camunda:constraint name="between"/></camunda:validation></camunda:formField>'
        '<camunda:formField id="b" type="enum" defaultValue="z"/>'
        '<camunda:formField id="c" type="long" defaultValue="1.5"/>'
        '<camunda:formField id="d" type="date" defaultValue="2026-12-01"/>'
        '<camunda:formField id="d" type="date"/></camunda:formData>')
    assert wrong == [
        "form field 'a': constraint 'min' applies to long fields, not to a string field",
        "form field 'a': constraint 'maxlength' needs a whole number of characters as its "
        "config, not 'ten'",
        "form field 'a': constraint 'between' is not one of Camunda's built-in constraints "
        "(required, readonly, minlength, maxlength, min, max)",
        "form field 'b': default value 'z' is not one of the field's values",
        "form field 'c': default value '1.5' is not a whole number",
        "form field 'd': default value '2026-12-01' is not a date as dd/MM/yyyy",
        "form field 'd': is declared twice",
    ]


def test_java_date_patterns_become_strptime_patterns():
    assert strptime_pattern("dd/MM/yyyy") == "%d/%m/%Y"
    assert strptime_pattern("dd-MM-yyyy HH:mm") == "%d-%m-%Y %H:%M"
    assert strptime_pattern("yyyy-MM-dd'T'HH") == "%Y-%m-%dT%H"
    assert strptime_pattern("EEE, dd MMM") is None


def test_a_field_id_is_a_variable_name_dots_between_its_parts_allowed():
    def field(field_id: str) -> list[str]:
        return _problems(f'<camunda:formData><camunda:formField id="{field_id}" label="L" '
                         'type="string"/></camunda:formData>')

    for fine in ("amount", "person.dog_friendly", "a.b.c", "项目名称"):
        assert field(fine) == [], fine
    for bad in ("_hidden", "1st", "person.", ".x", "a..b", "two words", "a-b"):
        [problem] = field(bad)
        assert problem.startswith(f"form field '{bad}': its id must be a variable name"), bad
