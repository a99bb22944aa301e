"""Camunda 7 diagrams as Camunda Modeler saves them: delegates, implicit flows, JS, refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import external, jobs, service
from engine.config import Settings
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, make_user, open_tasks, show, start

SETTINGS = Settings(job_lease_seconds=60)
DELEGATE_TOPICS = ["ChargeCardDelegate", "ledger.book", "mailBean"]


def deploy(uow_factory, *names: str) -> service.DeploymentResult:
    files = {n: (FIXTURES / n).read_bytes() for n in names}
    with uow_factory() as uow:
        return service.deploy(uow, files, SYSTEM_ACTOR, NOW)


def refusal(uow_factory, name: str) -> str:
    with pytest.raises(ProcessDefinitionError) as refused:
        deploy(uow_factory, name)
    return refused.value.message


@pytest.fixture
def delegate_handlers() -> Iterator[list[str]]:
    calls: list[str] = []

    def handler(topic: str) -> external.Handler:
        def run(ctx: external.HandlerContext) -> dict:
            calls.append(ctx.topic)
            return {f"did_{topic.replace('.', '_')}": True}
        return run

    for topic in DELEGATE_TOPICS:
        external.register_handler(topic, handler(topic))
    yield calls
    for topic in DELEGATE_TOPICS:
        external.unregister_handler(topic)


def test_java_delegates_become_topics_listed_at_deploy_and_registered_handlers_run_them(
        uow_factory, delegate_handlers):
    result = deploy(uow_factory, "compat_delegates.bpmn")
    assert result.external_topics == DELEGATE_TOPICS
    assert any("'Task_Charge'" in w and "'ChargeCardDelegate'" in w for w in result.warnings)
    instance = start(uow_factory, "compat_delegates")
    jobs.run_until_idle(uow_factory, SETTINGS, "w1", now=lambda: NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert delegate_handlers == ["ChargeCardDelegate", "mailBean", "ledger.book"]
    assert detail.variables["did_ledger_book"] is True


def test_a_delegate_without_handler_waits_for_a_camunda_client_on_its_topic(uow_factory):
    deploy(uow_factory, "compat_delegates.bpmn")
    instance = start(uow_factory, "compat_delegates")
    client = make_user(uow_factory, "client1", "worker")
    with uow_factory() as uow:
        locked = service.fetch_and_lock(uow, "client", [
            {"topicName": "ChargeCardDelegate", "lockDuration": 60000}], 10, NOW, actor=client)
    assert [t.activity_id for t in locked] == ["Task_Charge"]
    assert locked[0].process_instance_id == instance.id


def test_flow_without_condition_out_of_a_gateway_is_true_with_a_deploy_warning(uow_factory):
    result = deploy(uow_factory, "compat_gateway_true.bpmn")
    assert any("'Flow_Any'" in w and "always taken" in w for w in result.warnings)
    small = start(uow_factory, "compat_gateway_true", amount=5)
    assert show(uow_factory, small.id).variables["route"] == "any"
    big = start(uow_factory, "compat_gateway_true", amount=500)
    detail = show(uow_factory, big.id)
    assert detail.instance.status == "completed" and "route" not in detail.variables


def test_javascript_script_task_reads_and_sets_variables(uow_factory):
    deploy(uow_factory, "compat_javascript.bpmn")
    items = [{"price": 2.5, "qty": 4}, {"price": 10, "qty": 1}]
    instance = start(uow_factory, "compat_javascript", items=items)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["total"] == 20
    assert detail.variables["label"] == "共 2 项"


def test_subprocess_without_start_and_end_and_a_task_with_two_flows(uow_factory):
    ops = make_user(uow_factory, "op1", "ops")
    deploy(uow_factory, "compat_implicit.bpmn")
    instance = start(uow_factory, "compat_implicit")
    [check] = open_tasks(uow_factory, instance.id)
    assert check.element_id == "Task_Check"
    with uow_factory() as uow:
        service.complete_task(uow, check.id, {}, ops, NOW)
    assert sorted(t.element_id for t in open_tasks(uow_factory, instance.id)) == [
        "Task_A", "Task_B"]


def test_message_start_and_cron_timer_start_can_be_started_over_rest(uow_factory):
    deploy(uow_factory, "compat_msgstart.bpmn", "start_cron.bpmn")
    by_message = start(uow_factory, "compat_message_start")
    assert [t.element_id for t in open_tasks(uow_factory, by_message.id)] == ["Task_Handle"]
    by_cron = start(uow_factory, "start_cron")
    assert [t.element_id for t in open_tasks(uow_factory, by_cron.id)] == ["Task_Fill"]


def test_groovy_and_unknown_listener_classes_are_refused_naming_the_element(uow_factory):
    message = refusal(uow_factory, "compat_refused.bpmn")
    assert "element 'Script_Groovy': script format groovy is not supported" in message
    assert "element 'StartEvent_1': camunda:executionListener (event 'end') class " \
           "'org.acme.AuditListener' is unknown Java code" in message


def test_a_call_activity_to_a_cmmn_case_is_refused_naming_it(uow_factory):
    message = refusal(uow_factory, "compat_case_call.bpmn")
    assert "line 7, element 'Call_Case': camunda:caseRef 'reviewCase' calls a CMMN case" \
        in message
    assert "calledElement" in message


def test_camunda_8_file_is_refused_saying_so(uow_factory):
    message = refusal(uow_factory, "compat_zeebe.bpmn")
    assert "element 'Task_Job'" in message and "Camunda 8 (Zeebe)" in message


def test_activiti_namespace_is_read_like_camunda(uow_factory):
    deploy(uow_factory, "compat_activiti.bpmn")
    instance = start(uow_factory, "compat_activiti", reviewer="li")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.assignee == "li"


def test_file_with_only_non_executable_processes_deploys_without_definitions(uow_factory):
    result = deploy(uow_factory, "compat_nonexec.bpmn")
    assert result.definitions == []


def test_compensation_handlers_that_nothing_throws_to_deploy_and_never_run(uow_factory):
    deploy(uow_factory, "compat_compensation.bpmn")
    instance = start(uow_factory, "compat_compensation")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed" and detail.variables["booked"] is True


def test_a_compensation_end_event_runs_the_handler_of_what_completed(uow_factory):
    thrown = (FIXTURES / "compat_compensation.bpmn").read_bytes().replace(
        b"<bpmn:incoming>Flow_2</bpmn:incoming>",
        b"<bpmn:incoming>Flow_2</bpmn:incoming><bpmn:compensateEventDefinition />", 1)
    with uow_factory() as uow:
        service.deploy(uow, {"thrown.bpmn": thrown}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_compensation")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed" and detail.variables["booked"] is False


def test_multi_instance_over_a_missing_collection_is_an_incident_there(uow_factory):
    """In Camunda's words, as the sequential one says it (it said: 'NoneType' object is not
    iterable)."""
    deploy(uow_factory, "compat_mi_missing.bpmn")
    instance = start(uow_factory, "compat_mi_missing")
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
    assert incident.element_id == "Task_Sign"
    assert "Cannot resolve identifier 'reviewers'" in incident.message
    assert "collection of 'Task_Sign'" in incident.message
    assert "NoneType" not in incident.message
    assert show(uow_factory, instance.id).instance.status == "running"


def test_multi_instance_over_a_value_that_is_no_collection_says_so(uow_factory):
    deploy(uow_factory, "compat_mi_missing.bpmn")
    instance = start(uow_factory, "compat_mi_missing", reviewers=5)
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
    assert incident.element_id == "Task_Sign"
    assert "multi-instance input of 'Task_Sign' is missing or not a collection" in \
        incident.message


def test_a_sequential_one_over_a_missing_collection_names_the_variable(uow_factory):
    deploy(uow_factory, "compat_mi_missing_seq.bpmn")
    instance = start(uow_factory, "compat_mi_missing_seq")
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
    assert incident.element_id == "Task_Sign"
    assert "Cannot resolve identifier 'reviewers'" in incident.message
    assert "collection of 'Task_Sign'" in incident.message


def test_inline_listener_scripts_run_at_their_events(uow_factory):
    ops = make_user(uow_factory, "op2", "ops")
    deploy(uow_factory, "compat_listeners.bpmn")
    instance = start(uow_factory, "compat_listeners")
    [task] = open_tasks(uow_factory, instance.id)
    assert show(uow_factory, instance.id).variables["trail"] == ["started", "created"]
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"ok": True}, ops, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == ["started", "created", "completed:True", "ending"]


@pytest.mark.parametrize(("ok", "trail"), [
    (True, ["process start", "took yes", "process end"]),
    (False, ["process start", "took no", "process end"]),
])
def test_take_listeners_and_process_start_end_listeners_run(uow_factory, ok, trail):
    deploy(uow_factory, "compat_take_listeners.bpmn")
    instance = start(uow_factory, "compat_take_listeners", ok=ok)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == trail


@pytest.mark.parametrize(("confirmed", "outcome"), [(True, "booked"), (False, "cancelled")])
def test_transaction_subprocess_ends_normally_or_by_its_cancel_end_event(
        uow_factory, confirmed, outcome):
    ops = make_user(uow_factory, "op3", "ops")
    deploy(uow_factory, "compat_transaction.bpmn")
    instance = start(uow_factory, "compat_transaction")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Confirm"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"confirmed": confirmed}, ops, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["outcome"] == outcome


def test_a_transaction_cancel_compensates_a_handler_added_to_it(uow_factory):
    xml = (FIXTURES / "compat_transaction.bpmn").read_text()
    handler = ('<bpmn:boundaryEvent id="Boundary_Undo" attachedToRef="Task_Confirm">'
               '<bpmn:compensateEventDefinition /></bpmn:boundaryEvent>'
               '<bpmn:scriptTask id="Task_Undo" isForCompensation="true">'
               '<bpmn:script>undone = True</bpmn:script></bpmn:scriptTask>')
    link = ('<bpmn:association id="Assoc_1" associationDirection="One" '
            'sourceRef="Boundary_Undo" targetRef="Task_Undo" />')
    first_flow = '<bpmn:sequenceFlow id="Tx_Flow_1"'
    xml = xml.replace(first_flow, handler + first_flow).replace(
        "</bpmn:transaction>", link + "</bpmn:transaction>")
    ops = make_user(uow_factory, "op4", "ops")
    with uow_factory() as uow:
        service.deploy(uow, {"tx_comp.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_transaction")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"confirmed": False}, ops, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["outcome"] == "cancelled"
    assert any(a["element_id"] == "Task_Undo" and a["state"] == "COMPLETED"
               for a in detail.activities)


def test_a_process_without_a_start_event_starts_every_node_without_incoming_flow(uow_factory):
    ops = make_user(uow_factory, "op9", "ops")
    deploy(uow_factory, "compat_no_start.bpmn")
    instance = start(uow_factory, "compat_no_start")
    tasks = open_tasks(uow_factory, instance.id)
    assert sorted(t.element_id for t in tasks) == ["Task_A", "Task_B"]
    for task in tasks:
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {}, ops, NOW)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_python_listener_scripts_have_camundas_execution(uow_factory):
    xml = (FIXTURES / "compat_listeners.bpmn").read_text().replace(
        'trail = trail + ["created"]',
        'execution.setVariable("trail", execution.getVariable("trail") + '
        '["created for " + execution.processBusinessKey])')
    with uow_factory() as uow:
        service.deploy(uow, {"exec.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_listeners", business_key="bk-7")
    assert show(uow_factory, instance.id).variables["trail"] == ["started", "created for bk-7"]


def test_create_and_complete_listener_scripts_see_the_task(uow_factory):
    ops = make_user(uow_factory, "op10", "ops")
    xml = (FIXTURES / "compat_listeners.bpmn").read_text().replace(
        'trail = trail + ["created"]', 'created_id = task.id\nseen = task.name').replace(
        'trail = trail + ["completed:" + str(ok)]',
        'done = task.eventName + ":" + task.taskDefinitionKey + ":" + str(task.id == created_id)')
    with uow_factory() as uow:
        service.deploy(uow, {"task.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_listeners")
    [task] = open_tasks(uow_factory, instance.id)
    variables = show(uow_factory, instance.id).variables
    assert (variables["created_id"], variables["seen"]) == (task.id, "审核")
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"ok": True}, ops, NOW)
    assert show(uow_factory, instance.id).variables["done"] == "complete:Task_Review:True"


def test_an_expression_listener_reads_variables_and_sets_them_through_execution(uow_factory):
    ops = make_user(uow_factory, "op11", "ops")
    xml = (FIXTURES / "compat_listeners.bpmn").read_text().replace(
        '<camunda:executionListener event="start">',
        '<camunda:executionListener event="start" '
        'expression="${execution.setVariable(&#39;closing&#39;, '
        'ok ? &#39;yes&#39; : &#39;no&#39;)}"'
        ' /><camunda:executionListener event="start">')
    with uow_factory() as uow:
        service.deploy(uow, {"expr.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_listeners")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"ok": False}, ops, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["closing"] == "no"


def test_message_and_signal_refs_with_the_target_namespace_prefix_resolve_as_in_camunda(
        uow_factory):
    # Camunda 7 resolves messageRef="tns:Message_Order" against the prefix's namespace: the
    # file's targetNamespace, so the reference names <bpmn:message id="Message_Order">.
    deploy(uow_factory, "compat_qname_refs.bpmn")
    with uow_factory() as uow:
        [instance_id] = service.correlate_message(uow, "compat_qname_order", SYSTEM_ACTOR, NOW)
    with uow_factory() as uow:
        assert service.correlate_message(uow, "compat_qname_paid", SYSTEM_ACTOR, NOW) == [
            instance_id]
    with uow_factory() as uow:
        assert service.broadcast_signal(uow, "compat_qname_go", SYSTEM_ACTOR, NOW) == [
            instance_id]
    assert [t.element_id for t in open_tasks(uow_factory, instance_id)] == ["Task_Ship"]


def test_a_prefixed_ref_to_another_namespace_is_still_refused_naming_the_event(uow_factory):
    xml = (FIXTURES / "compat_qname_refs.bpmn").read_bytes().replace(
        b'messageRef="tns:Message_Paid"', b'messageRef="other:Message_Paid"').replace(
        b'xmlns:tns=', b'xmlns:other="http://elsewhere.example" xmlns:tns=')
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"compat_qname_refs.bpmn": xml}, SYSTEM_ACTOR, NOW)
    assert "element 'Catch_Paid': messageRef 'other:Message_Paid' names no bpmn:message" \
        in refused.value.message


@pytest.mark.parametrize(("amount", "task"), [(500, "Task_Big"), (5, "Task_Small")])
def test_an_end_listener_of_an_exclusive_gateway_runs_once_after_the_choice(
        uow_factory, amount, task):
    # Camunda chooses the one flow to take, then runs the gateway's end listener, once.
    deploy(uow_factory, "compat_gateway_end_listener.bpmn")
    instance = start(uow_factory, "compat_gateway_end_listener", amount=amount, ends=0)
    assert [t.element_id for t in open_tasks(uow_factory, instance.id)] == [task]
    assert show(uow_factory, instance.id).variables["ends"] == 1


def test_an_expression_listener_that_cannot_be_placed_is_refused_saying_where_it_can_run(
        uow_factory):
    # An inclusive gateway may take both flows: its end listener has no one place to run.
    xml = (FIXTURES / "compat_gateway_end_listener.bpmn").read_bytes().replace(
        b"bpmn:exclusiveGateway", b"bpmn:inclusiveGateway")
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"compat_gateway_end_listener.bpmn": xml}, SYSTEM_ACTOR, NOW)
    message = refused.value.message
    assert "element 'Gateway_Amount': camunda:executionListener (event 'end') expression " \
           "'${execution.setVariable('ends', ends + 1)}' can run only as a start/end" in message
    assert "Java" not in message
