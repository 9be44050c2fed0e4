#!/usr/bin/env python3
"""The web console end to end: the built starfleetd serves STARFLEET.ConsoleAddress on a free loopback port, a
process worker fails for one account, and headless Chromium (Selenium + Debian's chromedriver) reads the overview,
finds that account's dead letter, redrives it from the page and sees it run again. A cross-site POST without the
console's token must get 403. Screenshots of every page go to a temp dir (the overview's also to
docs/console-overview.png with --update-docs).

Run by scripts/e2e/console.sh. The last line is "console: N passed, M failed".
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_test import run_with_fixture, wait_for  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON = os.path.join(ROOT, ".build", "debug", "starfleetd")
BAD_ACCOUNT = "100000000002"

# Fails for BAD_ACCOUNT until the file "$1.fixed" exists; records every successful run.
AUDIT = """#!/bin/sh
cat > /dev/null
if [ "$STARFLEET_ACCOUNT_ID" = "%s" ] && [ ! -e "$1.fixed" ]; then
  echo "cannot audit $STARFLEET_ACCOUNT_ID: access denied" >&2
  exit 4
fi
echo "$STARFLEET_ACCOUNT_ID" >> "$1"
""" % BAD_ACCOUNT


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """A temp config with one failing-for-one-account worker and one idle timed worker, the daemon, and a browser."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sfd-console-")
        self.shots = os.path.join(self.dir, "screenshots")
        os.makedirs(self.shots)
        config = os.path.join(self.dir, "config")
        os.makedirs(os.path.join(config, "templates", "Audit"))
        self.config, self.state = config, os.path.join(self.dir, "state")
        self.records = os.path.join(self.dir, "records")
        with open(os.path.join(config, "audit.sh"), "w") as f:
            f.write(AUDIT)
        os.chmod(os.path.join(config, "audit.sh"), 0o755)
        accounts = {}
        for i in range(5):
            aid = f"{100000000000 + i}"
            accounts[aid] = {"Id": aid, "Name": f"acct-{i}", "Arn": f"arn:aws:organizations::100000000000:account/o-test/{aid}",
                             "Parents": [{"Id": "r-test", "Name": "ROOT", "Type": "ROOT"}], "Regions": ["us-east-1"], "Tags": {}}
        with open(os.path.join(config, "index.json"), "w") as f:
            json.dump({"accounts": accounts, "generated": "2026-01-01T00:00:00Z"}, f)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        with open(os.path.join(config, "starfleetd.yaml"), "w") as f:
            f.write(f"""STARFLEET:
  TemplateDirectory: templates
  ConsoleAddress: 127.0.0.1:{self.port}
LocalAccountIndex:
  Path: index.json
Audit:
  Enabled: true
  Command: ["./audit.sh", "{self.records}"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: Audit/
  InvocationSources: [S3]
  MaxReceiveCount: 2
  Backoff: {{InitialSeconds: 0, MaxSeconds: 0}}
  Environment: {{API_TOKEN: never-shown-secret}}
Nightly:
  Enabled: true
  Command: ["/bin/true"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Nightly/
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
  EventBridgeTimedFrequency: DAILY
""")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([DAEMON, "--config", config, "--state-dir", self.state],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: "starfleetd started" in self.read_log() or self.proc.poll() is not None, 20, "the daemon to start")
        assert self.proc.poll() is None, f"daemon exited early:\n{self.read_log()}"
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"):
            options.add_argument(arg)
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        self.browser = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        self.browser.set_page_load_timeout(20)

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def template(self, key, text):
        path = os.path.join(self.config, "templates", key)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def open(self, path, shot):
        self.browser.get(self.base + path)
        self.browser.save_screenshot(os.path.join(self.shots, shot + ".png"))

    def cell(self, worker, cls):
        # The live refresh swaps the table between finding a cell and reading it: read it again from the new one.
        for _ in range(20):
            try:
                return self.browser.find_element(By.CSS_SELECTOR, f'tr[data-worker="{worker}"] td.{cls}').text
            except StaleElementReferenceException:
                continue
        return self.browser.find_element(By.CSS_SELECTOR, f'tr[data-worker="{worker}"] td.{cls}').text

    def text(self, element_id):
        # A page that reloads itself (a running redrive's) may be between two loads: no text yet, ask again.
        try:
            return self.browser.find_element(By.ID, element_id).text
        except (StaleElementReferenceException, NoSuchElementException):
            return None

    def close(self):
        try:
            self.browser.quit()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.environ.get("KEEP"):
            print(f"    kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def fan_out_with_one_failure(c):
    c.template("Audit/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
    # 4 accounts (the org root is excluded): 3 succeed, BAD_ACCOUNT fails twice and is dead-lettered.
    wait_for(lambda: glob.glob(f"{c.state}/dead-letter/Audit/*.json"), 30, "the dead letter of the failing account")


def test_overview_lists_workers_with_their_counts(c):
    c.open("/", "overview")
    names = [e.get_attribute("data-worker") for e in c.browser.find_elements(By.CSS_SELECTOR, "#workers tbody tr")]
    assert names == ["Audit", "Nightly"], names
    assert c.cell("Audit", "succeeded") == "3", c.cell("Audit", "succeeded")
    assert c.cell("Audit", "failed") == "2", c.cell("Audit", "failed")
    assert c.cell("Audit", "deadletters") == "1", c.cell("Audit", "deadletters")
    assert c.cell("Nightly", "deadletters") == "0"
    assert "DAILY" in c.browser.find_element(By.CSS_SELECTOR, 'tr[data-worker="Nightly"]').text
    if "--update-docs" in sys.argv:
        shutil.copy(os.path.join(c.shots, "overview.png"), os.path.join(ROOT, "docs", "console-overview.png"))


def run_history_json(c, worker):
    """`starfleetctl runs <worker> --json`, every run: the numbers the charts must show."""
    ctl = os.path.join(ROOT, ".build", "debug", "starfleetctl")
    out = subprocess.run([ctl, "runs", worker, "--json", "--limit", "0", "--config", c.config, "--state-dir", c.state],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


CHART_CLASS = {"succeeded": "succeeded", "failed-will-retry": "failed", "timed-out": "failed", "failed": "failed",
               "dead-lettered": "dead-lettered"}   # filtered runs are not charted


def expected_buckets(runs, seconds):
    """{bucket start (epoch s): {class: count}} from the runs' startedAt floored to the bucket, as the charts do."""
    from datetime import datetime
    out = {}
    for r in runs:
        kind = CHART_CLASS.get(r["outcome"])
        if kind is None:
            continue
        started = datetime.fromisoformat(r["startedAt"].replace("Z", "+00:00")).timestamp()
        start = int(started // seconds * seconds)
        out.setdefault(start, {"succeeded": 0, "failed": 0, "dead-lettered": 0, "durations": []})
        out[start][kind] += 1
        out[start]["durations"].append(r["durationSeconds"])
    return out


def chart_buckets(c, figure):
    """Every `g.bucket` of the chart `figure` with its data attributes, read in one go (the page is static)."""
    return c.browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' g.bucket')).map(function(g){"
        "var o = {}; for (var i = 0; i < g.attributes.length; i++) { var a = g.attributes[i];"
        " if (a.name.indexOf('data-') === 0) o[a.name.slice(5)] = a.value; } return o; });", "#" + figure)


def nearest_rank(values, p):
    ordered = sorted(values)
    rank = max(1, -(-int(p * 1000) * len(ordered) // 1000))   # ceil(p * n) without float surprises
    return ordered[min(rank, len(ordered)) - 1]


def test_charts_show_the_numbers_of_starfleetctl_runs_json(c):
    from datetime import datetime
    c.open("/workers/Audit", "worker-charts")
    runs = run_history_json(c, "Audit")
    assert len(runs) == 5, runs   # the fixture: 3 succeeded, one failed attempt, then its dead letter
    for figure, seconds, count in (("runs-hour", 60, 60), ("runs-week", 3600, 168)):
        expected = expected_buckets(runs, seconds)
        buckets = chart_buckets(c, figure)
        assert len(buckets) == count, (figure, len(buckets))
        shown = {}
        for b in buckets:
            counts = {k: int(b[k]) for k in ("succeeded", "failed", "dead-lettered")}
            if sum(counts.values()):
                shown[int(datetime.fromisoformat(b["start"].replace("Z", "+00:00")).timestamp())] = counts
        want = {k: {n: v[n] for n in ("succeeded", "failed", "dead-lettered")} for k, v in expected.items()}
        assert shown == want, (figure, shown, want)
        durations = {int(datetime.fromisoformat(b["start"].replace("Z", "+00:00")).timestamp()): b
                     for b in chart_buckets(c, figure.replace("runs", "duration"))}
        assert set(durations) == set(expected), (figure, sorted(durations), sorted(expected))
        for start, e in expected.items():
            for p in ("p50", "p95"):
                value = nearest_rank(e["durations"], 0.5 if p == "p50" else 0.95)
                assert abs(float(durations[start][p]) - value) < 1e-6, (figure, p, durations[start], e["durations"])
    summary = c.browser.find_element(By.CSS_SELECTOR, "#runs-hour p.summary").text
    assert "3 succeeded, 1 failed, 1 dead-lettered" in summary, summary
    # The overview's small chart: the same last hour in the worker's row.
    c.open("/", "overview-spark")
    spark = c.browser.execute_script(
        "var s = document.querySelector('tr[data-worker=\"Audit\"] svg.spark');"
        "return s && [s.getAttribute('data-succeeded'), s.getAttribute('data-failed'), s.getAttribute('data-dead-lettered')];")
    assert spark == ["3", "1", "1"], spark


def test_worker_page_shows_configuration_but_not_secrets(c):
    c.open("/workers/Audit", "worker")
    text = c.browser.find_element(By.ID, "settings").text
    assert "API_TOKEN" in text and "never-shown-secret" not in c.browser.page_source, text
    assert "all.yaml" in c.browser.page_source
    runs = c.browser.find_elements(By.CSS_SELECTOR, "#runs tr.run")
    assert len(runs) == 5, [r.text for r in runs]  # 3 accounts succeeded, the bad one failed twice
    # The failed runs of one account, through the page's own filter form.
    Select(c.browser.find_element(By.NAME, "outcome")).select_by_value("failures")
    c.browser.find_element(By.NAME, "account").send_keys(BAD_ACCOUNT)
    c.browser.find_element(By.CSS_SELECTOR, "form[action='/workers/Audit'] button").click()
    wait_for(lambda: "outcome=failures" in c.browser.current_url and c.browser.find_elements(By.ID, "runs"), 10, "the filtered page")
    c.browser.save_screenshot(os.path.join(c.shots, "worker-failed-runs.png"))
    runs = c.browser.find_elements(By.CSS_SELECTOR, "#runs tr.run")
    outcomes = sorted(r.get_attribute("data-outcome") for r in runs)
    assert outcomes == ["dead-lettered", "failed-will-retry"], outcomes
    assert all(r.get_attribute("data-account") == BAD_ACCOUNT for r in runs)
    assert "access denied" in runs[0].text, runs[0].text


def test_worker_page_shows_each_templates_last_fan_out(c):
    # The template change above fanned Audit/all.yaml out to the 4 accounts.
    c.open("/workers/Audit", "worker-templates")
    row = c.browser.find_element(By.CSS_SELECTOR, '#templates tr[data-key="Audit/all.yaml"]')
    assert row.find_element(By.CSS_SELECTOR, "td.payloads").text == "4", row.text
    assert "template change" in row.text and "done" in row.text, row.text
    plan = row.find_element(By.LINK_TEXT, "plan").get_attribute("href")
    assert plan.endswith("/plan?worker=Audit&key=Audit%2Fall.yaml"), plan


def test_dead_letter_found_by_account_is_redriven_from_the_page_and_runs(c):
    # An overview open in a first tab, marked so that a reload of the page would show (the mark would be gone).
    c.open("/", "overview-before")
    overview_tab = c.browser.current_window_handle
    c.browser.execute_script("window.notReloaded = true")
    c.browser.switch_to.new_window("tab")
    c.open(f"/dead-letters?account={BAD_ACCOUNT}", "dead-letters")
    rows = c.browser.find_elements(By.CSS_SELECTOR, "#letters tr[data-id]")
    assert len(rows) == 1, c.browser.page_source
    assert rows[0].find_element(By.CSS_SELECTOR, "td.account").text == BAD_ACCOUNT
    rows[0].find_element(By.CSS_SELECTOR, "td a").click()
    c.browser.save_screenshot(os.path.join(c.shots, "dead-letter.png"))
    assert "access denied" in c.browser.find_element(By.ID, "failures").text
    open(c.records + ".fixed", "w").close()
    c.browser.find_element(By.ID, "redrive").click()
    c.browser.save_screenshot(os.path.join(c.shots, "confirm.png"))
    assert c.browser.find_element(By.ID, "rate").get_attribute("value") == "100"
    c.browser.find_element(By.ID, "confirm").click()
    # The redrive runs in the background at its pace; its page reloads itself until it is finished.
    wait_for(lambda: "/dead-letters/redrives/" in c.browser.current_url
             and c.text("state") == "finished", 15, "the redrive to finish")
    c.browser.save_screenshot(os.path.join(c.shots, "redriven.png"))
    assert c.text("redriven") == "1", c.browser.page_source
    assert c.browser.find_element(By.ID, "progress").get_attribute("value") == "1"
    wait_for(lambda: BAD_ACCOUNT in open(c.records).read().split(), 20, "the redriven payload to run")
    # The overview in the first tab refreshes itself: the counts change in place, the page is not reloaded.
    c.browser.switch_to.window(overview_tab)
    wait_for(lambda: c.cell("Audit", "succeeded") == "4" and c.cell("Audit", "deadletters") == "0", 15,
             "the open overview to show the rerun by itself")
    assert c.browser.execute_script("return window.notReloaded === true"), "the overview reloaded the page"
    c.browser.save_screenshot(os.path.join(c.shots, "overview-after.png"))


def test_templates_and_accounts_pages(c):
    c.open("/templates", "templates")
    row = c.browser.find_element(By.CSS_SELECTOR, '#templates tr[data-key="Audit/all.yaml"]')
    assert "acknowledged" in row.text and "4 payloads" in row.text, row.text
    c.open("/accounts", "accounts")
    assert "acct-2" in c.browser.page_source


def test_cross_site_post_without_token_is_refused(c):
    path = glob.glob(f"{c.state}/dead-letter/*/*.json")
    body = urllib.parse.urlencode({"letter": "Audit/x", "action": "purge"}).encode()
    for headers in ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, {}):
        request = urllib.request.Request(c.base + "/dead-letters/purge", data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError("a POST without the token was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 403, e.code
    assert glob.glob(f"{c.state}/dead-letter/*/*.json") == path


def main():
    tests = [test_overview_lists_workers_with_their_counts, test_charts_show_the_numbers_of_starfleetctl_runs_json,
             test_worker_page_shows_configuration_but_not_secrets,
             test_worker_page_shows_each_templates_last_fan_out,
             test_dead_letter_found_by_account_is_redriven_from_the_page_and_runs, test_templates_and_accounts_pages,
             test_cross_site_post_without_token_is_refused]
    return run_with_fixture(
        "console", Console, tests, prepare=fan_out_with_one_failure,
        finish=lambda c: print(f"    screenshots: {c.shots}" + (" (kept)" if os.environ.get("KEEP") else "")))


if __name__ == "__main__":
    sys.exit(main())
