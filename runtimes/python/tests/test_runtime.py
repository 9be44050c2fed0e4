import os
import shutil
import sys
import tempfile
import unittest

from starfleet_worker import runtime
from starfleet_worker.errors import InitError


class LoadHandlerTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="starfleet-runtime-test-")
        self.package = "pkg_%d" % id(self)   # a fresh module namespace per test
        self.files = {
            "ok.py": "def handler(event, context):\n    return event\nvalue = 5\n",
            "broken.py": "def handler(event, context)\n    return 1\n",
            "raises.py": "raise RuntimeError('at import')\n",
            "needs.py": "import starfleet_no_such_module\n",
        }
        os.makedirs(os.path.join(self.root, self.package, "sub"))
        for directory in (self.package, os.path.join(self.package, "sub")):
            open(os.path.join(self.root, directory, "__init__.py"), "w").close()
            for name, text in self.files.items():
                with open(os.path.join(self.root, directory, name), "w") as f:
                    f.write(text)

    def tearDown(self):
        for name in [m for m in sys.modules if m == self.package or m.startswith(self.package + ".")]:
            del sys.modules[name]
        while self.root in sys.path:
            sys.path.remove(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def load(self, spec):
        return runtime.load_handler(spec, self.root)

    def error_type(self, spec):
        with self.assertRaises(InitError) as caught:
            self.load(spec)
        return caught.exception.error_type

    def test_dotted_and_path_handlers_load(self):
        self.assertEqual(self.load("%s.ok.handler" % self.package)({"a": 1}, None), {"a": 1})
        self.assertEqual(self.load("%s/sub/ok.handler" % self.package)(2, None), 2)
        self.assertIn(self.root, sys.path)

    def test_errors_carry_awss_runtime_types(self):
        p = self.package
        self.assertEqual(self.error_type("nodot"), "Runtime.MalformedHandlerName")
        self.assertEqual(self.error_type(".handler"), "Runtime.MalformedHandlerName")
        self.assertEqual(self.error_type("%s.ok." % p), "Runtime.MalformedHandlerName")
        self.assertEqual(self.error_type("%s.missing.handler" % p), "Runtime.ImportModuleError")
        self.assertEqual(self.error_type("%s.needs.handler" % p), "Runtime.ImportModuleError")
        self.assertEqual(self.error_type("%s.raises.handler" % p), "Runtime.ImportModuleError")
        self.assertEqual(self.error_type("%s.broken.handler" % p), "Runtime.UserCodeSyntaxError")
        self.assertEqual(self.error_type("%s.ok.nothing" % p), "Runtime.HandlerNotFound")
        self.assertEqual(self.error_type("%s.ok.value" % p), "Runtime.HandlerNotFound")

    def test_an_import_error_keeps_its_cause_for_the_stack_trace(self):
        with self.assertRaises(InitError) as caught:
            self.load("%s.raises.handler" % self.package)
        self.assertIsInstance(caught.exception.cause, RuntimeError)
        self.assertIn("RuntimeError: at import", str(caught.exception))

    def test_old_names_still_resolve(self):
        self.assertIs(runtime._InitError, InitError)
        self.assertIs(runtime.RuntimeConnection, runtime.RuntimeClient)


if __name__ == "__main__":
    unittest.main()
