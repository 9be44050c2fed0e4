"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { Worker, WorkerContext, InvokeError, BatchFailure, makeContext, findWorkerClass, ALERT_PRIORITIES } =
  require("../worker");
const { RuntimeConnection, activate } = require("../runtime-connection");
const { standIn, withEnv } = require("./helpers");

const CLEAR = {
  STARFLEET_WORKER: undefined, STARFLEET_ACCOUNT_ID: undefined, STARFLEET_REGION: undefined,
  STARFLEET_COMMIT: undefined, STARFLEET_MESSAGE_ID: undefined, STARFLEET_RECEIVE_COUNT: undefined,
  AWS_LAMBDA_RUNTIME_API: undefined, AWS_ENDPOINT_URL_LAMBDA: undefined, STARFLEET_LOG_LEVEL: "CRITICAL",
};

class Probe extends Worker {
  async execute(event, context) {
    if (event && event.fail) throw new Error(`failed ${event.fail}`);
    return { event, account: context.accountId, messageId: context.messageId, count: context.receiveCount };
  }
}

function sqsRecord(body, messageId, count, attributes) {
  const messageAttributes = {};
  for (const [k, v] of Object.entries(attributes || {})) messageAttributes[k] = { stringValue: v, dataType: "String" };
  return { messageId, body: JSON.stringify(body), attributes: { ApproximateReceiveCount: count || "1" },
    messageAttributes, eventSource: "aws:sqs" };
}

test("context values: client context first, then the SQS record, the payload, the environment", () =>
  withEnv(Object.assign({}, CLEAR, { STARFLEET_ACCOUNT_ID: "999999999999", STARFLEET_REGION: "eu-west-1",
    STARFLEET_COMMIT: "yes", STARFLEET_RECEIVE_COUNT: "3" }), () => {
    const lambdaContext = { functionName: "Fn", clientContext: { custom: { StarfleetAccount: "111111111111",
      StarfleetCommit: "false", StarfleetReceiveCount: "7" } } };
    const record = sqsRecord({}, "m-1", "4", { StarfleetRegion: "sa-east-1", StarfleetAccount: "222222222222" });
    const c = makeContext(Probe, { StarbaseAssignedAccount: "333333333333" }, lambdaContext, record);
    assert.equal(c.worker, "Fn");
    assert.equal(c.accountId, "111111111111");
    assert.equal(c.region, "sa-east-1");
    assert.equal(c.commit, false);
    assert.equal(c.messageId, "m-1");
    assert.equal(c.receiveCount, 7);
    const fromEnv = makeContext(Probe, { StarbaseAssignedRegion: "ap-south-1" }, null, null, true);
    assert.deepEqual([fromEnv.worker, fromEnv.accountId, fromEnv.region, fromEnv.commit, fromEnv.receiveCount],
      ["Probe", "999999999999", "ap-south-1", true, 3]);
    assert.equal(fromEnv.getRemainingTimeInMillis(), null);
  }));

test("getRemainingTimeInMillis is the Lambda context's", () => {
  const c = new WorkerContext({ worker: "w", lambdaContext: { getRemainingTimeInMillis: () => 1234 } });
  assert.equal(c.getRemainingTimeInMillis(), 1234);
});

test("the handler unwraps one SQS record, runs several, and fails the batch with BatchFailure", () =>
  withEnv(CLEAR, async () => {
    const handler = Probe.handler();
    assert.equal(handler.workerClass, Probe);
    const one = await handler({ Records: [sqsRecord({ n: 1 }, "m-1", "2")] }, null);
    assert.deepEqual(one, { event: { n: 1 }, account: null, messageId: "m-1", count: 2 });
    const two = await handler({ Records: [sqsRecord({ n: 1 }, "a"), sqsRecord({ n: 2 }, "b")] });
    assert.deepEqual(two.map((r) => r.event), [{ n: 1 }, { n: 2 }]);
    await assert.rejects(handler({ Records: [sqsRecord({ fail: "x" }, "bad"), sqsRecord({ n: 2 }, "good")] }),
      (err) => err instanceof BatchFailure && err.errors.length === 1 && err.errors[0].messageId === "bad" &&
        /1 of 2 records failed: bad: Error: failed x/.test(err.message));
    const plain = await handler({ Records: [{ eventSource: "aws:s3" }] });
    assert.deepEqual(plain.event, { Records: [{ eventSource: "aws:s3" }] });
  }));

test("findWorkerClass: the only leaf, by name, or an error", () => {
  class Leaf extends Probe {}
  assert.equal(findWorkerClass({ Probe, Leaf }), Leaf);
  assert.equal(findWorkerClass({ Probe, Leaf }, "Probe"), Probe);
  assert.equal(findWorkerClass({ handler: Probe.handler() }), Probe);
  class Other extends Worker {}
  assert.throws(() => findWorkerClass({ Leaf, Other }), /several Worker subclasses \(Leaf, Other\): name one/);
  assert.throws(() => findWorkerClass({}), /no exported Worker subclass/);
  assert.throws(() => findWorkerClass({ Probe }, "Nope"), /no exported Worker subclass named Nope/);
});

async function invokeWith(answer, fn) {
  const server = await standIn(answer);
  try {
    return await withEnv(Object.assign({}, CLEAR, { AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${server.port}/` }),
      () => fn(new WorkerContext({ worker: "w" }), server));
  } finally {
    await server.close();
  }
}

test("invoke RequestResponse: the result, and the client context header", () =>
  invokeWith(() => ({ status: 200, body: '{"ok": 1}' }), async (c, server) => {
    assert.deepEqual(await c.invoke("Echo Worker", { n: 1 }, true, { account: "555566667777", commit: true }), { ok: 1 });
    const req = server.requests[0];
    assert.equal(req.url, "/2015-03-31/functions/Echo%20Worker/invocations");
    assert.equal(req.headers["x-amz-invocation-type"], "RequestResponse");
    assert.deepEqual(JSON.parse(Buffer.from(req.headers["x-amz-client-context"], "base64").toString()),
      { custom: { StarfleetAccount: "555566667777", StarfleetCommit: "true" } });
    assert.equal(req.body, '{"n":1}');
  }));

test("invoke Event resolves to undefined", () =>
  invokeWith(() => ({ status: 202, body: "" }), async (c, server) => {
    assert.equal(await c.invoke("Echo", "{}"), undefined);
    assert.equal(server.requests[0].headers["x-amz-invocation-type"], "Event");
    assert.equal(server.requests[0].headers["x-amz-client-context"], undefined);
  }));

test("invoke maps X-Amz-Function-Error with an error document to InvokeError", () =>
  invokeWith(() => ({ status: 200, headers: { "X-Amz-Function-Error": "Unhandled" },
    body: JSON.stringify({ errorMessage: "it broke", errorType: "ValueError", stackTrace: ["a", "b"] }) }),
  async (c) => {
    await assert.rejects(c.invoke("Broken", {}, true), (err) => err instanceof InvokeError &&
      err.message === "it broke" && err.errorType === "ValueError" && err.status === 200 &&
      err.functionName === "Broken" && err.stackTrace.join() === "a,b");
  }));

test("invoke maps a function error that is not JSON, and an HTTP error", async () => {
  await invokeWith(() => ({ status: 200, headers: { "X-Amz-Function-Error": "Unhandled" }, body: "plain" }),
    async (c) => assert.rejects(c.invoke("B", {}, true), { name: "InvokeError", message: "plain", errorType: "Unhandled" }));
  await invokeWith(() => ({ status: 404, headers: { "x-amzn-ErrorType": "ResourceNotFoundException" },
    body: '{"Type": "User", "message": "Function not found: Nope"}' }),
  async (c) => assert.rejects(c.invoke("Nope", {}, true), { status: 404, errorType: "ResourceNotFoundException",
    message: "invoke Nope: HTTP 404: Function not found: Nope" }));
});

test("invoke without AWS_ENDPOINT_URL_LAMBDA is a ConfigurationError", () =>
  withEnv(CLEAR, () => assert.rejects(new WorkerContext({ worker: "w" }).invoke("X", {}),
    { name: "InvokeError", errorType: "ConfigurationError" })));

test("alert: priorities checked; outside the daemon only logged", () =>
  withEnv(CLEAR, async () => {
    assert.deepEqual(ALERT_PRIORITIES, ["PROBLEM", "IMPORTANT", "SUCCESS", "INFORMATIONAL"]);
    const c = new WorkerContext({ worker: "w" });
    await assert.rejects(c.alert("LOUD", "x"), TypeError);
    assert.equal(await c.alert({ name: "success" }, "done"), false);
    assert.deepEqual(c.alerts, [{ priority: "SUCCESS", text: "done" }]);
  }));

test("alert under the warm runtime goes to the prefixed path over the runtime's connection", async () => {
  const server = await standIn(() => ({ status: 202, body: "{}" }));
  const token = "0123456789abcdef0123456789abcdef";
  const api = `127.0.0.1:${server.port}/${token}`;
  const connection = new RuntimeConnection(api);
  activate(connection);
  try {
    await withEnv(Object.assign({}, CLEAR, { AWS_LAMBDA_RUNTIME_API: api, STARFLEET_WORKER: "w",
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${server.port}` }), async () => {
      const c = new WorkerContext({ worker: "w" });
      await connection.request("GET", connection.base + "/invocation/next");
      assert.equal(await c.alert("IMPORTANT", "hello"), true);
      await c.invoke("Echo", {});
      assert.deepEqual(server.requests.map((r) => r.url), [`/${token}/2018-06-01/runtime/invocation/next`,
        `/${token}/2018-06-01/starfleet/alert`, "/2015-03-31/functions/Echo/invocations"]);
      assert.deepEqual(JSON.parse(server.requests[1].body), { priority: "IMPORTANT", text: "hello" });
      assert.equal(server.ports.size, 1, "the SDK borrowed the runtime's one connection");
      const perPayload = new WorkerContext({ worker: "w", perPayload: true });
      assert.equal(await perPayload.alert("PROBLEM", "local"), false);
      assert.equal(server.requests.length, 3);
    });
  } finally {
    activate(null);
    connection.agent.destroy();
    await server.close();
  }
});

test("alert delivery failures resolve false", () =>
  withEnv(Object.assign({}, CLEAR, { AWS_LAMBDA_RUNTIME_API: "127.0.0.1:1/x", STARFLEET_WORKER: "w" }), async () => {
    assert.equal(await new WorkerContext({ worker: "w" }).alert("PROBLEM", "nobody listens"), false);
  }));
