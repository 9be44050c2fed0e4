import json
import unittest

from starfleet_worker import errors


def _raise(exc):
    raise exc


class ErrorDocumentTests(unittest.TestCase):
    def test_an_exception_gives_message_type_request_id_and_stack(self):
        try:
            _raise(KeyError("disk"))
        except KeyError as exc:
            doc = errors.error_document(exc, "r-1")
        self.assertEqual(sorted(doc), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual((doc["errorMessage"], doc["errorType"], doc["requestId"]), ("'disk'", "KeyError", "r-1"))
        self.assertTrue(any("_raise" in line for line in doc["stackTrace"]), doc["stackTrace"])
        self.assertTrue(all(isinstance(line, str) for line in doc["stackTrace"]))
        json.dumps(doc)

    def test_no_traceback_no_request_id_and_a_given_type(self):
        doc = errors.error_document(ValueError("x"), error_type="Runtime.MarshalError")
        self.assertEqual(doc, {"errorMessage": "x", "errorType": "Runtime.MarshalError", "stackTrace": []})

    def test_init_error_document(self):
        try:
            _raise(ImportError("no module"))
        except ImportError as cause:
            doc = errors.init_error_document(errors.InitError("Runtime.ImportModuleError", "Unable", cause))
        self.assertEqual((doc["errorType"], doc["errorMessage"]), ("Runtime.ImportModuleError", "Unable"))
        self.assertTrue(doc["stackTrace"])
        self.assertEqual(errors.init_error_document(errors.InitError("Runtime.HandlerNotFound", "m"))["stackTrace"], [])
        self.assertEqual(errors.init_error_document(OSError("boom"))["errorType"], "Runtime.Unknown")

    def test_batch_failure_names_each_failed_record(self):
        exc = errors.BatchFailure([("m-1", ValueError("bad"))], 3)
        self.assertEqual(str(exc), "1 of 3 records failed: m-1: ValueError: bad")
        self.assertEqual(exc.failures[0][0], "m-1")


class FunctionErrorTests(unittest.TestCase):
    def test_an_error_document_becomes_the_invoke_error(self):
        body = json.dumps({"errorMessage": "it broke", "errorType": "ValueError", "stackTrace": ["a"]}).encode()
        e = errors.function_error("Broken", body, "Unhandled", 200)
        self.assertEqual((e.error_message, e.error_type, e.stack_trace, e.status, e.function_name),
                         ("it broke", "ValueError", ["a"], 200, "Broken"))

    def test_a_document_without_type_takes_the_header(self):
        e = errors.function_error("B", b'{"errorMessage": "m"}', "Unhandled", 200)
        self.assertEqual(e.error_type, "Unhandled")

    def test_a_body_that_is_not_json(self):
        e = errors.function_error("B", b"plain", "Unhandled", 200)
        self.assertEqual((str(e), e.error_type, e.stack_trace), ("plain", "Unhandled", []))
        self.assertEqual(str(errors.function_error("B", b"", "Unhandled", 200)), "B failed")


if __name__ == "__main__":
    unittest.main()
