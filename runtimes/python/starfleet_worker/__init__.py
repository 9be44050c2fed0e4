"""starfleet_worker: the Python SDK for starfleetd workers (Bedrock's worker shape, standard library only).

Write a worker as a class; the same class runs warm under starfleetd (``Runtime: python``, ``Handler:
main.handler``), once per payload (``Runtime: process``), and in AWS Lambda itself::

    # workers/system_fetcher/main.py
    from starfleet_worker import Worker

    class SystemFetcher(Worker):
        def execute(self, event, context):
            context.logger.info("fetching for %s in %s", context.account_id, context.region)
            if not context.commit:
                return {"dry_run": True}
            return {"systems": []}          # anything json.dumps accepts is the result

    handler = SystemFetcher.handler()      # the Lambda handler: Handler: main.handler

    if __name__ == "__main__":             # per payload: payload JSON on stdin, result JSON on stdout
        SystemFetcher.main()               # (or starfleet_worker.main(), which finds the class in __main__)

``python3 -m starfleet_worker.run main`` (a module name, or a path to a .py file, optionally followed by the class
name) does the same as ``main()`` without the ``__main__`` block.

Outcome: the return value of ``execute`` is the result; an exception fails the attempt (the runtime posts the
error document, per-payload mode prints the traceback on stderr and exits 1). The worker class is instantiated
once per process, at its first payload, so ``__init__`` may set up clients for later payloads.

Lambda handler (``Worker.handler()``): an SQS-shaped event (``{"Records": [...]}``, every record with
``eventSource`` ``aws:sqs``) is unwrapped: each record's ``body`` is parsed as JSON and run with its own context
(message id and receive count from the record). One record returns its result (and raises its exception); several
records all run, return the list of results, and raise ``BatchFailure`` when any failed. Any other event is the
payload itself.

``WorkerContext`` (the second argument of ``execute``):

- ``worker`` (str), ``account_id`` (str or None), ``region`` (str or None), ``commit`` (bool), ``message_id``
  (str or None), ``receive_count`` (int, 1 on the first attempt). Each comes from, in order: the Lambda client
  context's ``custom`` keys (``StarfleetWorker``, ``StarfleetAccount``, ``StarfleetRegion``, ``StarfleetCommit``,
  ``StarfleetMessageId``, ``StarfleetReceiveCount``: starfleetd's warm runtime), the SQS record
  (``messageAttributes.StarfleetAccount`` / ``StarfleetRegion`` / ``StarfleetCommit``, ``messageId``,
  ``attributes.ApproximateReceiveCount``), the payload (``StarbaseAssignedAccount``, ``StarbaseAssignedRegion``),
  then the environment (``STARFLEET_WORKER``, ``STARFLEET_ACCOUNT_ID``, ``STARFLEET_REGION``,
  ``STARFLEET_COMMIT``, ``STARFLEET_MESSAGE_ID``, ``STARFLEET_RECEIVE_COUNT``: per-payload mode). The worker name
  falls back to the class's ``name`` attribute, the Lambda function name, then the class name; commit to False.
- ``config``: dict, the worker's configuration section (JSON file ``STARFLEET_WORKER_CONFIG_FILE``), ``{}`` when
  absent.
- ``settings``: dict, ``STARFLEET_SETTINGS_FILE`` (``{"STARFLEET": {...}, "AccountIndexFile": path,
  "ConfigDirectory": path}``), ``{}`` when absent.
- ``secrets``: the worker's entry of the ``STARFLEET.SecretsManager`` secret (the ``"Secrets"`` entry of
  ``STARFLEET_SECRETS_FILE``), ``{}`` when absent or null.
- ``credentials``: dict name -> contents of the systemd credentials given to the worker (the ``"Credentials"`` map
  of ``STARFLEET_SECRETS_FILE``), ``{}`` when absent. The three files are read once per process, when first used.
- ``logger``: a ``logging.Logger`` writing one line per record to stderr, ``"LEVEL message"`` (newlines in the
  message or traceback are written as ``\\n`` so a record stays one journal line). Level ``STARFLEET_LOG_LEVEL``
  (default INFO).
- ``alert(priority, text)``: priority ``"PROBLEM"``, ``"IMPORTANT"``, ``"SUCCESS"`` or ``"INFORMATIONAL"``
  (Starfleet's send_alert levels; an enum member with that ``.name`` works too). Under starfleetd's warm runtime
  (``AWS_LAMBDA_RUNTIME_API`` and ``STARFLEET_WORKER`` set) it POSTs ``{"priority", "text"}`` to
  ``http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/starfleet/alert``; the daemon filters it by the worker's
  ``AlertConfiguration``. In per-payload mode it is logged and, when the result is a dict, added to the result's
  ``starfleet_alerts`` list (``{"priority", "title": first line of text, "body": text}``), which the daemon posts
  the same way. Elsewhere (AWS Lambda, tests) it is only logged. Returns True when handed to the daemon; a failed
  delivery is logged, never raised.
- ``invoke(name, payload, require_response=False, account=None, region=None, commit=None)``: POSTs the payload
  (a JSON-serialisable value, or str/bytes already JSON) to
  ``$AWS_ENDPOINT_URL_LAMBDA/2015-03-31/functions/{name}/invocations``. ``require_response=True`` ->
  ``RequestResponse``: returns the parsed JSON result, raises ``InvokeError`` (``.error_message``, ``.error_type``,
  ``.stack_trace``, ``.status``) when ``X-Amz-Function-Error`` is set or the call fails (404 unknown worker...).
  False -> ``Event``: queued (202), returns None. ``account``/``region``/``commit`` set the invoked payload's
  (sent as ``X-Amz-Client-Context``); by default the daemon applies the invoked worker's own defaults. Without
  ``AWS_ENDPOINT_URL_LAMBDA`` (in AWS Lambda) it uses boto3's ``lambda.invoke`` when boto3 is importable.
- ``lambda_context``: the Lambda context object (None in per-payload mode); ``get_remaining_time_in_millis()``
  returns its value, or None.

Under the warm runtime, ``alert`` and ``invoke`` reuse the runtime's keep-alive connection (the daemon identifies
the process by it) whenever it is idle, which it is while ``execute`` runs; concurrent calls from other threads
open their own connection.
"""
import json
import os
import sys

__all__ = ["Worker", "WorkerContext", "InvokeError", "BatchFailure", "ALERT_PRIORITIES", "main", "run_payload"]

ALERT_PRIORITIES = ("PROBLEM", "IMPORTANT", "SUCCESS", "INFORMATIONAL")

# (scheme, netloc) -> starfleet_worker._http.Connection; the warm runtime registers its own connection here.
_connections = {}
_files = {}
_loggers = {}
_TRUE = ("true", "1", "yes", "on")


class InvokeError(Exception):
    """A failed ``context.invoke``: the invoked worker failed (``X-Amz-Function-Error``) or the call did."""

    def __init__(self, error_message, error_type=None, stack_trace=None, status=None, function_name=None):
        Exception.__init__(self, error_message)
        self.error_message = error_message
        self.error_type = error_type
        self.stack_trace = stack_trace or []
        self.status = status
        self.function_name = function_name


class BatchFailure(Exception):
    """Some records of a multi-record SQS event failed; ``failures`` is a list of ``(messageId, exception)``."""

    def __init__(self, failures, total):
        self.failures = failures
        Exception.__init__(self, "%d of %d records failed: %s" % (len(failures), total, "; ".join(
            "%s: %s: %s" % (mid, type(exc).__name__, exc) for mid, exc in failures)))


# ---------------------------------------------------------------------------------------------------------------
# Files, logging, HTTP


def _json_file(variable):
    if variable in _files:
        return _files[variable]
    path = os.environ.get(variable)
    value = {}
    if path:
        try:
            with open(path, "rb") as f:
                value = json.loads(f.read() or b"{}")
        except FileNotFoundError:
            value = {}
        except ValueError as exc:
            raise ValueError("%s (%s) is not valid JSON: %s" % (variable, path, exc))
        if value is None:
            value = {}
    _files[variable] = value
    return value


def _get_logger(worker):
    logger = _loggers.get(worker)
    if logger is not None:
        return logger
    import logging

    class _Handler(logging.Handler):
        def emit(self, record):
            try:
                text = "%s %s" % (record.levelname, record.getMessage())
                if record.exc_info:
                    text += "\n" + logging.Formatter().formatException(record.exc_info)
                if record.stack_info:
                    text += "\n" + record.stack_info
                stream = sys.stderr
                stream.write(text.replace("\r", "").replace("\n", "\\n") + "\n")
                stream.flush()
            except Exception:
                self.handleError(record)

    logger = logging.getLogger("starfleet_worker." + worker)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(_Handler())
    level = os.environ.get("STARFLEET_LOG_LEVEL", "INFO").upper()
    logger.setLevel(getattr(logging, level, logging.INFO) if isinstance(getattr(logging, level, None), int)
                    else logging.INFO)
    _loggers[worker] = logger
    return logger


def _post(url, body, headers):
    """POSTs ``body`` to ``url`` over a kept-alive connection (borrowed when idle); returns (status, headers, data)."""
    from urllib.parse import urlsplit
    from starfleet_worker._http import Connection

    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    key = (parts.scheme or "http", parts.netloc)
    conn = _connections.get(key)
    if conn is None:
        conn = _connections.setdefault(key, Connection(parts.netloc, key[0]))
    if conn.lock.acquire(False):
        try:
            return conn.request("POST", path, body, headers)
        finally:
            conn.lock.release()
    once = Connection(parts.netloc, key[0])
    try:
        return once.request("POST", path, body, headers)
    finally:
        once.close()


def _json_default(o):
    if type(o).__name__ == "Decimal":
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


# ---------------------------------------------------------------------------------------------------------------
# Context


class WorkerContext:
    """What ``Worker.execute`` gets besides the payload (see the module docstring)."""

    def __init__(self, worker, account_id=None, region=None, commit=False, message_id=None, receive_count=1,
                 lambda_context=None, per_payload=False):
        self.worker = worker
        self.account_id = account_id
        self.region = region
        self.commit = commit
        self.message_id = message_id
        self.receive_count = receive_count
        self.lambda_context = lambda_context
        self.alerts = []          # alerts raised during this payload: (priority, text)
        self._per_payload = per_payload

    def __repr__(self):
        return ("WorkerContext(worker=%r, account_id=%r, region=%r, commit=%r, message_id=%r, receive_count=%r)"
                % (self.worker, self.account_id, self.region, self.commit, self.message_id, self.receive_count))

    @property
    def config(self):
        return _json_file("STARFLEET_WORKER_CONFIG_FILE")

    @property
    def settings(self):
        return _json_file("STARFLEET_SETTINGS_FILE")

    @property
    def secrets(self):
        return _json_file("STARFLEET_SECRETS_FILE").get("Secrets") or {}

    @property
    def credentials(self):
        return _json_file("STARFLEET_SECRETS_FILE").get("Credentials") or {}

    @property
    def logger(self):
        return _get_logger(self.worker)

    def get_remaining_time_in_millis(self):
        lc = self.lambda_context
        return lc.get_remaining_time_in_millis() if lc is not None else None

    # -- alerts

    def alert(self, priority, text):
        name = getattr(priority, "name", priority)
        name = str(name).upper()
        if name not in ALERT_PRIORITIES:
            raise ValueError("alert priority must be one of %s, not %r" % (", ".join(ALERT_PRIORITIES), priority))
        text = str(text)
        self.alerts.append((name, text))
        api = os.environ.get("AWS_LAMBDA_RUNTIME_API")
        if api and os.environ.get("STARFLEET_WORKER") and not self._per_payload:
            body = json.dumps({"priority": name, "text": text}).encode()
            try:
                status, _, data = _post("http://%s/2018-06-01/starfleet/alert" % api.strip().strip("/"), body,
                                        {"Content-Type": "application/json"})
                if status < 300:
                    return True
                self.logger.warning("alert not delivered (HTTP %d %s): %s %s", status,
                                    data[:200].decode("utf-8", "replace"), name, text)
            except Exception as exc:
                self.logger.warning("alert not delivered (%s): %s %s", exc, name, text)
            return False
        self.logger.info("ALERT %s %s", name, text)
        return False

    # -- invoke

    def invoke(self, name, payload, require_response=False, account=None, region=None, commit=None):
        if isinstance(payload, bytes):
            body = payload
        elif isinstance(payload, str):
            body = payload.encode()
        else:
            body = json.dumps(payload, default=_json_default).encode()
        invocation_type = "RequestResponse" if require_response else "Event"
        custom = {}
        if account is not None:
            custom["StarfleetAccount"] = str(account)
        if region is not None:
            custom["StarfleetRegion"] = str(region)
        if commit is not None:
            custom["StarfleetCommit"] = "true" if commit else "false"
        client_context = None
        if custom:
            import base64
            client_context = base64.b64encode(json.dumps({"custom": custom}).encode()).decode()

        endpoint = os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
        if not endpoint:
            return self._invoke_boto3(name, body, invocation_type, client_context)
        from urllib.parse import quote
        headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": invocation_type}
        if client_context:
            headers["X-Amz-Client-Context"] = client_context
        url = "%s/2015-03-31/functions/%s/invocations" % (endpoint.rstrip("/"), quote(str(name), safe=""))
        try:
            status, resp_headers, data = _post(url, body, headers)
        except OSError as exc:
            raise InvokeError("invoke %s: %s" % (name, exc), "ConnectionError", function_name=name)
        if status >= 300:
            try:
                doc = json.loads(data)
                message = doc.get("message") or doc.get("Message") or doc.get("errorMessage") or data.decode()
            except Exception:
                message = data.decode("utf-8", "replace")
            raise InvokeError("invoke %s: HTTP %d: %s" % (name, status, message),
                              resp_headers.get("x-amzn-ErrorType"), status=status, function_name=name)
        function_error = resp_headers.get("X-Amz-Function-Error")
        if function_error:
            raise _function_error(name, data, function_error, status)
        if not require_response:
            return None
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return data.decode("utf-8", "replace")

    def _invoke_boto3(self, name, body, invocation_type, client_context):
        try:
            import boto3
        except ImportError:
            raise InvokeError("context.invoke needs AWS_ENDPOINT_URL_LAMBDA (starfleetd) or boto3 (AWS Lambda)",
                              "ConfigurationError", function_name=name)
        kwargs = {"FunctionName": name, "InvocationType": invocation_type, "Payload": body}
        if client_context:
            kwargs["ClientContext"] = client_context
        resp = boto3.client("lambda").invoke(**kwargs)
        data = resp["Payload"].read() if resp.get("Payload") is not None else b""
        if resp.get("FunctionError"):
            raise _function_error(name, data, resp["FunctionError"], resp.get("StatusCode"))
        if invocation_type != "RequestResponse" or not data:
            return None
        return json.loads(data)


def _function_error(name, data, function_error, status):
    try:
        doc = json.loads(data)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        return InvokeError(str(doc.get("errorMessage", data.decode("utf-8", "replace"))),
                           doc.get("errorType") or function_error, doc.get("stackTrace"), status, name)
    return InvokeError(data.decode("utf-8", "replace") or "%s failed" % name, function_error, None, status, name)


def _string(value):
    if value is None:
        return None
    value = str(value)
    return value if value != "" else None


def _attribute(record, key):
    attrs = record.get("messageAttributes") if record else None
    if isinstance(attrs, dict):
        entry = attrs.get(key)
        if isinstance(entry, dict):
            return entry.get("stringValue") or entry.get("StringValue")
    return None


def _first(*values):
    for v in values:
        if v is not None and v != "":
            return v
    return None


def make_context(worker_class, payload, lambda_context=None, record=None, per_payload=False):
    """Builds the WorkerContext of one payload (see the module docstring for where each value comes from)."""
    custom = None
    cc = getattr(lambda_context, "client_context", None) if lambda_context is not None else None
    if cc is not None:
        custom = getattr(cc, "custom", None)
    if not isinstance(custom, dict):
        custom = {}
    body = payload if isinstance(payload, dict) else {}
    env = os.environ
    rec_attrs = record.get("attributes") if isinstance(record, dict) else None
    rec_attrs = rec_attrs if isinstance(rec_attrs, dict) else {}

    worker = _first(_string(custom.get("StarfleetWorker")), env.get("STARFLEET_WORKER"),
                    getattr(worker_class, "name", None),
                    getattr(lambda_context, "function_name", None) if lambda_context is not None else None,
                    worker_class.__name__)
    account = _first(_string(custom.get("StarfleetAccount")), _attribute(record, "StarfleetAccount"),
                     _string(body.get("StarbaseAssignedAccount")), env.get("STARFLEET_ACCOUNT_ID"))
    region = _first(_string(custom.get("StarfleetRegion")), _attribute(record, "StarfleetRegion"),
                    _string(body.get("StarbaseAssignedRegion")), env.get("STARFLEET_REGION"))
    commit = _first(_string(custom.get("StarfleetCommit")), _attribute(record, "StarfleetCommit"),
                    env.get("STARFLEET_COMMIT"))
    message_id = _first(_string(custom.get("StarfleetMessageId")),
                        record.get("messageId") if isinstance(record, dict) else None,
                        env.get("STARFLEET_MESSAGE_ID"))
    count = _first(_string(custom.get("StarfleetReceiveCount")), rec_attrs.get("ApproximateReceiveCount"),
                   env.get("STARFLEET_RECEIVE_COUNT"))
    try:
        receive_count = int(count) if count is not None else 1
    except ValueError:
        receive_count = 1
    return WorkerContext(worker, account, region, str(commit).strip().lower() in _TRUE if commit else False,
                         message_id, receive_count, lambda_context, per_payload)


# ---------------------------------------------------------------------------------------------------------------
# Worker


def _is_sqs_event(event):
    if not isinstance(event, dict):
        return False
    records = event.get("Records")
    if not isinstance(records, list) or not records:
        return False
    return all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)


def _record_payload(record):
    body = record.get("body")
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ValueError("SQS record %s: the body is not JSON: %s" % (record.get("messageId"), exc))


class Worker:
    """Base class of a worker: override ``execute(self, event, context)``.

    ``name`` (optional class attribute): the worker's name when neither starfleetd nor Lambda gives one."""

    name = None

    def execute(self, event, context):
        raise NotImplementedError("%s must define execute(self, event, context)" % type(self).__name__)

    @classmethod
    def handler(cls):
        """Returns ``handler(event, lambda_context)`` for Lambda-style runtimes: ``handler = MyWorker.handler()``."""
        instances = []

        def handler(event, lambda_context=None):
            if not instances:
                instances.append(cls())
            return _run_event(instances[0], event, lambda_context)

        handler.worker_class = cls
        handler.__name__ = handler.__qualname__ = "%s.handler" % cls.__name__
        return handler

    @classmethod
    def main(cls):
        """Per-payload mode: runs one payload from stdin, prints the result JSON, exits 0 (1 on failure)."""
        sys.exit(run_payload(cls))


def _run_event(worker, event, lambda_context):
    cls = type(worker)
    if not _is_sqs_event(event):
        return worker.execute(event, make_context(cls, event, lambda_context))
    records = event["Records"]
    if len(records) == 1:
        payload = _record_payload(records[0])
        return worker.execute(payload, make_context(cls, payload, lambda_context, records[0]))
    results, failures = [], []
    for record in records:
        context = None
        try:
            payload = _record_payload(record)
            context = make_context(cls, payload, lambda_context, record)
            results.append(worker.execute(payload, context))
        except Exception as exc:
            results.append(None)
            failures.append((record.get("messageId"), exc))
            logger = context.logger if context is not None else _get_logger(cls.__name__)
            logger.error("record %s failed", record.get("messageId"), exc_info=True)
    if failures:
        raise BatchFailure(failures, len(records))
    return results


def run_payload(worker_class, stdin=None, stdout=None):
    """Per-payload mode: payload JSON from stdin (empty -> {}), result JSON on stdout; returns the exit status.

    While ``execute`` runs, ``sys.stdout`` is redirected to stderr so stray prints cannot corrupt the result."""
    import traceback

    stdin = stdin if stdin is not None else sys.stdin
    real_stdout = stdout if stdout is not None else sys.stdout
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        event = json.loads(raw) if raw and raw.strip() else {}
        context = make_context(worker_class, event, None, None, per_payload=True)
        result = worker_class().execute(event, context)
        if context.alerts and isinstance(result, dict):
            result = dict(result)
            alerts = list(result.get("starfleet_alerts") or [])
            for priority, text in context.alerts:
                alerts.append({"priority": priority, "title": text.split("\n", 1)[0][:150], "body": text})
            result["starfleet_alerts"] = alerts
        out = json.dumps(result, default=_json_default)
    except Exception:
        sys.stderr.write(traceback.format_exc())
        sys.stderr.flush()
        return 1
    finally:
        sys.stdout = saved
    real_stdout.write(out + "\n")
    real_stdout.flush()
    return 0


def find_worker_class(module, class_name=None):
    """The Worker subclass defined in ``module`` (by name, or the only one / the only leaf one)."""
    if class_name:
        cls = getattr(module, class_name, None)
        if not (isinstance(cls, type) and issubclass(cls, Worker)):
            raise LookupError("%s has no Worker subclass named %s" % (module.__name__, class_name))
        return cls
    found = [v for v in vars(module).values()
             if isinstance(v, type) and issubclass(v, Worker) and v is not Worker and v.__module__ == module.__name__]
    if not found:
        h = getattr(module, "handler", None)
        if getattr(h, "worker_class", None) is not None:
            return h.worker_class
        raise LookupError("%s defines no Worker subclass" % module.__name__)
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) != 1:
        raise LookupError("%s defines several Worker subclasses (%s): name one"
                          % (module.__name__, ", ".join(sorted(c.__name__ for c in leaves))))
    return leaves[0]


def main(worker_class=None):
    """Per-payload entry point: ``if __name__ == "__main__": starfleet_worker.main()`` (finds the class in
    ``__main__`` when not given). Exits the process."""
    if worker_class is None:
        try:
            worker_class = find_worker_class(sys.modules["__main__"])
        except LookupError as exc:
            sys.stderr.write("starfleet_worker: %s\n" % exc)
            sys.exit(2)
    sys.exit(run_payload(worker_class))
