#!/usr/bin/env python3
"""End-to-end tests of the worker SDKs and Bedrock's layout (issue 12): `starfleetctl new worker NAME.py|.js`,
workers invoking siblings, failures dead-lettered with their traceback, `starfleetctl worker build`.

Run by scripts/e2e/sdk.sh (after `swift build`). Needs python3 with pip reaching PyPI (the build test) and node.
"""
import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from daemon_test import Env, run_tests, wait_for  # noqa: E402

CALLER = '''
from starfleet_worker import Worker


class Caller(Worker):
    def execute(self, event, context):
        if event.get("explode"):
            raise RuntimeError("exploded on purpose: " + event["explode"])
        answer = context.invoke("SystemFetcherJs", {"TemplateName": "from-python"}, require_response=True)
        context.invoke("SystemFetcherJs", {"TemplateName": "fire-and-forget"})
        return {"sibling": answer, "config": context.config.get("Greeting")}


handler = Caller.handler()
'''

BUILT = '''
from starfleet_worker import Worker


class Built(Worker):
    def execute(self, event, context):
        import humanize
        return {"words": humanize.intword(1200000)}


handler = Built.handler()
'''

REQUIREMENT = "humanize"  # a real PyPI package this machine's Python does not have


def scaffold(env, *names):
    for name in names:
        out = env.ctl("new", "worker", name).stdout
        assert "created:" in out, out


def payload(env, body):
    path = os.path.join(env.dir, f"p-{time.time_ns()}.json")
    with open(path, "w") as f:
        json.dump(body, f)
    return path


def test_scaffolded_python_and_javascript_workers_run_under_the_daemon_and_through_invoke():
    env = Env({})
    scaffold(env, "system_fetcher.py", "system_fetcher_js.js")
    for name in ("workers/system_fetcher/main.py", "workers/system_fetcher/__init__.py", "workers/system_fetcher/requirements.txt",
                 "workers/system_fetcher_js/main.js", "workers/system_fetcher_js/package.json", "workers/system_fetcher_js/worker.js"):
        assert os.path.exists(os.path.join(env.config, name)), name
    env.ctl("validate")
    try:
        env.start()
        # The scaffold's sample templates ran at start (their first sight), each on its worker.
        wait_for(lambda: env.read_log().count("worker succeeded") >= 2, 30, "both sample templates to run")
        python = json.loads(env.ctl("invoke", "SystemFetcher", "--payload", payload(env, {"TemplateName": "py"})).stdout)
        assert python == {"worker": "SystemFetcher", "account": None, "region": None, "commit": False, "template": "py"}, python
        js = json.loads(env.ctl("invoke", "SystemFetcherJs", "--payload", payload(env, {"TemplateName": "js"}), "--commit").stdout)
        assert js == {"worker": "SystemFetcherJs", "account": None, "region": None, "commit": True, "template": "js"}, js
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_python_worker_invokes_its_javascript_sibling_and_its_exception_dead_letters_with_the_traceback():
    env = Env({})
    scaffold(env, "system_fetcher_js.js", "caller.py")
    with open(os.path.join(env.config, "workers", "caller", "main.py"), "w") as f:
        f.write(CALLER)
    text = open(os.path.join(env.config, "Caller.yaml")).read().replace("# Greeting: hello", "Greeting: hello")
    text = text.replace("  TimeoutSeconds: 60\n", "  TimeoutSeconds: 60\n  MaxReceiveCount: 2\n  Backoff: {InitialSeconds: 0, MaxSeconds: 0}\n")
    with open(os.path.join(env.config, "Caller.yaml"), "w") as f:
        f.write(text)
    try:
        env.start()
        answer = json.loads(env.ctl("invoke", "Caller", "--payload", payload(env, {"TemplateName": "t"})).stdout)
        assert answer["sibling"]["worker"] == "SystemFetcherJs" and answer["sibling"]["template"] == "from-python", answer
        assert answer["config"] == "hello", answer
        wait_for(lambda: "running for account" in env.read_log() and env.read_log().count("worker succeeded") >= 3, 30,
                 "the fire-and-forget invocation to run")
        env.ctl("invoke", "Caller", "--payload", payload(env, {"explode": "kaboom"}), "--async")
        letters = wait_for(lambda: glob.glob(os.path.join(env.state, "dead-letter", "Caller", "*.json")), 60, "a dead letter")
        letter = json.load(open(letters[0]))
        failure = letter["failures"][-1]
        assert "RuntimeError: exploded on purpose: kaboom" in failure["error"], failure
        tail = failure.get("stderrTail", "")
        assert "caller/main.py\", line" in tail and "in execute" in tail and tail.count("in execute") == 1, failure
        assert letter["receiveCount"] == 2
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_worker_build_makes_a_pypi_package_importable_in_that_worker_only():
    env = Env({})
    scaffold(env, "built.py")
    directory = os.path.join(env.config, "workers", "built")
    with open(os.path.join(directory, "main.py"), "w") as f:
        f.write(BUILT)
    with open(os.path.join(directory, "requirements.txt"), "a") as f:
        f.write(REQUIREMENT + "\n")
    assert "has not been built" in env.ctl("validate").stderr
    assert subprocess.run([sys.executable, "-c", "import humanize"], capture_output=True).returncode != 0, \
        "humanize must not be installed on the machine for this test to mean anything"
    r = env.ctl("worker", "build", "Built")
    assert "built Built" in r.stdout, r.stdout + r.stderr
    assert "has not been built" not in env.ctl("validate").stderr
    try:
        env.start()
        answer = json.loads(env.ctl("invoke", "Built", "--payload", payload(env, {})).stdout)
        assert answer == {"words": "1.2 million"}, answer
        assert env.stop() == 0
        with open(os.path.join(directory, "requirements.txt"), "a") as f:
            f.write("humanize>=4\n")
        assert "changed since the last build" in env.ctl("validate").stderr
    finally:
        env.cleanup()
    assert subprocess.run([sys.executable, "-c", "import humanize"], capture_output=True).returncode != 0


if __name__ == "__main__":
    run_tests(globals(), "sdk")
