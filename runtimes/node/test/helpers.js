// Test helpers: a stand-in HTTP server on 127.0.0.1 (bounded: closed by each test) and scoped environment changes.
"use strict";

const http = require("http");

// Starts a server whose answers come from `route(req, body)` -> {status, headers, body}; records every request.
async function standIn(route) {
  const requests = [];
  const ports = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      ports.add(req.socket.remotePort);
      const answer = route(req, body) || {};
      const data = Buffer.from(answer.body === undefined ? "" : answer.body);
      res.writeHead(answer.status || 200, Object.assign({ "Content-Length": data.length }, answer.headers || {}));
      res.end(data);
    });
  });
  server.keepAliveTimeout = 2000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  return {
    port,
    requests,
    ports,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

// Runs `fn` with the environment variables of `vars` set (undefined deletes), then restores them.
async function withEnv(vars, fn) {
  const saved = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

module.exports = { standIn, withEnv };
