// The warm runtime's keep-alive connection to starfleetd's Runtime API, and the hand-off to the SDK (node >= 18).
//
// starfleet-runtime.js opens one RuntimeConnection for the process and calls activate(connection); worker.js asks
// active() for it and sends alerts and invokes over its agent while it is idle (the daemon identifies the process
// by the connection). Both files require this module, so they share it through node's module cache: no global.
//
// AWS_LAMBDA_RUNTIME_API is host:port with an optional path prefix (127.0.0.1:9001/<token>); the prefix starts
// every Runtime API path, and the SDK's alert URL (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/starfleet/alert).
"use strict";

const http = require("http");

// "host:port[/prefix]" -> {hostport, host, port, prefix} ("" when there is no prefix; no trailing slash).
function parseRuntimeApi(value) {
  const api = (value || "").trim();
  const slash = api.indexOf("/");
  const hostport = slash >= 0 ? api.slice(0, slash) : api;
  const raw = slash >= 0 ? api.slice(slash).replace(/\/+$/, "") : "";
  const prefix = raw === "/" ? "" : raw;
  const colon = hostport.lastIndexOf(":");
  const host = colon >= 0 ? hostport.slice(0, colon).replace(/^\[|\]$/g, "") : hostport;
  const port = colon >= 0 ? Number(hostport.slice(colon + 1)) : 80;
  return { api, hostport, host, port, prefix };
}

class RuntimeConnection {
  constructor(api) {
    const parsed = parseRuntimeApi(api);
    this.host = parsed.host;
    this.port = parsed.port;
    this.hostport = parsed.hostport;
    this.prefix = parsed.prefix;
    this.base = parsed.prefix + "/2018-06-01/runtime";
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, keepAliveMsecs: 30000 });
    this.agent.on("free", (socket) => socket.setNoDelay(true));
    // Requests in flight on the agent: the runtime's own, and the SDK's while it borrows the agent.
    this.busy = 0;
    this.connects = 0;
  }

  // The runtime's own requests mark the agent busy, so an SDK request made meanwhile (an alert not awaited by the
  // handler, sent during the long poll) takes its own connection instead of queueing behind `next`.
  request(method, reqPath, body, headers) {
    this.busy += 1;
    return this.send(method, reqPath, body, headers, false).finally(() => {
      this.busy -= 1;
    });
  }

  send(method, reqPath, body, headers, retried) {
    return new Promise((resolve, reject) => {
      const data = body === undefined || body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
      const h = Object.assign({}, headers || {});
      if (data) h["Content-Length"] = data.length;
      const req = http.request({ host: this.host, port: this.port, method, path: reqPath, headers: h, agent: this.agent });
      req.on("socket", (socket) => {
        socket.setNoDelay(true);
        if (!socket.__starfleetCounted) {
          socket.__starfleetCounted = true;
          this.connects += 1;
        }
      });
      req.on("response", (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", (err) => {
        // A kept-alive socket the peer closed while idle: send once more on a fresh one.
        if (!retried && req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE")) {
          this.send(method, reqPath, body, headers, true).then(resolve, reject);
        } else {
          reject(err);
        }
      });
      req.end(data || undefined);
    });
  }
}

let current = null;

// Lends `connection` to the SDK (null withdraws it).
function activate(connection) {
  current = connection;
}

// The runtime's connection when this process is starfleetd's warm runtime, else null.
function active() {
  return current;
}

module.exports = { RuntimeConnection, parseRuntimeApi, activate, active };
