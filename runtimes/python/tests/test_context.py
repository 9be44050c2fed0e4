import time
import unittest

from starfleet_worker import context


class LambdaContextTests(unittest.TestCase):
    def test_remaining_time_counts_down_from_the_deadline_header(self):
        deadline = int(time.time() * 1000) + 5000
        c = context.from_headers({"lambda-runtime-aws-request-id": "r-1", "lambda-runtime-deadline-ms": str(deadline),
                                  "lambda-runtime-invoked-function-arn": "arn:aws:lambda:us-east-2:0:function:P"})
        self.assertEqual(c.aws_request_id, "r-1")
        self.assertEqual(c.invoked_function_arn, "arn:aws:lambda:us-east-2:0:function:P")
        self.assertTrue(4000 < c.get_remaining_time_in_millis() <= 5000, c.get_remaining_time_in_millis())

    def test_a_past_deadline_is_zero_and_a_bad_one_counts_as_none(self):
        past = context.from_headers({"lambda-runtime-deadline-ms": str(int(time.time() * 1000) - 50)})
        self.assertEqual(past.get_remaining_time_in_millis(), 0)
        self.assertEqual(context.deadline_ms({"lambda-runtime-deadline-ms": "soon"}), 0)
        self.assertEqual(context.deadline_ms({}), 0)

    def test_client_context_has_client_custom_and_env(self):
        cc = context.parse_client_context(
            '{"client": {"installation_id": "i", "app_title": "t"}, "custom": {"StarfleetAccount": "1"},'
            ' "env": {"locale": "en"}}')
        self.assertEqual(cc.custom, {"StarfleetAccount": "1"})
        self.assertEqual(cc.env, {"locale": "en"})
        self.assertEqual((cc.client.installation_id, cc.client.app_title, cc.client.app_package_name), ("i", "t", None))
        self.assertIsNone(context.parse_client_context('{"client": null}').client)
        self.assertIsNone(context.parse_client_context(None))
        self.assertIsNone(context.parse_client_context(""))

    def test_invalid_client_context_fails_the_invocation(self):
        with self.assertRaises(ValueError):
            context.from_headers({"lambda-runtime-client-context": "{"})

    def test_cognito_identity(self):
        c = context.from_headers({"lambda-runtime-cognito-identity":
                                  '{"cognitoIdentityId": "id", "cognitoIdentityPoolId": "pool"}'})
        self.assertEqual((c.identity.cognito_identity_id, c.identity.cognito_identity_pool_id), ("id", "pool"))
        self.assertIsNone(context.from_headers({}).identity)

    def test_function_values_come_from_the_environment(self):
        c = context.LambdaContext("r", 0, None, None, None)
        self.assertEqual(c.function_version, context._FUNCTION_VERSION)
        self.assertIn("aws_request_id='r'", repr(c))


if __name__ == "__main__":
    unittest.main()
