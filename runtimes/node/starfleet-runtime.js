#!/usr/bin/env node
// AWS Lambda Runtime API client for starfleetd's warm node workers (`Runtime: nodejs`), node >= 18, no npm deps.
//
//   node starfleet-runtime.js
//
// Reads AWS_LAMBDA_RUNTIME_API (host:port, optionally with a path prefix: 127.0.0.1:9001/abc), _HANDLER
// (`file.function`: file relative to LAMBDA_TASK_ROOT, may contain directories, resolved as file.js, file.mjs,
// file.cjs; the function may be a dotted path into the module's exports), LAMBDA_TASK_ROOT and the
// AWS_LAMBDA_FUNCTION_* / AWS_LAMBDA_LOG_* variables. Then it loops forever: GET next invocation, call the
// handler with (event, context[, callback]), POST the JSON of the result (undefined -> null) or the error
// document {errorMessage, errorType, stackTrace: [lines]} with the header Lambda-Runtime-Function-Error-Type.
// Handlers may be async (return a promise), callback-style (3 parameters: (event, context, callback)), or plain
// functions returning a value. The context has awsRequestId, functionName, functionVersion, memoryLimitInMB,
// invokedFunctionArn, logGroupName, logStreamName, identity, clientContext ({client, custom, env}),
// getRemainingTimeInMillis(), callbackWaitsForEmptyEventLoop, and the legacy done/succeed/fail.
// A handler that cannot be loaded is reported to /runtime/init/error and the process exits 1; an exception that
// escapes the handler asynchronously fails the current invocation and the process exits 1.
//
// One keep-alive TCP connection (runtime-connection.js: an http.Agent with keepAlive and maxSockets 1) serves the
// whole process; the SDK (worker.js) borrows it, through that module, for alerts and invokes while the handler runs.
"use strict";

const fs = require("fs");
const path = require("path");
const url = require("url");
const { RuntimeConnection, activate } = require("./runtime-connection");

const API = (process.env.AWS_LAMBDA_RUNTIME_API || "").trim();
// One keep-alive connection (an http.Agent with maxSockets 1) for the process; main() lends it to the SDK.
const connection = new RuntimeConnection(API);
const BASE = connection.base;

function request(method, reqPath, body, headers) {
  return connection.request(method, reqPath, body, headers);
}

function stackLines(err) {
  if (err && typeof err.stack === "string") {
    return err.stack.split("\n").slice(1).map((l) => l.trim()).filter(Boolean);
  }
  return [];
}

function errorDocument(err, fallbackType) {
  if (err instanceof Error || (err && typeof err === "object" && "message" in err)) {
    return {
      errorType: fallbackType || err.name || (err.constructor && err.constructor.name) || "Error",
      errorMessage: String(err.message),
      stackTrace: stackLines(err),
    };
  }
  let message;
  try {
    message = typeof err === "string" ? err : JSON.stringify(err);
  } catch (_) {
    message = String(err);
  }
  return { errorType: fallbackType || "Error", errorMessage: String(message), stackTrace: [] };
}

function oneLine(s) {
  return String(s).replace(/\r/g, "").replace(/\n/g, "\\n");
}

class InitError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    this.cause = cause;
  }
}

async function loadHandler(spec, taskRoot) {
  spec = (spec || "").trim();
  const base = path.basename(spec);
  const dir = path.dirname(spec);
  const m = /^([^.]*)\.(.*)$/.exec(base);
  if (!m || !m[1] || !m[2]) throw new InitError("Runtime.MalformedHandlerName", `Bad handler '${spec}'`);
  const modulePath = path.resolve(taskRoot || process.cwd(), dir, m[1]);
  const candidates = [[".js", "require"], [".mjs", "import"], [".cjs", "require"]];
  let mod;
  let found = false;
  for (const [ext, how] of candidates) {
    const file = modulePath + ext;
    if (!fs.existsSync(file)) continue;
    found = true;
    try {
      if (how === "require") {
        try {
          mod = require(file);
        } catch (err) {
          if (err && err.code === "ERR_REQUIRE_ESM") mod = await import(url.pathToFileURL(file).href);
          else throw err;
        }
      } else {
        mod = await import(url.pathToFileURL(file).href);
      }
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw new InitError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, err);
      }
      throw new InitError("Runtime.ImportModuleError", `Error: Cannot load '${file}': ${err && err.message}`, err);
    }
    break;
  }
  if (!found) {
    // A package directory or a bare module name (node_modules), as require resolves it.
    try {
      mod = require(require.resolve(modulePath, { paths: [taskRoot || process.cwd()] }));
    } catch (err) {
      throw new InitError("Runtime.ImportModuleError", `Error: Cannot find module '${m[1]}'`, err);
    }
  }
  let fn = mod;
  for (const part of m[2].split(".")) {
    fn = fn == null ? undefined : fn[part];
    if (fn === undefined && mod && mod.default && part === m[2].split(".")[0]) fn = mod.default[part];
  }
  if (fn === undefined || fn === null) {
    throw new InitError("Runtime.HandlerNotFound", `${spec} is undefined or not exported`);
  }
  if (typeof fn !== "function") {
    throw new InitError("Runtime.HandlerNotFound", `${spec} is not a function`);
  }
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  let clientContext;
  let identity;
  const cc = headers["lambda-runtime-client-context"];
  if (cc) {
    try {
      clientContext = JSON.parse(cc);
    } catch (_) {
      clientContext = undefined;
    }
  }
  const ci = headers["lambda-runtime-cognito-identity"];
  if (ci) {
    try {
      const parsed = JSON.parse(ci);
      identity = { cognitoIdentityId: parsed.cognitoIdentityId, cognitoIdentityPoolId: parsed.cognitoIdentityPoolId };
    } catch (_) {
      identity = undefined;
    }
  }
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION || "$LATEST",
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext,
    identity,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis() {
      return Math.max(0, deadline - Date.now());
    },
  };
}

// Runs the handler; resolves to {ok: true, value} or {ok: false, error}. Settles once.
function invokeHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const succeed = (value) => {
      if (!settled) {
        settled = true;
        resolve({ ok: true, value });
      }
    };
    const fail = (error) => {
      if (!settled) {
        settled = true;
        resolve({ ok: false, error });
      }
    };
    const callback = (err, value) => (err !== undefined && err !== null ? fail(err) : succeed(value));
    context.done = callback;
    context.succeed = (value) => succeed(value);
    context.fail = (err) => fail(err === undefined || err === null ? new Error("handled") : err);
    current = { fail };
    let result;
    try {
      result = handler(event, context, callback);
    } catch (err) {
      fail(err);
      return;
    }
    if (result && typeof result.then === "function") {
      result.then(succeed, (err) => fail(err === undefined ? new Error("Promise rejected with undefined") : err));
    } else if (handler.length < 3) {
      succeed(result);
    }
    // else: a callback-style handler answers through the callback.
  });
}

let current = null;

async function postInitError(err) {
  const doc =
    err instanceof InitError
      ? { errorType: err.name, errorMessage: err.message, stackTrace: err.cause ? stackLines(err.cause) : [] }
      : errorDocument(err, "Runtime.Unknown");
  process.stderr.write(`[ERROR] ${doc.errorType}: ${oneLine(doc.errorMessage)}\n`);
  try {
    await request("POST", BASE + "/init/error", JSON.stringify(doc), {
      "Content-Type": "application/json",
      "Lambda-Runtime-Function-Error-Type": doc.errorType,
    });
  } catch (e) {
    process.stderr.write(`LAMBDA_RUNTIME Failed to post the init error: ${e.message}\n`);
  }
}

async function main() {
  if (!API) {
    process.stderr.write("starfleet-runtime: AWS_LAMBDA_RUNTIME_API is not set\n");
    process.exit(2);
  }
  // The SDK (worker.js) sends alerts and invokes over this connection while it is idle.
  activate(connection);
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER, taskRoot);
  } catch (err) {
    await postInitError(err);
    process.exit(1);
  }

  let requestId = null;
  let exitAfterPost = false;
  // An exception or rejection that escapes the handler asynchronously fails the invocation; then the process
  // exits, as AWS's runtime does (its state is unknown).
  const escape = (err) => {
    process.stderr.write(`[ERROR] Uncaught ${oneLine((err && err.stack) || err)}\n`);
    if (current && requestId) {
      current.fail(err);
      exitAfterPost = true;
    } else {
      process.exit(1);
    }
  };
  process.on("uncaughtException", escape);
  process.on("unhandledRejection", escape);

  const jsonHeaders = { "Content-Type": "application/json" };
  for (;;) {
    let next;
    try {
      next = await request("GET", BASE + "/invocation/next");
    } catch (err) {
      process.stderr.write(`LAMBDA_RUNTIME Failed to get next invocation. No Response from endpoint: ${err.message}\n`);
      process.exit(1);
    }
    if (next.status !== 200) {
      process.stderr.write(`LAMBDA_RUNTIME Failed to get next invocation: HTTP ${next.status} ${next.body.slice(0, 200)}\n`);
      process.exit(1);
    }
    requestId = next.headers["lambda-runtime-aws-request-id"];
    const trace = next.headers["lambda-runtime-trace-id"];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;

    let outcome;
    try {
      const context = makeContext(next.headers);
      const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : null;
      outcome = await invokeHandler(handler, event, context);
    } catch (err) {
      outcome = { ok: false, error: err };
    }
    current = null;
    let reqPath;
    let body;
    let headers = jsonHeaders;
    if (outcome.ok) {
      try {
        body = JSON.stringify(outcome.value === undefined ? null : outcome.value);
        if (body === undefined) body = "null"; // a function or symbol
        reqPath = `${BASE}/invocation/${requestId}/response`;
      } catch (err) {
        outcome = { ok: false, error: err, marshal: true };
      }
    }
    if (!outcome.ok) {
      const doc = errorDocument(outcome.error, outcome.marshal ? "Runtime.MarshalError" : undefined);
      if (outcome.marshal) doc.errorMessage = `Unable to stringify response body: ${doc.errorMessage}`;
      process.stderr.write(`[ERROR] ${doc.errorType}: ${oneLine(doc.errorMessage)}\n`);
      if (doc.stackTrace.length) process.stderr.write("    " + doc.stackTrace.join("\n    ") + "\n");
      body = JSON.stringify(doc);
      reqPath = `${BASE}/invocation/${requestId}/error`;
      headers = { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc.errorType };
    }
    let reply;
    try {
      reply = await request("POST", reqPath, body, headers);
    } catch (err) {
      process.stderr.write(`LAMBDA_RUNTIME Failed to post the result of ${requestId}: ${err.message}\n`);
      process.exit(1);
    }
    if (reply.status >= 300) {
      process.stderr.write(`LAMBDA_RUNTIME The runtime API answered HTTP ${reply.status} to ${reqPath}: ${reply.body.slice(0, 200)}\n`);
    }
    requestId = null;
    if (exitAfterPost) process.exit(1);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`LAMBDA_RUNTIME ${(err && err.stack) || err}\n`);
    process.exit(1);
  });
}

module.exports = { loadHandler, errorDocument, makeContext, invokeHandler };
