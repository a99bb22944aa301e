"""Form registry: camunda:formKey -> marshmallow form, validation and JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from forms.assessment import AnnualReportForm, ProvincialAssessmentForm
from forms.base import BaseForm, FormContext, FormValidationError, form_schema
from forms.messages import MESSAGES, messages_in, msg
from forms.project import (
    MinistryConfirmationForm,
    PlanSubmissionForm,
    RecommendationForm,
    ReviewDecisionForm,
)
from forms.registration import RegistrationVerificationForm, UnitRegistrationForm
from forms.summary import ProvincialSummaryForm, SummaryAcknowledgementForm

__all__ = [
    "FORM_KEYS",
    "MESSAGES",
    "BaseForm",
    "FormContext",
    "FormNotFound",
    "FormValidationError",
    "form_json_schema",
    "get_form",
    "messages_in",
    "msg",
    "validate_form",
]

_FORMS: dict[str, type[BaseForm]] = {
    "unit_registration": UnitRegistrationForm,
    "registration_verification": RegistrationVerificationForm,
    "plan_submission": PlanSubmissionForm,
    "review_decision": ReviewDecisionForm,
    "recommendation": RecommendationForm,
    "ministry_confirmation": MinistryConfirmationForm,
    "annual_report": AnnualReportForm,
    "provincial_assessment": ProvincialAssessmentForm,
    "provincial_summary": ProvincialSummaryForm,
    "summary_acknowledgement": SummaryAcknowledgementForm,
}
FORM_KEYS: tuple[str, ...] = tuple(_FORMS)


class FormNotFound(LookupError):  # noqa: N818 - the name the API and the issue use
    """No form is registered under this camunda:formKey."""

    def __init__(self, form_key: str) -> None:
        super().__init__(f"no form registered for form key {form_key!r}")
        self.form_key = form_key


def get_form(form_key: str) -> type[BaseForm]:
    """The form class of a camunda:formKey; FormNotFound if there is none."""
    try:
        return _FORMS[form_key]
    except KeyError:
        raise FormNotFound(form_key) from None


def validate_form(form_key: str, data: Any, context: FormContext) -> dict[str, Any]:
    """Load data through the form; FormValidationError with field-path messages if invalid."""
    form = get_form(form_key)(form_context=context)
    try:
        loaded: Mapping[str, Any] = form.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise FormValidationError(messages) from exc
    return dict(loaded)


def form_json_schema(form_key: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a form: zh-CN titles, x-title-en, rules."""
    return form_schema(get_form(form_key))
