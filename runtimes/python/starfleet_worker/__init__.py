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

The package's modules, split by concern as AWS's awslambdaric splits its own:

- ``worker``: ``Worker``, ``Worker.handler()``, per-payload mode (``run_payload``, ``main``);
- ``worker_context``: ``WorkerContext`` and where its values come from; ``invoke``: ``context.invoke``;
- ``errors``: ``InvokeError``, ``BatchFailure``, the Lambda error document; ``marshaller``: JSON; ``log``: the logger;
- ``runtime`` (``python3 -m starfleet_worker.runtime``): the warm runtime's handler loading and loop, over
  ``client`` (the Runtime API client and the SDK's POST, over ``_http``) and ``context`` (``LambdaContext``);
- ``run`` (``python3 -m starfleet_worker.run``): per-payload mode without a ``__main__`` block;
- ``starfleet_glue``: Starfleet's own ships under the warm runtime.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any

from starfleet_worker.errors import BatchFailure, InvokeError
from starfleet_worker.marshaller import json_default as _json_default
from starfleet_worker.worker import Worker, find_worker_class, main, run_payload
from starfleet_worker.worker_context import ALERT_PRIORITIES, WorkerContext, json_file as _json_file, make_context

__all__ = ["Worker", "WorkerContext", "InvokeError", "BatchFailure", "ALERT_PRIORITIES", "main", "run_payload"]



def __getattr__(name: str) -> Any:
    # The names the single-module SDK had (now in starfleet_worker.client and .log), resolved when first used so
    # that importing the SDK does not import http.client or logging (per-payload mode starts a process a payload).
    if name in ("_connections", "_post"):
        from starfleet_worker import client
        return client._connections if name == "_connections" else client.post
    if name == "_get_logger":
        from starfleet_worker.log import get_logger
        return get_logger
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
