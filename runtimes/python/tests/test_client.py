import json
import unittest

from starfleet_worker import client

from tests.standin import StandIn

TOKEN = "0123456789abcdef0123456789abcdef"


class ApiTests(unittest.TestCase):
    def test_split_api(self):
        self.assertEqual(client.split_api("127.0.0.1:9001"), ("127.0.0.1:9001", ""))
        self.assertEqual(client.split_api(" 127.0.0.1:9001/%s/ " % TOKEN), ("127.0.0.1:9001", "/" + TOKEN))
        self.assertEqual(client.split_api("127.0.0.1:9001/"), ("127.0.0.1:9001", ""))

    def test_the_alert_url_keeps_the_prefix(self):
        self.assertEqual(client.alert_url("127.0.0.1:9001/%s/" % TOKEN),
                         "http://127.0.0.1:9001/%s/2018-06-01/starfleet/alert" % TOKEN)
        self.assertEqual(client.alert_url("127.0.0.1:9001"), "http://127.0.0.1:9001/2018-06-01/starfleet/alert")

    def test_every_runtime_path_starts_with_the_prefix(self):
        rc = client.RuntimeClient("127.0.0.1:9001/" + TOKEN)
        self.assertTrue(rc.next_request().startswith(b"GET /%s/2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
                                                     % TOKEN.encode()))
        data = rc.response_request("r-1", b"null")
        self.assertTrue(data.startswith(b"POST /%s/2018-06-01/runtime/invocation/r-1/response HTTP/1.1\r\n"
                                        % TOKEN.encode()), data)
        self.assertIn(b"Host: 127.0.0.1:9001\r\n", data)
        self.assertTrue(data.endswith(b"Content-Length: 4\r\n\r\nnull"), data)
        error = rc.error_request("r-1", "ValueError", b"{}")
        self.assertTrue(error.startswith(b"POST /%s/2018-06-01/runtime/invocation/r-1/error " % TOKEN.encode()))
        self.assertIn(b"Lambda-Runtime-Function-Error-Type: ValueError\r\n", error)


class WireTests(unittest.TestCase):
    def setUp(self):
        self.server = StandIn(lambda method, path, headers, body: (202, {"Content-Type": "application/json"}, {}))
        self.api = "127.0.0.1:%d/%s" % (self.server.port, TOKEN)

    def tearDown(self):
        for key in [k for k in client._connections if k[1].endswith(":%d" % self.server.port)]:
            client._connections.pop(key).close()
        self.server.close()

    def test_init_error_goes_to_the_prefixed_path(self):
        rc = client.RuntimeClient(self.api)
        try:
            status, _, _ = rc.post_init_error({"errorMessage": "m", "errorType": "Runtime.HandlerNotFound",
                                               "stackTrace": []})
        finally:
            rc.close()
        self.assertEqual(status, 202)
        method, path, headers, body, _ = self.server.requests[0]
        self.assertEqual((method, path), ("POST", "/%s/2018-06-01/runtime/init/error" % TOKEN))
        self.assertEqual(headers["Lambda-Runtime-Function-Error-Type"], "Runtime.HandlerNotFound")
        self.assertEqual(json.loads(body)["errorType"], "Runtime.HandlerNotFound")

    def test_post_borrows_the_registered_runtime_connection_when_idle(self):
        rc = client.RuntimeClient(self.api)
        client.register(rc)
        with rc.lock:
            rc.request("GET", rc.invocation_path + "next")
        client.post(client.alert_url(self.api), b"{}", {"Content-Type": "application/json"})
        self.assertEqual(len(self.server.ports), 1)
        self.assertEqual(rc.connects, 1)

    def test_post_opens_its_own_connection_when_the_runtime_holds_it(self):
        rc = client.RuntimeClient(self.api)
        client.register(rc)
        with rc.lock:
            rc.request("GET", rc.invocation_path + "next")
            status, _, _ = client.post(client.alert_url(self.api), b"{}", {})
        self.assertEqual(status, 202)
        self.assertEqual(len(self.server.ports), 2)


if __name__ == "__main__":
    unittest.main()
