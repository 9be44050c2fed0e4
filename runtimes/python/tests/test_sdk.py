import base64
import contextlib
import io
import json
import os
import tempfile
import types
import unittest
from decimal import Decimal

import starfleet_worker
from starfleet_worker import BatchFailure, InvokeError, Worker, WorkerContext, client, worker_context
from starfleet_worker.context import ClientContext

from tests.standin import StandIn, environment

CLEAR = dict(STARFLEET_WORKER=None, STARFLEET_ACCOUNT_ID=None, STARFLEET_REGION=None, STARFLEET_COMMIT=None,
             STARFLEET_MESSAGE_ID=None, STARFLEET_RECEIVE_COUNT=None, AWS_LAMBDA_RUNTIME_API=None,
             AWS_ENDPOINT_URL_LAMBDA=None, STARFLEET_LOG_LEVEL="CRITICAL")


class Probe(Worker):
    def execute(self, event, context):
        if isinstance(event, dict) and event.get("fail"):
            raise ValueError("failed %s" % event["fail"])
        return {"event": event, "account": context.account_id, "message_id": context.message_id,
                "count": context.receive_count}


def sqs_record(body, message_id, count="1", **attributes):
    return {"messageId": message_id, "body": json.dumps(body), "eventSource": "aws:sqs",
            "attributes": {"ApproximateReceiveCount": count},
            "messageAttributes": {k: {"stringValue": v, "dataType": "String"} for k, v in attributes.items()}}


class MakeContextTests(unittest.TestCase):
    def test_client_context_then_record_then_payload_then_environment(self):
        lc = types.SimpleNamespace(function_name="Fn", client_context=ClientContext(
            {"custom": {"StarfleetAccount": "111111111111", "StarfleetCommit": "false",
                        "StarfleetReceiveCount": "7"}}))
        record = sqs_record({}, "m-1", "4", StarfleetRegion="sa-east-1", StarfleetAccount="222222222222")
        with environment(**dict(CLEAR, STARFLEET_ACCOUNT_ID="999999999999", STARFLEET_COMMIT="yes")):
            c = starfleet_worker.make_context(Probe, {"StarbaseAssignedAccount": "333333333333"}, lc, record)
            self.assertEqual((c.worker, c.account_id, c.region, c.commit, c.message_id, c.receive_count),
                             ("Fn", "111111111111", "sa-east-1", False, "m-1", 7))
            e = starfleet_worker.make_context(Probe, {"StarbaseAssignedRegion": "ap-south-1"}, per_payload=True)
            self.assertEqual((e.worker, e.account_id, e.region, e.commit, e.receive_count),
                             ("Probe", "999999999999", "ap-south-1", True, 1))
            self.assertIsNone(e.get_remaining_time_in_millis())

    def test_a_bad_receive_count_is_one(self):
        with environment(**dict(CLEAR, STARFLEET_RECEIVE_COUNT="many")):
            self.assertEqual(starfleet_worker.make_context(Probe, {}).receive_count, 1)

    def test_files_are_read_once_and_missing_ones_are_empty(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write('{"Secrets": {"k": "v"}, "Credentials": null}')
        try:
            with environment(STARFLEET_SECRETS_FILE=f.name, STARFLEET_WORKER_CONFIG_FILE="/nonexistent/x.json"):
                worker_context._files.clear()
                c = WorkerContext("w")
                self.assertEqual((c.secrets, c.credentials, c.config), ({"k": "v"}, {}, {}))
        finally:
            worker_context._files.clear()
            os.unlink(f.name)


class HandlerTests(unittest.TestCase):
    def test_sqs_events_are_unwrapped_and_batches_fail_together(self):
        with environment(**CLEAR):
            handler = Probe.handler()
            self.assertIs(handler.worker_class, Probe)
            self.assertEqual(handler({"Records": [sqs_record({"n": 1}, "m-1", "2")]}),
                             {"event": {"n": 1}, "account": None, "message_id": "m-1", "count": 2})
            two = handler({"Records": [sqs_record({"n": 1}, "a"), sqs_record({"n": 2}, "b")]})
            self.assertEqual([r["event"] for r in two], [{"n": 1}, {"n": 2}])
            with self.assertRaises(BatchFailure) as caught:
                handler({"Records": [sqs_record({"fail": "x"}, "bad"), sqs_record({"n": 2}, "good")]})
            self.assertEqual([m for m, _ in caught.exception.failures], ["bad"])
            self.assertEqual(handler({"Records": []})["event"], {"Records": []})

    def test_run_payload_prints_the_result_with_the_alerts(self):
        class Alerting(Worker):
            def execute(self, event, context):
                print("stray output")   # goes to stderr, not into the result
                context.alert("IMPORTANT", "first line\nsecond")
                return {"n": Decimal("2"), "f": Decimal("0.5")}

        out, err = io.StringIO(), io.StringIO()
        with environment(**CLEAR), contextlib.redirect_stderr(err):
            self.assertEqual(starfleet_worker.run_payload(Alerting, io.StringIO('{"a": 1}'), out), 0)
        self.assertEqual(err.getvalue(), "stray output\n")
        self.assertEqual(json.loads(out.getvalue()), {"n": 2, "f": 0.5, "starfleet_alerts": [
            {"priority": "IMPORTANT", "title": "first line", "body": "first line\nsecond"}]})

    def test_run_payload_fails_with_exit_status_one(self):
        out, err = io.StringIO(), io.StringIO()
        with environment(**CLEAR), contextlib.redirect_stderr(err):
            self.assertEqual(starfleet_worker.run_payload(Probe, io.StringIO('{"fail": "y"}'), out), 1)
        self.assertEqual(out.getvalue(), "")
        self.assertIn("ValueError: failed y", err.getvalue())

    def test_find_worker_class(self):
        module = types.ModuleType("probe_module")

        class Base(Worker):
            pass

        class Leaf(Base):
            pass

        for cls in (Base, Leaf):
            cls.__module__ = "probe_module"
            setattr(module, cls.__name__, cls)
        self.assertIs(starfleet_worker.find_worker_class(module), Leaf)
        self.assertIs(starfleet_worker.find_worker_class(module, "Base"), Base)
        with self.assertRaises(LookupError):
            starfleet_worker.find_worker_class(module, "Nope")
        with self.assertRaises(LookupError):
            starfleet_worker.find_worker_class(types.ModuleType("empty"))


class InvokeTests(unittest.TestCase):
    def serve(self, answer):
        server = StandIn(lambda method, path, headers, body: answer)
        self.addCleanup(server.close)
        self.addCleanup(lambda: [client._connections.pop(k).close() for k in list(client._connections)
                                 if k[1].endswith(":%d" % server.port)])
        env = environment(**dict(CLEAR, AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:%d/" % server.port))
        env.__enter__()
        self.addCleanup(env.__exit__, None, None, None)
        return server

    def test_request_response_returns_the_result_and_sends_the_client_context(self):
        server = self.serve((200, {}, {"ok": 1}))
        ctx = WorkerContext("w")
        self.assertEqual(ctx.invoke("Echo Worker", {"n": 1}, True, account="555566667777", commit=True), {"ok": 1})
        method, path, headers, body, _ = server.requests[0]
        self.assertEqual(path, "/2015-03-31/functions/Echo%20Worker/invocations")
        self.assertEqual(headers["X-Amz-Invocation-Type"], "RequestResponse")
        self.assertEqual(json.loads(base64.b64decode(headers["X-Amz-Client-Context"])),
                         {"custom": {"StarfleetAccount": "555566667777", "StarfleetCommit": "true"}})
        self.assertEqual(json.loads(body), {"n": 1})

    def test_event_returns_none(self):
        server = self.serve((202, {}, b""))
        self.assertIsNone(WorkerContext("w").invoke("Echo", b"{}"))
        self.assertEqual(server.requests[0][2]["X-Amz-Invocation-Type"], "Event")
        self.assertNotIn("X-Amz-Client-Context", server.requests[0][2])

    def test_function_error_becomes_invoke_error(self):
        self.serve((200, {"X-Amz-Function-Error": "Unhandled"},
                    {"errorMessage": "it broke", "errorType": "ValueError", "stackTrace": ["a"]}))
        with self.assertRaises(InvokeError) as caught:
            WorkerContext("w").invoke("Broken", {}, True)
        e = caught.exception
        self.assertEqual((e.error_message, e.error_type, e.stack_trace, e.status, e.function_name),
                         ("it broke", "ValueError", ["a"], 200, "Broken"))

    def test_http_error_becomes_invoke_error(self):
        self.serve((404, {"x-amzn-ErrorType": "ResourceNotFoundException"},
                    {"Type": "User", "message": "Function not found: Nope"}))
        with self.assertRaises(InvokeError) as caught:
            WorkerContext("w").invoke("Nope", {}, True)
        self.assertEqual((caught.exception.status, caught.exception.error_type, str(caught.exception)),
                         (404, "ResourceNotFoundException", "invoke Nope: HTTP 404: Function not found: Nope"))

    def test_an_unreachable_endpoint_is_a_connection_error(self):
        with environment(**dict(CLEAR, AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:1")):
            with self.assertRaises(InvokeError) as caught:
                WorkerContext("w").invoke("X", {}, True)
        self.assertEqual(caught.exception.error_type, "ConnectionError")


class AlertTests(unittest.TestCase):
    def test_priorities_are_checked_and_outside_the_daemon_only_logged(self):
        with environment(**CLEAR):
            ctx = WorkerContext("w")
            with self.assertRaises(ValueError):
                ctx.alert("LOUD", "x")
            self.assertFalse(ctx.alert(types.SimpleNamespace(name="success"), "done"))
            self.assertEqual(ctx.alerts, [("SUCCESS", "done")])

    def test_under_the_warm_runtime_it_posts_to_the_prefixed_path_on_the_runtime_connection(self):
        server = StandIn(lambda method, path, headers, body: (202, {}, {}))
        self.addCleanup(server.close)
        api = "127.0.0.1:%d/0123456789abcdef0123456789abcdef" % server.port
        rc = client.RuntimeClient(api)
        client.register(rc)
        self.addCleanup(lambda: client._connections.pop(("http", rc.host)).close())
        with environment(**dict(CLEAR, AWS_LAMBDA_RUNTIME_API=api, STARFLEET_WORKER="w")):
            with rc.lock:
                rc.request("GET", rc.invocation_path + "next")
            self.assertTrue(WorkerContext("w").alert("IMPORTANT", "hello"))
            self.assertFalse(WorkerContext("w", per_payload=True).alert("PROBLEM", "local"))
        self.assertEqual([r[1] for r in server.requests],
                         ["/0123456789abcdef0123456789abcdef/2018-06-01/runtime/invocation/next",
                          "/0123456789abcdef0123456789abcdef/2018-06-01/starfleet/alert"])
        self.assertEqual(json.loads(server.requests[1][3]), {"priority": "IMPORTANT", "text": "hello"})
        self.assertEqual(len(server.ports), 1)


if __name__ == "__main__":
    unittest.main()
