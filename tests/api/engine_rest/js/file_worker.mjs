// camunda-external-task-client-js with File typed values against a VocFlow server.
// Usage: node file_worker.mjs '<json options>': fetches one task of `topic`, loads the File
// variable `fileName` (the client GETs /execution/{processInstanceId}/localVariables/{name}/data),
// completes with the local file `reportPath` as the File variable `report`, prints one JSON line.
import { Client, BasicAuthInterceptor, Variables, File } from "camunda-external-task-client-js";

const options = JSON.parse(process.argv[2]);
const client = new Client({
  baseUrl: options.baseUrl, workerId: "js-file-worker", maxTasks: 1, interval: 100,
  autoPoll: false,
  interceptors: new BasicAuthInterceptor({
    username: options.username, password: options.password,
  }),
});
const finish = (code) => { client.stop(); process.exit(code); };
client.on("poll:error", (error) => {
  console.log(JSON.stringify({ event: "poll:error", message: String(error) }));
});

client.subscribe(options.topic, { lockDuration: 20000, businessKey: options.businessKey },
  async ({ task, taskService }) => {
    const incoming = task.variables.get(options.fileName);
    await incoming.load();
    const report = await new File({
      localPath: options.reportPath, mimetype: "text/plain", encoding: "utf-8",
    }).load();
    const vars = new Variables();
    vars.set("report", report);
    await taskService.complete(task, vars);
    console.log(JSON.stringify({
      event: "task", processInstanceId: task.processInstanceId,
      typed: task.variables.getTyped(options.fileName).valueInfo,
      filename: incoming.filename, content: incoming.content.toString("base64"),
    }));
    finish(0);
  });

client.start();
setTimeout(() => {
  console.log(JSON.stringify({ event: "timeout" }));
  finish(0);
}, (options.seconds ?? 20) * 1000);
