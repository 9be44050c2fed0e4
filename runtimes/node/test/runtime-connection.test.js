"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { RuntimeConnection, parseRuntimeApi, activate, active } = require("../runtime-connection");
const { standIn } = require("./helpers");

test("AWS_LAMBDA_RUNTIME_API without a path prefix", () => {
  assert.deepEqual(parseRuntimeApi("127.0.0.1:9001"),
    { api: "127.0.0.1:9001", hostport: "127.0.0.1:9001", host: "127.0.0.1", port: 9001, prefix: "" });
});

test("AWS_LAMBDA_RUNTIME_API with the daemon's per-process token", () => {
  const token = "0123456789abcdef0123456789abcdef";
  const p = parseRuntimeApi(` 127.0.0.1:9001/${token}/ `);
  assert.equal(p.host, "127.0.0.1");
  assert.equal(p.port, 9001);
  assert.equal(p.prefix, `/${token}`);
  assert.equal(new RuntimeConnection(`127.0.0.1:9001/${token}`).base, `/${token}/2018-06-01/runtime`);
});

test("a bare slash is no prefix; IPv6 brackets are dropped; no port is 80", () => {
  assert.equal(parseRuntimeApi("127.0.0.1:9001/").prefix, "");
  assert.equal(parseRuntimeApi("[::1]:9001").host, "::1");
  assert.equal(parseRuntimeApi("localhost").port, 80);
  assert.equal(parseRuntimeApi(undefined).hostport, "");
});

test("activate lends the connection; active() is null until then", () => {
  assert.equal(active(), null);
  const c = new RuntimeConnection("127.0.0.1:1");
  activate(c);
  try {
    assert.equal(active(), c);
  } finally {
    activate(null);
  }
  assert.equal(active(), null);
});

test("request keeps one connection and counts it busy while in flight", async () => {
  const server = await standIn(() => ({ status: 200, body: "{}" }));
  const c = new RuntimeConnection(`127.0.0.1:${server.port}/tok`);
  try {
    const pending = c.request("GET", c.base + "/invocation/next");
    assert.equal(c.busy, 1);
    const first = await pending;
    assert.equal(first.status, 200);
    assert.equal(c.busy, 0);
    await c.request("POST", c.base + "/invocation/r1/response", "null", { "Content-Type": "application/json" });
    assert.deepEqual(server.requests.map((r) => r.url),
      ["/tok/2018-06-01/runtime/invocation/next", "/tok/2018-06-01/runtime/invocation/r1/response"]);
    assert.equal(server.ports.size, 1);
    assert.equal(c.connects, 1);
  } finally {
    c.agent.destroy();
    await server.close();
  }
});
