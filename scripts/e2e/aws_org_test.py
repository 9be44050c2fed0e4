#!/usr/bin/env python3
"""AccountIndexGeneratorShip end to end: the built starfleetctl runs the generator (`invoke`, commit off and on)
against a moto_server holding an organization built with boto3 (root > Prod > Api > Web, Sandbox beside Prod,
tagged accounts in each, one suspended), and the index it prints or writes is checked field by field, loaded by
`starfleetctl plan` (the daemon's own loader), and compared with what moto says.

Run by scripts/e2e/aws-org.sh. The last line is "aws-org: N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from awspeer import Ministack, MotoServer  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from daemon_test import Env, lines, recorder, run_tests, wait_for  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CTL = os.path.join(ROOT, ".build", "debug", "starfleetctl")
MANAGEMENT = "123456789012"  # moto's default account: its organization is the one the org role sees
KEY = "indexes/accountIndex.json"

CONFIG = """STARFLEET:
  AccountIndex: LocalAccountIndex
  DeploymentRegion: us-east-1
  TemplateDirectory: templates
LocalAccountIndex:
  Path: {index}
AccountIndexGeneratorShip:
  Enabled: true
  TemplatePrefix: AccountIndexGenerator/SaveAccountInventory.yaml
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT, S3]
  EventBridgeTimedFrequency: HOURLY
  OrgAccountAssumeRole: starfleet-worker-basic-test-role
  OrgAccountId: "{management}"
  {root_line}
  DescribeRegionsAssumeRole: starfleet-worker-basic-test-role
  Parallelism: 3
Probe:
  Enabled: true
  Command: ["/bin/true"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: Probe/
  InvocationSources: [S3]
"""


class Org:
    """The organization in moto, and what the index must say about it."""

    def __init__(self, moto):
        org = moto.client("organizations")
        org.create_organization(FeatureSet="ALL")
        self.root = org.list_roots()["Roots"][0]["Id"]

        def unit(name, parent):
            return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]

        self.prod = unit("Prod", self.root)
        self.api = unit("Api", self.prod)
        self.web = unit("Web", self.api)
        self.sandbox = unit("Sandbox", self.root)
        self.names = {self.prod: "Prod", self.api: "Api", self.web: "Web", self.sandbox: "Sandbox"}
        self.above = {self.prod: self.root, self.api: self.prod, self.web: self.api, self.sandbox: self.root}
        self.accounts = {}  # id -> (name, parent, tags)
        places = [self.root, self.prod, self.api, self.web, self.sandbox, self.web, self.api]
        for i, parent in enumerate(places):
            tags = {"Env": "Prod" if i % 2 == 0 else "Dev", "Team": f"team-{i}", "Cost Center": f"cc/{i}+é"}
            status = org.create_account(Email=f"acct{i}@example.com", AccountName=f"Account {i}",
                                        Tags=[{"Key": k, "Value": v} for k, v in tags.items()])["CreateAccountStatus"]
            account = status["AccountId"]
            if parent != self.root:
                org.move_account(AccountId=account, SourceParentId=self.root, DestinationParentId=parent)
            self.accounts[account] = (f"Account {i}", parent, tags)
        # A suspended account: nothing can run there, so it is reported and left out.
        self.suspended = org.create_account(Email="gone@example.com", AccountName="Gone")["CreateAccountStatus"]["AccountId"]
        org.close_account(AccountId=self.suspended)
        self.accounts[MANAGEMENT] = ("master", self.root, {})
        self.listed = {a["Id"]: a for a in org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]}

    def parents(self, account):
        chain, place = [], self.accounts[account][1]
        while place != self.root:
            chain.append({"Id": place, "Name": self.names[place], "Type": "ORGANIZATIONAL_UNIT"})
            place = self.above[place]
        return chain + [{"Id": self.root, "Name": "ROOT", "Type": "ROOT"}]


class Case:
    """A config dir, state dir and bucket of one test against one peer (the peer's keys, or `keys`, sign)."""

    def __init__(self, peer, root, with_root=True, management=MANAGEMENT, keys=(None, None)):
        self.dir = tempfile.mkdtemp(prefix="aws-org-")
        self.peer, self.keys = peer, keys
        # A bucket of its own, so what one test writes cannot pass for another's.
        self.bucket = "starfleet-account-index-" + os.path.basename(self.dir).lower().replace("_", "-")
        peer.client("s3", *keys).create_bucket(Bucket=self.bucket)
        self.config = os.path.join(self.dir, "config")
        self.state = os.path.join(self.dir, "state")
        os.makedirs(os.path.join(self.config, "templates"))
        self.local_index = os.path.join(self.dir, "local", "accountIndex.json")
        os.makedirs(os.path.dirname(self.local_index))
        root_line = f"OrgRootId: {root}" if with_root else "# OrgRootId: looked up with ListRoots"
        with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
            f.write(CONFIG.format(index=self.local_index, management=management, root_line=root_line))

    def payload(self, **keys):
        path = os.path.join(self.dir, "payload.yaml")
        with open(path, "w") as f:
            f.write("TemplateName: AccountIndexGeneratorShip\nTemplateDescription: The account index generator\n")
            for k, v in keys.items():
                f.write(f"{k}: {v}\n")
        return path

    def ctl(self, *args):
        env = dict(os.environ, **self.peer.env(*self.keys))
        return subprocess.run([CTL, *args, "--config", self.config, "--state-dir", self.state],
                              capture_output=True, text=True, env=env, timeout=300)

    def invoke(self, payload, commit=False):
        args = ["invoke", "AccountIndexGeneratorShip", "--payload", payload] + (["--commit"] if commit else [])
        run = self.ctl(*args)
        assert run.returncode == 0, f"invoke exited {run.returncode}:\n{run.stdout}\n{run.stderr}"
        return json.loads(run.stdout), run.stderr

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def s3_keys(case):
    listing = case.peer.client("s3", *case.keys).list_objects_v2(Bucket=case.bucket)
    return [o["Key"] for o in listing.get("Contents", [])]


def check_index(index, org):
    accounts = index["accounts"]
    expected = set(org.accounts)
    assert set(accounts) == expected, f"indexed {sorted(accounts)}, expected {sorted(expected)}"
    for account, (name, _, tags) in org.accounts.items():
        entry = accounts[account]
        listed = org.listed[account]
        assert entry["Id"] == account and entry["Name"] == name, entry
        assert entry["Arn"] == listed["Arn"] and entry["Email"] == listed["Email"], entry
        assert entry["Status"] == "ACTIVE" and entry["JoinedMethod"] == listed["JoinedMethod"], entry
        assert entry["JoinedTimestamp"].startswith(listed["JoinedTimestamp"].strftime("%Y-%m-%d %H:%M:%S")), entry
        assert entry["Parents"] == org.parents(account), (account, entry["Parents"], org.parents(account))
        assert entry["Tags"] == tags, (entry["Tags"], tags)
        regions = entry["Regions"]
        assert regions == sorted(regions) and "us-east-1" in regions and "eu-west-1" in regions, regions
        assert "ap-east-1" not in regions, "an opt-in region the account has not opted into is listed"
    assert index["generated"].endswith("Z") and "T" in index["generated"], index["generated"]
    # Three levels of OUs really are nested in this org.
    assert any(len(e["Parents"]) == 4 for e in accounts.values())


def test_dry_run_prints_the_index_and_writes_nothing(moto, org):
    case = Case(moto, org.root)
    try:
        payload = case.payload(AccountInventoryBucket=case.bucket, InventoryBucketRegion="us-east-1",
                               InventoryObjectPrefix=KEY, AccountInventoryPath=case.local_index)
        result, stderr = case.invoke(payload)
        assert result["committed"] is False and result["destinations"] == [], result
        assert result["accounts"] == len(org.accounts), result
        assert result["rootId"] == org.root, result
        assert [s["Id"] for s in result["inactive"]] == [org.suspended], result["inactive"]
        assert result["inactive"][0]["Reason"] == "SUSPENDED", result["inactive"]
        assert result["failures"] == [], result["failures"]
        check_index(result["index"], org)
        assert "[🍣] Raw Inventory:" in stderr, stderr[-2000:]
        assert s3_keys(case) == [], "commit was off, yet S3 has objects"
        assert not os.path.exists(case.local_index), "commit was off, yet the local index was written"
    finally:
        case.cleanup()


def test_commit_writes_s3_and_the_local_file_which_the_daemon_loads(moto, org):
    case = Case(moto, org.root, with_root=False)
    try:
        payload = case.payload(AccountInventoryBucket=case.bucket, InventoryBucketRegion="us-east-1",
                               InventoryObjectPrefix=KEY, AccountInventoryPath=case.local_index)
        result, _ = case.invoke(payload, commit=True)
        assert result["committed"] is True and "index" not in result, result
        assert result["destinations"] == [f"s3://{case.bucket}/{KEY}", case.local_index], result
        assert result["rootId"] == org.root, "the root was not looked up with ListRoots"
        assert s3_keys(case) == [KEY]
        obj = moto.client("s3").get_object(Bucket=case.bucket, Key=KEY)
        assert obj["ContentType"] == "application/json", obj["ContentType"]
        body = obj["Body"].read().decode()
        index = json.loads(body)
        check_index(index, org)
        # Starfleet's exact layout: json.dumps(indent=4, sort_keys=True), no trailing newline.
        assert body == json.dumps(index, indent=4, sort_keys=True), "not written as Starfleet writes it"
        assert open(case.local_index).read() == body, "the local file differs from the S3 object"

        # The daemon's loader reads it: plan an ACCOUNT template selecting an OU by name, a tag, and an exclusion.
        template = os.path.join(case.dir, "probe.yaml")
        with open(template, "w") as f:
            f.write("TemplateName: Probe\nTemplateDescription: d\n"
                    "IncludeAccounts:\n  ByOrgUnits: [api]\n  ByTags: [{Name: team, Value: TEAM-4}]\n"
                    "ExcludeAccounts:\n  ByTags: [{Name: Env, Value: dev}]\n")
        run = case.ctl("plan", "--worker", "Probe", "--json", "--account-index", case.local_index, template)
        assert run.returncode == 0, run.stderr
        planned = sorted(json.loads(line)["account"] for line in run.stdout.splitlines())
        under_api = {a for a, (_, _, _) in org.accounts.items() if any(p["Id"] == org.api for p in org.parents(a))}
        team4 = {a for a, (_, _, tags) in org.accounts.items() if tags.get("Team") == "team-4"}
        wanted = sorted(a for a in under_api | team4 if org.accounts[a][2].get("Env") != "Dev")
        assert planned == wanted and planned, (planned, wanted)
    finally:
        case.cleanup()


def test_validate_and_the_daemon_refuse_the_generators_missing_keys(moto, org):
    case = Case(moto, org.root)
    try:
        path = os.path.join(case.config, "starfleetd.yaml")
        text = open(path).read().replace(f'  OrgAccountId: "{MANAGEMENT}"\n', "").replace("Parallelism: 3", "Parallelism: 0")
        open(path, "w").write(text)
        run = case.ctl("validate")
        assert run.returncode == 78, (run.returncode, run.stdout, run.stderr)
        assert "starfleetd.yaml:7:1: error: AccountIndexGeneratorShip.OrgAccountId: Missing data for required field." in run.stderr, run.stderr
        assert "error: AccountIndexGeneratorShip.Parallelism: must be an integer from 1 to 64" in run.stderr, run.stderr
        daemon = subprocess.run([os.path.join(ROOT, ".build", "debug", "starfleetd"), "--config", case.config,
                                 "--state-dir", case.state], capture_output=True, text=True, timeout=60)
        assert daemon.returncode == 78, (daemon.returncode, daemon.stderr[-2000:])
        assert "AccountIndexGeneratorShip.OrgAccountId: Missing data for required field." in daemon.stderr, daemon.stderr[-2000:]
    finally:
        case.cleanup()


def test_payload_without_destination_is_refused(moto, org):
    case = Case(moto, org.root)
    try:
        run = case.ctl("invoke", "AccountIndexGeneratorShip", "--payload", case.payload(), "--commit")
        assert run.returncode == 65, (run.returncode, run.stderr)
        assert "AccountInventoryBucket: Missing data for required field." in run.stderr, run.stderr
        assert s3_keys(case) == [], "an invalid payload wrote something"
    finally:
        case.cleanup()


def test_the_daemon_generates_its_own_index_and_fans_out_with_it(moto, org):
    """starfleetd itself: the generator's template lands in the template directory, is fanned out once
    (SINGLE_INVOCATION needs no index), and the generator, with Commit: true in its section, writes the index with the
    daemon's AWS credentials to S3 and over the daemon's own LocalAccountIndex file; the next ACCOUNT template is then
    fanned out to the organization's real accounts, nested OUs included."""
    env = Env({})
    bucket = "daemon-index-" + os.path.basename(env.dir).lower().replace("_", "-")
    own_index = os.path.join(env.config, "index.json")
    try:
        env.write_config({
            "AccountIndexGeneratorShip": {
                "Enabled": "true", "TemplatePrefix": "AccountIndexGenerator/SaveAccountInventory.yaml",
                "InvocationSources": "[S3]", "Commit": "true", "MaxReceiveCount": "1",
                "OrgAccountAssumeRole": "starfleet-worker-basic-test-role", "OrgAccountId": f'"{MANAGEMENT}"',
                "DescribeRegionsAssumeRole": "starfleet-worker-basic-test-role"},
            "Recorder": recorder(env, "ACCOUNT", "Recorder/")})
        moto.client("s3").create_bucket(Bucket=bucket)
        env.start(moto.env())
        env.template("AccountIndexGenerator/SaveAccountInventory.yaml",
                     f"TemplateName: AccountIndexGeneratorShip\nTemplateDescription: d\nAccountInventoryBucket: {bucket}\n"
                     f"InventoryBucketRegion: us-east-1\nAccountInventoryPath: {own_index}\n")
        s3 = moto.client("s3")
        wait_for(lambda: s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) > 0, 90, "the generator to write the index")
        body = s3.get_object(Bucket=bucket, Key="accountIndex.json")["Body"].read().decode()
        check_index(json.loads(body), org)
        wait_for(lambda: open(own_index).read() == body, 10, "the local index to be the S3 object")
        assert "account index built" in env.read_log(), env.read_log()[-3000:]

        env.template("Recorder/api.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {ByOrgUnits: [Api]}\n")
        under_api = sorted(a for a in org.accounts if any(p["Id"] == org.api for p in org.parents(a)))
        wait_for(lambda: len(lines(f"{env.out}/records")) >= len(under_api), 30, f"{len(under_api)} executions")
        time.sleep(1)
        assert sorted(r[1] for r in lines(f"{env.out}/records")) == under_api
        assert env.stop() == 0
    finally:
        env.stop()
        env.cleanup()


def test_ministack_accepts_every_signature_and_a_member_role_failure_is_reported(moto, org):
    """ministack checks SigV4 as AWS does for a key made through its IAM API, session tokens included: the base
    key signs STS and S3, the assumed org role signs Organizations and EC2. Its member accounts have no roles, so
    their DescribeRegions AssumeRole is refused: reported as a failure, not fatal, the rest still written."""
    with Ministack() as ms:
        keys = ms.create_verified_key()
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}]}
        iam = ms.client("iam")
        iam.create_role(RoleName="starfleet-worker-basic-test-role", AssumeRolePolicyDocument=json.dumps(trust))
        # The permissions docs/workers.md lists, and nothing more.
        iam.put_role_policy(RoleName="starfleet-worker-basic-test-role", PolicyName="account-index", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "organizations:ListAccounts", "organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent",
                "organizations:ListParents", "organizations:DescribeOrganizationalUnit",
                "organizations:ListTagsForResource", "ec2:DescribeRegions"]}]}))
        organizations = ms.client("organizations", *keys)
        root = organizations.list_roots()["Roots"][0]["Id"]
        outer = organizations.create_organizational_unit(ParentId=root, Name="Outer")["OrganizationalUnit"]["Id"]
        inner = organizations.create_organizational_unit(ParentId=outer, Name="Inner")["OrganizationalUnit"]["Id"]
        member = organizations.create_account(Email="member@example.com", AccountName="Member",
                                              Tags=[{"Key": "Env", "Value": "Prod"}])["CreateAccountStatus"]["AccountId"]
        organizations.move_account(AccountId=member, SourceParentId=root, DestinationParentId=inner)
        case = Case(ms, root, management="000000000000", keys=keys)
        try:
            payload = case.payload(AccountInventoryBucket=case.bucket, InventoryBucketRegion="us-east-1", InventoryObjectPrefix=KEY)
            result, stderr = case.invoke(payload, commit=True)
            assert result["accounts"] == 1 and result["committed"] is True, result
            assert [f["Id"] for f in result["failures"]] == [member], result["failures"]
            assert "AccessDenied" in result["failures"][0]["Reason"], result["failures"]
            assert f"arn:aws:iam::{member}:role/starfleet-worker-basic-test-role" in result["failures"][0]["Reason"]
            assert keys[1] not in stderr and keys[1] not in json.dumps(result), "the secret key was printed"
            body = case.peer.client("s3", *keys).get_object(Bucket=case.bucket, Key=KEY)["Body"].read()
            index = json.loads(body)
            entry = index["accounts"]["000000000000"]
            assert entry["Parents"] == [{"Id": root, "Name": "ROOT", "Type": "ROOT"}], entry
            assert "us-east-1" in entry["Regions"], entry
            assert member not in index["accounts"]

            # The same run with a wrong secret is refused at the first call: the check above was a real one.
            case.keys = (keys[0], "not-the-secret")
            run = case.ctl("invoke", "AccountIndexGeneratorShip", "--payload", payload, "--commit")
            assert run.returncode != 0 and "signature" in run.stderr.lower(), (run.returncode, run.stderr)
            assert "not-the-secret" not in run.stderr, "the secret key was printed"
        finally:
            case.cleanup()


def main():
    # One moto organization for every test (building it is the slow part); each test gets it bound in.
    with MotoServer() as moto:
        org = Org(moto)
        bound = {n: (lambda f=f: f(moto, org)) for n, f in globals().items() if n.startswith("test_") and callable(f)}
        run_tests(bound, "aws-org")


if __name__ == "__main__":
    main()
