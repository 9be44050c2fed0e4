"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { loadHandler, errorDocument, makeContext, invokeHandler } = require("../starfleet-runtime");

function taskRoot(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "starfleet-runtime-test-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test("errorDocument of an Error: its name, message and stack lines", () => {
  class DiskFull extends Error {
    constructor(m) {
      super(m);
      this.name = "DiskFull";
    }
  }
  const doc = errorDocument(new DiskFull("no space"));
  assert.equal(doc.errorType, "DiskFull");
  assert.equal(doc.errorMessage, "no space");
  assert.ok(doc.stackTrace.length > 0 && doc.stackTrace.every((l) => l.startsWith("at ")), doc.stackTrace.join("\n"));
  assert.deepEqual(Object.keys(doc).sort(), ["errorMessage", "errorType", "stackTrace"]);
});

test("errorDocument of a thrown string, an object, and with a fallback type", () => {
  assert.deepEqual(errorDocument("bad"), { errorType: "Error", errorMessage: "bad", stackTrace: [] });
  assert.deepEqual(errorDocument({ code: 3 }), { errorType: "Error", errorMessage: '{"code":3}', stackTrace: [] });
  assert.equal(errorDocument(new TypeError("x"), "Runtime.MarshalError").errorType, "Runtime.MarshalError");
  assert.deepEqual(errorDocument({ message: "m" }).errorMessage, "m");
});

test("loadHandler: file.function, a directory, a dotted export, .mjs", async () => {
  const root = taskRoot({
    "main.js": "exports.handler = async () => 1; exports.nested = { deep: () => 2 };",
    "lib/app.js": "module.exports.run = () => 3;",
    "esm.mjs": "export const handler = () => 4;",
  });
  assert.equal(await (await loadHandler("main.handler", root))(), 1);
  assert.equal((await loadHandler("main.nested.deep", root))(), 2);
  assert.equal((await loadHandler("lib/app.run", root))(), 3);
  assert.equal((await loadHandler("esm.handler", root))(), 4);
});

test("loadHandler errors carry AWS's Runtime.* types", async () => {
  const root = taskRoot({
    "main.js": "exports.value = 5;",
    "broken.js": "exports.handler = () => {",
    "throws.js": "throw new Error('at import');",
  });
  const cases = [
    ["nodot", "Runtime.MalformedHandlerName"],
    ["missing.handler", "Runtime.ImportModuleError"],
    ["main.nothing", "Runtime.HandlerNotFound"],
    ["main.value", "Runtime.HandlerNotFound"],
    ["broken.handler", "Runtime.UserCodeSyntaxError"],
    ["throws.handler", "Runtime.ImportModuleError"],
  ];
  for (const [spec, type] of cases) {
    await assert.rejects(loadHandler(spec, root), (err) => err.name === type, `${spec} -> ${type}`);
  }
});

test("the Lambda context: remaining time from the deadline header, client context, identity", () => {
  const deadline = Date.now() + 5000;
  const c = makeContext({
    "lambda-runtime-aws-request-id": "r-1",
    "lambda-runtime-deadline-ms": String(deadline),
    "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-2:000000000000:function:Probe",
    "lambda-runtime-client-context": JSON.stringify({ client: null, env: null, custom: { StarfleetAccount: "1" } }),
    "lambda-runtime-cognito-identity": JSON.stringify({ cognitoIdentityId: "id", cognitoIdentityPoolId: "pool" }),
  });
  assert.equal(c.awsRequestId, "r-1");
  const left = c.getRemainingTimeInMillis();
  assert.ok(left > 4000 && left <= 5000, String(left));
  assert.deepEqual(c.clientContext.custom, { StarfleetAccount: "1" });
  assert.deepEqual(c.identity, { cognitoIdentityId: "id", cognitoIdentityPoolId: "pool" });
  const past = makeContext({ "lambda-runtime-deadline-ms": String(Date.now() - 10), "lambda-runtime-client-context": "{" });
  assert.equal(past.getRemainingTimeInMillis(), 0);
  assert.equal(past.clientContext, undefined);
});

test("invokeHandler: async, plain, callback-style, and a throw", async () => {
  const ctx = () => makeContext({});
  assert.deepEqual(await invokeHandler(async (e) => e.n + 1, { n: 1 }, ctx()), { ok: true, value: 2 });
  assert.deepEqual(await invokeHandler((e) => e.n, { n: 3 }, ctx()), { ok: true, value: 3 });
  assert.deepEqual(await invokeHandler((e, c, cb) => setImmediate(() => cb(null, "cb")), {}, ctx()), { ok: true, value: "cb" });
  const thrown = await invokeHandler(() => {
    throw new RangeError("r");
  }, {}, ctx());
  assert.equal(thrown.ok, false);
  assert.equal(thrown.error.name, "RangeError");
  const rejected = await invokeHandler(() => Promise.reject(undefined), {}, ctx());
  assert.match(rejected.error.message, /Promise rejected with undefined/);
});
