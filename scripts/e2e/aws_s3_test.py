#!/usr/bin/env python3
"""End-to-end: the template bucket and the account index in S3, with the built starfleetd and starfleetctl.

moto_server: new, changed and unchanged templates across a restart, the index from S3 and its replacement, timed
events listing S3, an S3 outage that loses nothing. ministack with AUTH=true and an IAM-made key: the same list/get
path with a '/' prefix and '+' / '~' keys, signed as AWS checks it (a wrong secret is refused, as a control).

Run by scripts/e2e/aws-s3.sh. Every wait is bounded; the last line is "aws-s3: N passed, N failed".
S3PollIntervalSeconds is 5, its minimum: fast enough here, so no test-only knob is needed.
"""
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
from daemon_test import CTL, Env, run_tests, wait_for  # noqa: E402
from awspeer import MotoServer, Ministack  # noqa: E402

# Records "TemplateName account" per payload (the payload is one line of JSON on stdin).
NAMED_RECORDER = """#!/bin/sh
payload=$(cat)
name=$(printf '%s' "$payload" | sed -n 's/.*"TemplateName" *: *"\\([^"]*\\)".*/\\1/p')
echo "$name ${STARFLEET_ACCOUNT_ID:--}" >> "$1"
echo '{"ok": true}'
"""
INTERVAL = 5


def index_json(ids):
    accounts = {i: {"Id": i, "Name": f"acct-{i}", "Arn": f"arn:aws:organizations::999999999999:account/o-test/{i}",
                    "Parents": [{"Id": "r-test", "Name": "ROOT", "Type": "ROOT"}], "Regions": ["us-east-1"], "Tags": {}}
                for i in ids}
    return json.dumps({"accounts": accounts, "generated": "2026-01-01T00:00:00Z"}).encode()


def template(name, description="d"):
    return f"TemplateName: {name}\nTemplateDescription: {description}\nIncludeAccounts: {{AllAccounts: true}}\n".encode()


class S3Env(Env):
    """Env whose templates and account index live in S3 (the peer's endpoint comes in through `aws_env`)."""

    def __init__(self, aws_env, prefix="Recorder/", extra_workers=""):
        self.aws_env = aws_env
        super().__init__({})
        path = os.path.join(self.config, "named.sh")
        with open(path, "w") as f:
            f.write(NAMED_RECORDER)
        os.chmod(path, 0o755)
        with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
            f.write(f"""STARFLEET:
  DeploymentRegion: us-east-1
  TemplateBucket: templates
  TemplateDirectory: templates
  S3PollIntervalSeconds: {INTERVAL}
  AccountIndex: StarfleetDefaultAccountIndex
  LogLevel: DEBUG
StarfleetDefaultAccountIndex:
  IndexBucket: index-bucket
  BucketRegion: us-east-1
  IndexObjectPath: org/accountIndex.json
Recorder:
  Enabled: true
  Command: ["./named.sh", "{self.out}/records"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: {prefix}
  InvocationSources: [S3]
  Concurrency: 4
{extra_workers}""")

    def start(self, env=None):
        super().start({**self.aws_env, **(env or {})})

    def records(self):
        try:
            with open(f"{self.out}/records") as f:
                return [tuple(l.split()) for l in f.read().splitlines() if l.strip()]
        except FileNotFoundError:
            return []

    def names(self):
        return sorted(r[0] for r in self.records())

    def polls(self):
        return self.read_log().count("template bucket polled")

    def run_ctl(self, *args, env=None):
        return subprocess.run([CTL, *args, "--config", self.config, "--state-dir", self.state], capture_output=True, text=True,
                              timeout=120, env={**os.environ, **self.aws_env, **(env or {})})


def make_buckets(s3, account_ids):
    """The template bucket, and the index bucket holding an index of `account_ids`."""
    s3.create_bucket(Bucket="templates")
    s3.create_bucket(Bucket="index-bucket")
    put_index(s3, account_ids)


def put_index(s3, account_ids):
    s3.put_object(Bucket="index-bucket", Key="org/accountIndex.json", Body=index_json(account_ids), ContentType="application/json")


def put(s3, key, body, bucket="templates"):
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-yaml")


def settle(env, polls=2):
    """Waits until the daemon has polled `polls` more times (so anything it would fire has fired), then a little."""
    start = env.polls()
    wait_for(lambda: env.polls() >= start + polls, INTERVAL * polls + 20, f"{polls} more polls")
    time.sleep(1.5)


def test_moto_new_changed_unchanged_across_restart_and_index_replacement():
    with MotoServer() as moto:
        s3 = moto.client("s3")
        make_buckets(s3, ["111111111111", "222222222222"])
        put(s3, "Recorder/a.yaml", template("a"))
        put(s3, "Recorder/deep/b.yaml", template("b"))
        put(s3, "Recorder/notes.txt", b"not a template")
        put(s3, "Other/x.yaml", template("x"))
        env = S3Env(moto.env())
        try:
            env.start()
            # Present at the first start: each fires once, for both accounts of the S3 index.
            wait_for(lambda: len(env.records()) >= 4, 30, "a and b for 2 accounts")
            assert "account index loaded" in env.read_log() and "s3://index-bucket/org/accountIndex.json" in env.read_log()
            put(s3, "Recorder/c.yaml", template("c"))                       # new
            wait_for(lambda: env.names().count("c") == 2, INTERVAL + 25, "the new template c")
            put(s3, "Recorder/a.yaml", template("a", "changed"))            # changed
            wait_for(lambda: env.names().count("a") == 4, INTERVAL + 25, "the changed template a")
            settle(env)
            assert env.names() == ["a"] * 4 + ["b"] * 2 + ["c"] * 2, env.names()
            assert sorted({r[1] for r in env.records()}) == ["111111111111", "222222222222"]
            assert env.stop() == 0

            # Changed while the daemon was down: b fires after the restart; a and c (unchanged) do not.
            put(s3, "Recorder/deep/b.yaml", template("b", "changed while stopped"))
            before_log = len(env.read_log())
            env.start()
            wait_for(lambda: env.names().count("b") == 4, 30, "b changed while stopped")
            settle(env)
            assert env.names() == ["a"] * 4 + ["b"] * 4 + ["c"] * 2, env.names()
            assert env.read_log()[before_log:].count("Template change queued") == 1, env.read_log()[before_log:]
            state = json.load(open(os.path.join(env.state, "s3-templates.json")))
            # notes.txt is acknowledged too, so its "not a recognized template" line is logged once per ETag.
            assert state["bucket"] == "templates" and sorted(state["etags"]) == [
                "Recorder/a.yaml", "Recorder/c.yaml", "Recorder/deep/b.yaml", "Recorder/notes.txt"], state
            assert env.read_log().count("s3://templates/Recorder/notes.txt is not a recognized template") == 1, env.read_log()[-3000:]

            # A replaced index object is used by the next fan-out (conditional GET sees the new ETag).
            put_index(s3, ["333333333333", "444444444444", "555555555555"])
            put(s3, "Recorder/d.yaml", template("d"))
            wait_for(lambda: env.names().count("d") == 3, INTERVAL + 25, "d fanned out over the new index")
            assert sorted(r[1] for r in env.records() if r[0] == "d") == ["333333333333", "444444444444", "555555555555"]
            assert env.stop() == 0
        finally:
            env.stop()
            env.cleanup()


def test_moto_poller_follows_continuation_tokens_past_1000_keys():
    from concurrent.futures import ThreadPoolExecutor
    with MotoServer() as moto:
        s3 = moto.client("s3")
        make_buckets(s3, ["111111111111"])
        # 1,001 keys that are not templates sort first, so the two templates are only on the second page.
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: put(s3, f"Recorder/a-{i:04d}.json", b"{}"), range(1001)))
        put(s3, "Recorder/z1.yaml", template("z1"))
        put(s3, "Recorder/z2.yaml", template("z2"))
        first_page = s3.list_objects_v2(Bucket="templates", Prefix="Recorder/")
        assert first_page["IsTruncated"] and not any(o["Key"].endswith(".yaml") for o in first_page["Contents"])
        env = S3Env(moto.env())
        try:
            env.start()
            wait_for(lambda: len(env.records()) >= 2, 40, "the templates on the second page")
            settle(env, polls=1)
            assert env.names() == ["z1", "z2"], env.records()
            assert env.stop() == 0
        finally:
            env.stop()
            env.cleanup()


def test_moto_timed_event_lists_templates_in_s3():
    with MotoServer() as moto:
        s3 = moto.client("s3")
        make_buckets(s3, ["111111111111"])
        for key in ("Timed/one.yaml", "Timed/nested/two.yaml"):
            put(s3, key, template(key.rsplit("/", 1)[1][:-5]))
        put(s3, "Timed/readme.md", b"# not a template")
        timed = """Timed:
  Enabled: true
  Command: ["./named.sh", "{out}/records"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: Timed/
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
  EventBridgeTimedFrequency: HOURLY
"""
        env = S3Env(moto.env())
        with open(os.path.join(env.config, "starfleetd.yaml"), "a") as f:
            f.write(timed.format(out=env.out))
        try:
            env.start()
            r = env.run_ctl("trigger", "HOURLY")
            assert r.returncode == 0, r.stdout + r.stderr
            assert "tasked Timed with 2 template(s)" in r.stdout, r.stdout
            wait_for(lambda: len(env.records()) >= 2, 30, "the two timed templates")
            time.sleep(1.5)
            assert env.names() == ["one", "two"], env.records()
            assert env.stop() == 0
        finally:
            env.stop()
            env.cleanup()


def test_moto_missing_template_is_retried_missing_bucket_is_dead_lettered_at_once():
    """A `.yaml` TemplatePrefix is fetched without a listing: a missing key says so (bucket and key) and is retried;
    a missing bucket is its own error and goes to the dead-letter folder on its first attempt."""
    import glob
    timed = """Timed:
  Enabled: true
  Command: ["./named.sh", "{out}/records"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: Timed/one.yaml
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
  EventBridgeTimedFrequency: HOURLY
"""
    for bucket_exists in (True, False):
        with MotoServer() as moto:
            s3 = moto.client("s3")
            s3.create_bucket(Bucket="index-bucket")
            put_index(s3, ["111111111111"])
            if bucket_exists:
                s3.create_bucket(Bucket="templates")
            env = S3Env(moto.env())
            with open(os.path.join(env.config, "starfleetd.yaml"), "a") as f:
                f.write(timed.format(out=env.out))
            try:
                env.start()
                r = env.run_ctl("trigger", "HOURLY")
                assert r.returncode == 0, r.stdout + r.stderr
                letters = f"{env.state}/dead-letter/StarbaseFanOut/*.json"
                if bucket_exists:
                    wait_for(lambda: "Can't find the template: Timed/one.yaml in S3 (bucket templates)" in env.read_log(), 30,
                             "the not-found line")
                    # Retried with backoff (MaxReceiveCount attempts), not dead-lettered on the first.
                    assert not glob.glob(letters), "a missing key was dead-lettered without retries"
                    wait_for(lambda: env.read_log().count("Can't find the template: Timed/one.yaml") >= 2, 30, "a retry")
                else:
                    found = wait_for(lambda: glob.glob(letters), 30, "the dead-lettered event")
                    with open(found[0]) as f:
                        letter = json.load(f)
                    assert letter["receiveCount"] == 1, letter
                    assert "the template bucket templates does not exist (NoSuchBucket)" in letter["failures"][0]["error"], letter
                    assert "not found in S3" not in env.read_log()
                assert env.records() == []
                assert env.stop() == 0
            finally:
                env.stop()
                env.cleanup()


def test_s3_down_then_up_loses_nothing_and_local_work_goes_on():
    moto = MotoServer()  # port chosen, server not started yet: S3 is down
    env = S3Env(moto.env(), extra_workers=f"""Local:
  Enabled: true
  Command: ["./recorder.sh", "{{out}}/local"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Local/
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
  EventBridgeTimedFrequency: DAILY
""")
    path = os.path.join(env.config, "starfleetd.yaml")
    text = open(path).read().replace("{out}", env.out)
    open(path, "w").write(text)
    try:
        env.start()
        wait_for(lambda: "S3 template poll: cannot list" in env.read_log(), 60, "a logged poll failure")
        assert "retry_in" in env.read_log()
        # A timed event lists the bucket: with S3 down, trigger says so (69) instead of tasking nothing.
        down = env.run_ctl("trigger", "DAILY")
        assert down.returncode == 69 and "cannot list the templates" in down.stderr, down.stdout + down.stderr
        # Local work does not wait for S3: a payload put on a worker's queue runs in the daemon.
        payload = os.path.join(env.dir, "payload.yaml")
        with open(payload, "w") as f:
            f.write("TemplateName: local\nTemplateDescription: d\n")
        r = env.run_ctl("invoke", "Local", "--payload", payload, "--async")
        assert r.returncode == 0, r.stdout + r.stderr
        wait_for(lambda: os.path.exists(f"{env.out}/local"), 20, "the local worker's execution while S3 is down")
        assert env.proc.poll() is None
        with moto:
            s3 = moto.client("s3")
            make_buckets(s3, ["111111111111"])
            put(s3, "Recorder/late.yaml", template("late"))
            # Backoff after two or three failures is at most 2×5×4 s, half of it random.
            wait_for(lambda: env.names() == ["late"], 70, "the template once S3 is back")
            wait_for(lambda: "the template bucket answers again" in env.read_log(), 10, "the recovery notice")
            assert env.stop() == 0
    finally:
        env.stop()
        env.cleanup()


def test_validate_checks_aws_only_when_asked():
    with MotoServer() as moto:
        s3 = moto.client("s3")
        make_buckets(s3, ["111111111111", "222222222222"])
        moto.client("sqs").create_queue(QueueName="fanout")
        env = S3Env(moto.env())
        path = os.path.join(env.config, "starfleetd.yaml")
        text = open(path).read().replace("STARFLEET:\n", "STARFLEET:\n  FanOutQueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/fanout\n", 1)
        with open(path, "w") as f:
            f.write(text)
        try:
            ok = env.run_ctl("validate", "--check-aws")
            assert ok.returncode == 0, ok.stdout + ok.stderr
            for line in ("aws: ok: template bucket s3://templates", "aws: ok: account index: s3://index-bucket/org/accountIndex.json: 2 accounts",
                         "aws: ok: queue https://sqs.us-east-1.amazonaws.com/123456789012/fanout"):
                assert line in ok.stdout, ok.stdout
            # plan reads the configured S3 index too (Starfleet's CLI loads it from S3 the same way).
            local = os.path.join(env.dir, "t.yaml")
            with open(local, "wb") as f:
                f.write(template("planned"))
            planned = env.run_ctl("plan", local, "--worker", "Recorder", "--json")
            assert planned.returncode == 0, planned.stdout + planned.stderr
            assert sorted(json.loads(l)["account"] for l in planned.stdout.splitlines()) == ["111111111111", "222222222222"], planned.stdout
            s3.delete_object(Bucket="index-bucket", Key="org/accountIndex.json")
            moto.client("sqs").delete_queue(QueueUrl=moto.client("sqs").get_queue_url(QueueName="fanout")["QueueUrl"])
            missing = env.run_ctl("validate", "--check-aws")
            assert missing.returncode == 69, missing.stdout + missing.stderr
            assert "NoSuchKey" in missing.stdout, missing.stdout
            assert "NonExistentQueue" in missing.stdout or "QueueDoesNotExist" in missing.stdout, missing.stdout
        finally:
            env.cleanup()
    # Offline (the default): no connection to the endpoint at all.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.5)
        env = S3Env({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{listener.getsockname()[1]}", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"})
        try:
            r = env.run_ctl("validate")
            assert r.returncode == 0, r.stdout + r.stderr
            assert "aws:" not in r.stdout
            try:
                listener.accept()
                raise AssertionError("offline validate connected to the AWS endpoint")
            except socket.timeout:
                pass
        finally:
            env.cleanup()


def test_ministack_verified_key_lists_and_gets_odd_keys():
    with Ministack() as ms:
        key_id, secret = ms.create_verified_key()
        s3 = ms.client("s3")
        make_buckets(s3, ["111111111111", "222222222222"])
        prefix = "Team Space/deep/"
        for key, name in (("plus+sign", "plus"), ("tilde~name", "tilde"), ("eq=amp&", "eqamp")):
            put(s3, f"{prefix}{key}.yaml", template(name))
        env = S3Env(ms.env(key_id, secret), prefix=f'"{prefix}"')
        try:
            # The control: ministack refuses a wrong secret for this key, so a pass below means our signature is right.
            bad = env.run_ctl("validate", "--check-aws", env={"AWS_SECRET_ACCESS_KEY": secret[:-2] + "xx"})
            assert bad.returncode != 0 and "SignatureDoesNotMatch" in bad.stdout + bad.stderr, bad.stdout + bad.stderr
            good = env.run_ctl("validate", "--check-aws")
            assert good.returncode == 0, good.stdout + good.stderr
            env.start()
            wait_for(lambda: len(env.records()) >= 6, 40, "three odd keys × two accounts")
            time.sleep(1.5)
            assert env.names() == ["eqamp"] * 2 + ["plus"] * 2 + ["tilde"] * 2, env.records()
            assert "SignatureDoesNotMatch" not in env.read_log() and "AccessDenied" not in env.read_log()
            assert env.stop() == 0
        finally:
            env.stop()
            env.cleanup()


def main():
    run_tests(globals(), "aws-s3")


if __name__ == "__main__":
    main()
