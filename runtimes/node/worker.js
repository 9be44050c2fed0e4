// starfleet worker SDK for JavaScript (Bedrock's worker shape), node >= 18, CommonJS, no npm dependencies.
//
//   // workers/system-fetcher/main.js
//   const { Worker } = require("worker");          // NODE_PATH contains runtimes/node (also "starfleet-worker")
//
//   class SystemFetcher extends Worker {
//     async execute(event, context) {
//       context.logger.info("fetching for", context.accountId, context.region);
//       if (!context.commit) return { dryRun: true };
//       return { systems: [] };                      // anything JSON.stringify accepts is the result
//     }
//   }
//   module.exports = { SystemFetcher, handler: SystemFetcher.handler() };   // Handler: main.handler
//   if (require.main === module) SystemFetcher.main();                       // per payload: stdin -> stdout
//
// `node <runtimes/node>/worker.js main.js [ClassName]` runs the Worker subclass exported by main.js once per
// payload without the require.main block.
//
// Outcome: the value `execute` returns (or resolves to) is the result; a throw / rejection fails the attempt. The
// class is instantiated once per process, at its first payload.
//
// Worker.handler() returns `async (event, lambdaContext) => result`. An SQS-shaped event ({Records: [...]}, every
// record with eventSource "aws:sqs") is unwrapped: each record's body is JSON.parsed and run with its own context.
// One record returns its result (or throws its error); several all run, return the array of results, and throw a
// BatchFailure (errors: [{messageId, error}]) when any failed. Any other event is the payload itself.
//
// The context (second argument of execute):
//   worker, accountId, region, commit (boolean), messageId, receiveCount (number, 1 on the first attempt): from the
//     Lambda clientContext.custom (StarfleetWorker, StarfleetAccount, StarfleetRegion, StarfleetCommit,
//     StarfleetMessageId, StarfleetReceiveCount), else the SQS record (messageAttributes.StarfleetAccount/
//     StarfleetRegion/StarfleetCommit, messageId, attributes.ApproximateReceiveCount), else the payload
//     (StarbaseAssignedAccount, StarbaseAssignedRegion), else the environment (STARFLEET_WORKER,
//     STARFLEET_ACCOUNT_ID, STARFLEET_REGION, STARFLEET_COMMIT, STARFLEET_MESSAGE_ID, STARFLEET_RECEIVE_COUNT).
//     The worker name falls back to the class's static workerName, the Lambda function name, the class name.
//   config      the worker's configuration section (JSON file STARFLEET_WORKER_CONFIG_FILE), {} when absent
//   settings    STARFLEET_SETTINGS_FILE ({STARFLEET, AccountIndexFile, ConfigDirectory}), {} when absent
//   secrets     the worker's STARFLEET.SecretsManager entry ("Secrets" of STARFLEET_SECRETS_FILE), {} when absent
//   credentials name -> contents of the worker's systemd credentials ("Credentials" of STARFLEET_SECRETS_FILE)
//   logger      console-like (debug, info, log, warn, error) to stderr, one line per call: "LEVEL message"
//               (newlines written as \n); level STARFLEET_LOG_LEVEL (default INFO)
//   alert(priority, text) -> Promise<boolean>: "PROBLEM" | "IMPORTANT" | "SUCCESS" | "INFORMATIONAL". Under
//     starfleetd's warm runtime POSTs {priority, text} to http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/starfleet/alert
//     (resolves true); per payload it is logged and added to the result's starfleet_alerts when the result is an
//     object ({priority, title: first line, body: text}); elsewhere only logged. Delivery failures are logged.
//   invoke(name, payload, requireResponse = false, {account, region, commit} = {}) -> Promise: POST
//     $AWS_ENDPOINT_URL_LAMBDA/2015-03-31/functions/{name}/invocations. RequestResponse (requireResponse) resolves
//     to the parsed result and rejects with an InvokeError (errorMessage, errorType, stackTrace, status) on
//     X-Amz-Function-Error or an HTTP error; Event resolves to undefined (202).
//   lambdaContext (null per payload), getRemainingTimeInMillis() (null per payload)
//
// Under the warm runtime, alert and invoke reuse the runtime's keep-alive connection when it is idle.
"use strict";

const fs = require("fs");
const http = require("http");
const https = require("https");
const util = require("util");

const ALERT_PRIORITIES = ["PROBLEM", "IMPORTANT", "SUCCESS", "INFORMATIONAL"];
const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, WARN: 30, ERROR: 40, CRITICAL: 50 };
const TRUE = new Set(["true", "1", "yes", "on"]);

class InvokeError extends Error {
  constructor(message, { errorType, stackTrace, status, functionName } = {}) {
    super(message);
    this.name = "InvokeError";
    this.errorMessage = message;
    this.errorType = errorType;
    this.stackTrace = stackTrace || [];
    this.status = status;
    this.functionName = functionName;
  }
}

class BatchFailure extends Error {
  constructor(errors, total) {
    super(
      `${errors.length} of ${total} records failed: ` +
        errors.map((e) => `${e.messageId}: ${(e.error && e.error.name) || "Error"}: ${e.error && e.error.message}`).join("; ")
    );
    this.name = "BatchFailure";
    this.errors = errors;
  }
}

// -------------------------------------------------------------------------------------------------------------
// Files, logging, HTTP

const files = new Map();
function jsonFile(variable) {
  if (files.has(variable)) return files.get(variable);
  const p = process.env[variable];
  let value = {};
  if (p) {
    let text = null;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
    }
    if (text !== null && text.trim()) {
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new Error(`${variable} (${p}) is not valid JSON: ${err.message}`);
      }
    }
    if (value === null) value = {};
  }
  files.set(variable, value);
  return value;
}

const loggers = new Map();
function makeLogger(worker) {
  if (loggers.has(worker)) return loggers.get(worker);
  const threshold = LEVELS[(process.env.STARFLEET_LOG_LEVEL || "INFO").toUpperCase()] || LEVELS.INFO;
  const write = (level, name) => (...args) => {
    if (LEVELS[level] < threshold) return;
    const text = util.format(...args).replace(/\r/g, "").replace(/\n/g, "\\n");
    process.stderr.write(`${name} ${text}\n`);
  };
  const logger = {
    debug: write("DEBUG", "DEBUG"),
    info: write("INFO", "INFO"),
    log: write("INFO", "INFO"),
    warn: write("WARNING", "WARNING"),
    warning: write("WARNING", "WARNING"),
    error: write("ERROR", "ERROR"),
  };
  loggers.set(worker, logger);
  return logger;
}

// The warm runtime's connection (runtime-connection.js, beside this file). A lone copy of this file (in AWS Lambda)
// has none; under starfleetd it finds the runtime's module in LAMBDA_RUNTIME_DIR, where starfleet-runtime.js runs.
function loadRuntimeLink() {
  const path = require("path");
  const candidates = ["./runtime-connection"];
  if (process.env.LAMBDA_RUNTIME_DIR) candidates.push(path.join(process.env.LAMBDA_RUNTIME_DIR, "node", "runtime-connection.js"));
  for (const candidate of candidates) {
    try {
      return require(candidate);
    } catch (err) {
      if (!err || err.code !== "MODULE_NOT_FOUND") throw err;
    }
  }
  return null;
}
const runtimeLink = loadRuntimeLink();

const ownAgents = new Map();
// POSTs body to target (a URL string); resolves {status, headers, body (Buffer)}. Uses the warm runtime's
// keep-alive agent when the host:port is the runtime's and no other SDK request is using it.
function post(target, body, headers) {
  const u = new URL(target);
  const secure = u.protocol === "https:";
  const mod = secure ? https : http;
  const runtime = runtimeLink ? runtimeLink.active() : null;
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, "");
  let agent;
  let borrowed = false;
  if (!secure && runtime && runtime.busy === 0 && runtime.host === host && runtime.port === port) {
    agent = runtime.agent;
    borrowed = true;
    runtime.busy += 1;
  } else {
    const key = `${u.protocol}//${u.host}`;
    agent = ownAgents.get(key);
    if (!agent) {
      agent = new mod.Agent({ keepAlive: true });
      ownAgents.set(key, agent);
    }
  }
  const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const send = (retried) =>
    new Promise((resolve, reject) => {
      const req = mod.request(
        { host, port, method: "POST", path: u.pathname + u.search, agent, headers: Object.assign({ "Content-Length": data.length }, headers) },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        }
      );
      req.on("socket", (s) => s.setNoDelay(true));
      req.on("error", (err) => {
        if (!retried && req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE")) send(true).then(resolve, reject);
        else reject(err);
      });
      req.end(data);
    });
  return send(false).finally(() => {
    if (borrowed) runtime.busy -= 1;
  });
}

function underDaemonRuntime() {
  return Boolean(process.env.AWS_LAMBDA_RUNTIME_API && process.env.STARFLEET_WORKER);
}

// -------------------------------------------------------------------------------------------------------------
// Context

function first(...values) {
  for (const v of values) if (v !== undefined && v !== null && v !== "") return v;
  return undefined;
}

function str(v) {
  return v === undefined || v === null || v === "" ? undefined : String(v);
}

function attribute(record, key) {
  const attrs = record && record.messageAttributes;
  const entry = attrs && attrs[key];
  return entry ? str(entry.stringValue || entry.StringValue) : undefined;
}

class WorkerContext {
  constructor({ worker, accountId, region, commit, messageId, receiveCount, lambdaContext, perPayload }) {
    this.worker = worker;
    this.accountId = accountId === undefined ? null : accountId;
    this.region = region === undefined ? null : region;
    this.commit = Boolean(commit);
    this.messageId = messageId === undefined ? null : messageId;
    this.receiveCount = receiveCount || 1;
    this.lambdaContext = lambdaContext || null;
    this.alerts = [];
    Object.defineProperty(this, "_perPayload", { value: Boolean(perPayload), enumerable: false });
  }

  get config() {
    return jsonFile("STARFLEET_WORKER_CONFIG_FILE");
  }
  get settings() {
    return jsonFile("STARFLEET_SETTINGS_FILE");
  }
  get secrets() {
    return jsonFile("STARFLEET_SECRETS_FILE").Secrets || {};
  }
  get credentials() {
    return jsonFile("STARFLEET_SECRETS_FILE").Credentials || {};
  }
  get logger() {
    return makeLogger(this.worker);
  }

  getRemainingTimeInMillis() {
    return this.lambdaContext ? this.lambdaContext.getRemainingTimeInMillis() : null;
  }

  async alert(priority, text) {
    const name = String(priority && typeof priority === "object" && priority.name ? priority.name : priority).toUpperCase();
    if (!ALERT_PRIORITIES.includes(name)) {
      throw new TypeError(`alert priority must be one of ${ALERT_PRIORITIES.join(", ")}, not ${priority}`);
    }
    text = String(text);
    this.alerts.push({ priority: name, text });
    if (underDaemonRuntime() && !this._perPayload) {
      const api = process.env.AWS_LAMBDA_RUNTIME_API.trim().replace(/\/+$/, "");
      try {
        const res = await post(`http://${api}/2018-06-01/starfleet/alert`, JSON.stringify({ priority: name, text }), {
          "Content-Type": "application/json",
        });
        if (res.status < 300) return true;
        this.logger.warn(`alert not delivered (HTTP ${res.status} ${res.body.slice(0, 200)}): ${name} ${text}`);
      } catch (err) {
        this.logger.warn(`alert not delivered (${err.message}): ${name} ${text}`);
      }
      return false;
    }
    this.logger.info(`ALERT ${name} ${text}`);
    return false;
  }

  async invoke(name, payload, requireResponse = false, { account, region, commit } = {}) {
    const body = Buffer.isBuffer(payload) ? payload : typeof payload === "string" ? payload : JSON.stringify(payload === undefined ? null : payload);
    const endpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;
    if (!endpoint) {
      throw new InvokeError("context.invoke needs AWS_ENDPOINT_URL_LAMBDA (starfleetd's Invoke API)", {
        errorType: "ConfigurationError",
        functionName: name,
      });
    }
    const headers = {
      "Content-Type": "application/json",
      "X-Amz-Invocation-Type": requireResponse ? "RequestResponse" : "Event",
    };
    const custom = {};
    if (account !== undefined && account !== null) custom.StarfleetAccount = String(account);
    if (region !== undefined && region !== null) custom.StarfleetRegion = String(region);
    if (commit !== undefined && commit !== null) custom.StarfleetCommit = commit ? "true" : "false";
    if (Object.keys(custom).length) headers["X-Amz-Client-Context"] = Buffer.from(JSON.stringify({ custom })).toString("base64");
    const target = `${endpoint.replace(/\/+$/, "")}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
    let res;
    try {
      res = await post(target, body, headers);
    } catch (err) {
      throw new InvokeError(`invoke ${name}: ${err.message}`, { errorType: "ConnectionError", functionName: name });
    }
    const text = res.body.toString("utf8");
    if (res.status >= 300) {
      let message = text;
      try {
        const doc = JSON.parse(text);
        message = doc.message || doc.Message || doc.errorMessage || text;
      } catch (_) {
        /* keep the text */
      }
      throw new InvokeError(`invoke ${name}: HTTP ${res.status}: ${message}`, {
        errorType: res.headers["x-amzn-errortype"],
        status: res.status,
        functionName: name,
      });
    }
    const functionError = res.headers["x-amz-function-error"];
    if (functionError) {
      let doc = null;
      try {
        doc = JSON.parse(text);
      } catch (_) {
        doc = null;
      }
      if (doc && typeof doc === "object") {
        throw new InvokeError(String(doc.errorMessage !== undefined ? doc.errorMessage : text), {
          errorType: doc.errorType || functionError,
          stackTrace: doc.stackTrace || doc.trace,
          status: res.status,
          functionName: name,
        });
      }
      throw new InvokeError(text || `${name} failed`, { errorType: functionError, status: res.status, functionName: name });
    }
    if (!requireResponse || !text) return undefined;
    try {
      return JSON.parse(text);
    } catch (_) {
      return text;
    }
  }
}

function makeContext(cls, payload, lambdaContext, record, perPayload) {
  const cc = lambdaContext && lambdaContext.clientContext;
  const custom = (cc && typeof cc.custom === "object" && cc.custom) || {};
  const body = payload && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
  const env = process.env;
  const attrs = (record && record.attributes) || {};
  const commit = first(str(custom.StarfleetCommit), attribute(record, "StarfleetCommit"), env.STARFLEET_COMMIT);
  const count = first(str(custom.StarfleetReceiveCount), str(attrs.ApproximateReceiveCount), env.STARFLEET_RECEIVE_COUNT);
  return new WorkerContext({
    worker: first(str(custom.StarfleetWorker), env.STARFLEET_WORKER, cls.workerName, lambdaContext && lambdaContext.functionName, cls.name),
    accountId: first(str(custom.StarfleetAccount), attribute(record, "StarfleetAccount"), str(body.StarbaseAssignedAccount), env.STARFLEET_ACCOUNT_ID),
    region: first(str(custom.StarfleetRegion), attribute(record, "StarfleetRegion"), str(body.StarbaseAssignedRegion), env.STARFLEET_REGION),
    commit: commit ? TRUE.has(String(commit).trim().toLowerCase()) : false,
    messageId: first(str(custom.StarfleetMessageId), record && str(record.messageId), env.STARFLEET_MESSAGE_ID),
    receiveCount: Number.parseInt(count, 10) || 1,
    lambdaContext,
    perPayload,
  });
}

// -------------------------------------------------------------------------------------------------------------
// Worker

function isSqsEvent(event) {
  return Boolean(
    event &&
      typeof event === "object" &&
      Array.isArray(event.Records) &&
      event.Records.length > 0 &&
      event.Records.every((r) => r && typeof r === "object" && r.eventSource === "aws:sqs")
  );
}

function recordPayload(record) {
  if (record.body === undefined || record.body === null) return null;
  try {
    return JSON.parse(record.body);
  } catch (err) {
    throw new Error(`SQS record ${record.messageId}: the body is not JSON: ${err.message}`);
  }
}

async function runEvent(worker, event, lambdaContext) {
  const cls = worker.constructor;
  if (!isSqsEvent(event)) return worker.execute(event, makeContext(cls, event, lambdaContext));
  const records = event.Records;
  if (records.length === 1) {
    const payload = recordPayload(records[0]);
    return worker.execute(payload, makeContext(cls, payload, lambdaContext, records[0]));
  }
  const results = [];
  const errors = [];
  for (const record of records) {
    try {
      const payload = recordPayload(record);
      results.push(await worker.execute(payload, makeContext(cls, payload, lambdaContext, record)));
    } catch (error) {
      results.push(null);
      errors.push({ messageId: record.messageId, error });
      makeLogger(cls.name).error(`record ${record.messageId} failed:`, error);
    }
  }
  if (errors.length) throw new BatchFailure(errors, records.length);
  return results;
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

// Per-payload mode: resolves to the exit status; writes the result JSON on stdout. console.log (stdout) is sent to
// stderr while execute runs so stray output cannot corrupt the result.
async function runPayload(cls) {
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = (...args) => process.stderr.write(...args);
  let out;
  try {
    const raw = await readStdin();
    const event = raw.trim() ? JSON.parse(raw) : {};
    const context = makeContext(cls, event, null, null, true);
    let result = await new cls().execute(event, context);
    if (context.alerts.length && result && typeof result === "object" && !Array.isArray(result)) {
      result = Object.assign({}, result);
      result.starfleet_alerts = (result.starfleet_alerts || []).concat(
        context.alerts.map((a) => ({ priority: a.priority, title: a.text.split("\n")[0].slice(0, 150), body: a.text }))
      );
    }
    out = JSON.stringify(result === undefined ? null : result);
    if (out === undefined) out = "null";
  } catch (err) {
    process.stdout.write = realWrite;
    process.stderr.write(`${(err && err.stack) || err}\n`);
    return 1;
  }
  process.stdout.write = realWrite;
  await new Promise((resolve) => realWrite(out + "\n", resolve));
  return 0;
}

class Worker {
  async execute(event, context) {
    throw new Error(`${this.constructor.name} must define execute(event, context)`);
  }

  // handler = MyWorker.handler(): an (event, lambdaContext) => Promise handler for Lambda-style runtimes.
  static handler() {
    const cls = this;
    let instance = null;
    const handler = async function handler(event, lambdaContext) {
      if (!instance) instance = new cls();
      return runEvent(instance, event, lambdaContext || null);
    };
    handler.workerClass = cls;
    return handler;
  }

  // Per-payload mode: MyWorker.main() reads the payload from stdin, prints the result, sets the exit status.
  static main() {
    return runPayload(this).then(
      (code) => {
        process.exitCode = code;
        return code;
      },
      (err) => {
        process.stderr.write(`${(err && err.stack) || err}\n`);
        process.exitCode = 1;
        return 1;
      }
    );
  }
}

function findWorkerClass(mod, className) {
  const candidates = [];
  const visit = (v) => {
    if (typeof v === "function" && v.prototype instanceof Worker && !candidates.includes(v)) candidates.push(v);
  };
  if (mod && typeof mod === "object") {
    Object.values(mod).forEach(visit);
    if (mod.default && typeof mod.default === "object") Object.values(mod.default).forEach(visit);
    if (mod.handler && mod.handler.workerClass) visit(mod.handler.workerClass);
  }
  visit(mod);
  if (mod && mod.default) visit(mod.default);
  if (className) {
    const c = candidates.find((k) => k.name === className);
    if (!c) throw new Error(`no exported Worker subclass named ${className}`);
    return c;
  }
  const leaves = candidates.filter((c) => !candidates.some((o) => o !== c && o.prototype instanceof c));
  if (leaves.length !== 1) {
    throw new Error(leaves.length ? `several Worker subclasses (${leaves.map((c) => c.name).join(", ")}): name one` : "no exported Worker subclass");
  }
  return leaves[0];
}

const lambdaHandler = (cls) => cls.handler();

module.exports = {
  Worker,
  WorkerContext,
  InvokeError,
  BatchFailure,
  ALERT_PRIORITIES,
  lambdaHandler,
  runPayload,
  findWorkerClass,
  makeContext,
};

// `node worker.js FILE [ClassName]`: per-payload mode for the Worker subclass FILE exports.
if (require.main === module) {
  (async () => {
    const args = process.argv.slice(2);
    if (!args.length || args.length > 2) {
      process.stderr.write("usage: node worker.js FILE.js [ClassName] < payload.json\n");
      process.exitCode = 2;
      return;
    }
    const path = require("path");
    const file = path.resolve(args[0]);
    let mod;
    try {
      mod = /\.mjs$/.test(file) ? await import(require("url").pathToFileURL(file).href) : require(file);
    } catch (err) {
      process.stderr.write(`${(err && err.stack) || err}\n`);
      process.exitCode = 1;
      return;
    }
    let cls;
    try {
      cls = findWorkerClass(mod, args[1]);
    } catch (err) {
      process.stderr.write(`worker.js: ${file}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    // The class in the loaded file extends the Worker of the file's own require("worker"): the same module when
    // NODE_PATH points here, so instanceof holds.
    process.exitCode = await runPayload(cls);
  })();
}
