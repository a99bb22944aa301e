// Drives the official camunda-external-task-client-js against a VocFlow server.
// Usage: node worker.mjs '<json options>'; prints one JSON line per handled task and exits
// after `tasks` tasks or `seconds` seconds. Options: baseUrl, username, password, topic,
// action (complete | failure | bpmnError), subscription ({processDefinitionKey, ...}),
// asyncResponseTimeout, tasks, seconds.
import { Client, BasicAuthInterceptor, Variables } from "camunda-external-task-client-js";

const options = JSON.parse(process.argv[2]);
const started = Date.now();
let handled = 0;

const client = new Client({
  baseUrl: options.baseUrl,
  workerId: "js-worker",
  maxTasks: 1,
  interval: 100,
  asyncResponseTimeout: options.asyncResponseTimeout,
  autoPoll: false,
  interceptors: new BasicAuthInterceptor({
    username: options.username, password: options.password,
  }),
});

const finish = (code) => { client.stop(); process.exit(code); };
client.on("poll:error", (error) => {
  console.log(JSON.stringify({ event: "poll:error", message: String(error) }));
});

client.subscribe(options.topic, { lockDuration: 20000, ...(options.subscription || {}) },
  async ({ task, taskService }) => {
    const result = { event: "task", id: task.id, processInstanceId: task.processInstanceId,
      processDefinitionKey: task.processDefinitionKey, retries: task.retries,
      variables: task.variables.getAll(), afterMs: Date.now() - started };
    const vars = new Variables();
    if (options.action === "complete") {
      vars.set("checked", true);
      await taskService.complete(task, vars);
    } else if (options.action === "failure") {
      await taskService.handleFailure(task, {
        errorMessage: "checker down", errorDetails: "stack: line 1",
        retries: options.retries ?? 1, retryTimeout: 0 });
    } else {
      vars.set("reason", "材料不全");
      await taskService.handleBpmnError(task, "REJECTED", "rejected by checker", vars);
    }
    console.log(JSON.stringify(result));
    handled += 1;
    if (handled >= (options.tasks ?? 1)) finish(0);
  });

client.start();
setTimeout(() => {
  console.log(JSON.stringify({ event: "timeout", handled }));
  finish(0);
}, (options.seconds ?? 20) * 1000);
