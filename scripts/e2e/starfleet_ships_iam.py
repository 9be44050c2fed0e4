"""Case (f) of starfleet_ships_test.py: Starfleet's IamRoleWorkerShip, unchanged (IAMbic, iambic-core from Starfleet's
pinned requirements), under starfleetd, against moto's IAM and STS in two accounts of the daemon's index.

IAMbic assumes the worker role with STS at its fixed https://sts.<region>.amazonaws.com (through the test's HTTPS
proxy to moto) and calls IAM through the session it gets (AWS_ENDPOINT_URL: moto). The template names two accounts
by name (Starfleet's ByNames, resolved from the index); an inline policy is only for one of them
(StarfleetIncludeAccounts); the managed policy is each account's own (IAMbic's {{var.account_id}}, no spaces:
IAMbic's ARN pattern refuses them).

  - a template drop with commit off fans out to both accounts and only reports ("would have been made");
  - `invoke --commit` per account creates the role: trust policy, managed + inline policies, tags;
  - a changed template (tag, inline statement) updates both;
  - drift made in moto (a detached policy, an extra inline policy, a changed tag) is reported and left alone with
    commit off, and corrected on the next committed run, with Starfleet's IMPORTANT alert.
"""
import json
import time

IAM_HANDLER = "starfleet.worker_ships.plugins.iam.role_ship.lambda_handler"
IAM_DONE = "[🏁] Completed syncing IAM Role."
ROLE = "starfleet_test_role"
WOULD_HAVE = "The following changes would have been made if the commit flag was set"


def iam_section(python, aws_env, proxy_env):
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": IAM_HANDLER,
        "Python": python,
        "TemplatePrefix": "IamRoles/",
        "InvocationSources": ["S3"],
        "WorkerRoleToAssume": "starfleet-worker-basic-test-role",
        "AlertConfiguration": {"ChannelId": "C0IAM", "AlertPriority": "IMPORTANT"},
        "Environment": dict(aws_env, **proxy_env),
        "Concurrency": 2,
        "TimeoutSeconds": 120,
        "MaxReceiveCount": 1,
        "Backoff": {"InitialSeconds": 0, "MaxSeconds": 0},
    }


def role_payload(names, inline_for, tag="DEVOPS-01", actions=("s3:GetObject",)):
    return {
        "TemplateName": "StarfleetTestRole",
        "TemplateDescription": "A role Starfleet rolls out with IAMbic",
        "IncludeAccounts": {"ByNames": names},
        "IambicVariables": [{"Key": "team", "Value": "platform"}],
        "IambicRoleTemplate": {"properties": {
            "role_name": ROLE,
            "description": "Rolled out to {{ var.account_name }} for {{ var.team }}",
            "assume_role_policy_document": {"version": "2012-10-17", "statement": [
                {"action": "sts:AssumeRole", "effect": "Allow", "principal": {"service": "ec2.amazonaws.com"}}]},
            "managed_policies": [{"policy_arn": "arn:aws:iam::{{var.account_id}}:policy/StarfleetAudit"}],
            "inline_policies": [
                {"policy_name": "everywhere", "version": "2012-10-17", "statement": [
                    {"effect": "Allow", "action": list(actions), "resource": ["arn:aws:s3:::starfleet-artifacts/*"]}]},
                {"StarfleetIncludeAccounts": {"ByNames": [inline_for]}, "policy_name": "only-here",
                 "version": "2012-10-17", "statement": [
                     {"effect": "Allow", "action": ["sqs:SendMessage"], "resource": ["*"]}]},
            ],
            "tags": [{"key": "jira", "value": tag}, {"key": "owner", "value": "starfleet"}],
        }},
    }


def iam_client(moto, account):
    import boto3
    creds = moto.client("sts").assume_role(RoleArn="arn:aws:iam::%s:role/checker" % account,
                                           RoleSessionName="check")["Credentials"]
    return boto3.client("iam", region_name="us-east-1", endpoint_url=moto.endpoint,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


def role_state(moto, account):
    """What moto holds for the role in `account`, or None."""
    iam = iam_client(moto, account)
    try:
        role = iam.get_role(RoleName=ROLE)["Role"]
    except iam.exceptions.NoSuchEntityException:
        return None
    inline = {}
    for name in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=ROLE, PolicyName=name)["PolicyDocument"]
        inline[name] = json.loads(doc) if isinstance(doc, str) else doc
    trust = role["AssumeRolePolicyDocument"]
    return {
        "trust": json.loads(trust) if isinstance(trust, str) else trust,
        "description": role.get("Description"),
        "managed": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]),
        "inline": inline,
        "tags": {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]},
    }


def actions_of(policy):
    out = []
    for statement in policy["Statement"]:
        action = statement["Action"]
        out += [action] if isinstance(action, str) else action
    return sorted(out)


def iam_alerts(world):
    return [r for r in world.receiver.requests if "IAM Role: %s" % ROLE in json.dumps(r, ensure_ascii=False)]


def test_f_iam_role_ship_rolls_a_role_out_with_iambic(world):
    from starfleet_ships_test import expect, test_a_account_index_generator_under_the_daemon_writes_starfleets_index
    from daemon_test import wait_for
    w, moto = world, world.moto
    if "index" not in w.state:
        test_a_account_index_generator_under_the_daemon_writes_starfleets_index(w)
    names = {a: e["Name"] for a, e in w.state["index"]["accounts"].items()}
    first, second = w.org.in_web[0], w.org.in_sandbox[0]
    targets = [names[first], names[second]]
    for account in (first, second):   # each account's own policy, as an organization would have it
        iam_client(moto, account).create_policy(PolicyName="StarfleetAudit", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}))

    def invoke(account, payload, commit):
        args = ["invoke", "IamRoleWorkerShip", "--payload", w.payload_file(payload), "--account-id", account]
        r = w.env.ctl(*(args + (["--commit"] if commit else [])), check=False)
        expect(r.returncode == 0, "invoke for %s exited %d: %s%s" % (account, r.returncode, r.stdout, r.stderr), w)

    # Commit off, as a template drop: the daemon fans it out to the two named accounts; IAMbic only reports.
    payload = role_payload(targets, names[first])
    before = w.log().count(IAM_DONE)
    w.env.template("IamRoles/role.yaml", json.dumps(payload))
    wait_for(lambda: w.log().count(IAM_DONE) - before >= 2, 120, "two IAM role payloads" + w.log_tail())
    time.sleep(1.0)
    expect(w.log().count(IAM_DONE) - before == 2, "the drop ran %d payloads, not 2" % (w.log().count(IAM_DONE) - before), w)
    expect(w.log().count(WOULD_HAVE) >= 2, "the dry run did not report what it would do", w)
    for account in names:
        expect(role_state(moto, account) is None, "commit off created the role in %s" % account, w)
    expect(not iam_alerts(w), "Starfleet alerted on a dry run")

    # Commit on: the role in each named account, with what the template says there.
    for account in (first, second):
        invoke(account, payload, commit=True)
    for account in (first, second):
        state = role_state(moto, account)
        expect(state is not None, "no role in %s" % account, w)
        expect(state["trust"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
               and state["trust"]["Statement"][0]["Action"] == "sts:AssumeRole", "trust policy: %s" % state["trust"], w)
        # IAMbic's account_name variable is the index's name without its spaces ("Account 2" -> "Account2").
        expect(state["description"] == "Rolled out to %s for platform" % names[account].replace(" ", ""),
               "description: %s" % state)
        expect(state["managed"] == ["arn:aws:iam::%s:policy/StarfleetAudit" % account], "managed: %s" % state["managed"])
        expect(set(state["inline"]) == ({"everywhere", "only-here"} if account == first else {"everywhere"}),
               "inline policies in %s: %s" % (account, sorted(state["inline"])), w)
        expect(state["tags"] == {"jira": "DEVOPS-01", "owner": "starfleet"}, "tags: %s" % state["tags"])
    for account in names:
        if account not in (first, second):
            expect(role_state(moto, account) is None, "the role appeared in %s, not named" % account, w)
    wait_for(lambda: len(iam_alerts(w)) >= 2, 20, "Starfleet's two alerts for the new role" + w.log_tail())
    expect(all("the role was missing and was created" in json.dumps(r) for r in iam_alerts(w)),
           "creation alerts: %s" % iam_alerts(w))

    # A changed template (a tag, an inline statement) updates both accounts.
    changed = role_payload(targets, names[first], tag="DEVOPS-02", actions=("s3:GetObject", "s3:PutObject"))
    for account in (first, second):
        invoke(account, changed, commit=True)
        state = role_state(moto, account)
        expect(state["tags"]["jira"] == "DEVOPS-02", "tag not updated in %s: %s" % (account, state["tags"]), w)
        expect(actions_of(state["inline"]["everywhere"]) == ["s3:GetObject", "s3:PutObject"],
               "inline not updated in %s: %s" % (account, state["inline"]["everywhere"]), w)

    # Drift, made directly in moto: detected and left alone with commit off, corrected with commit on, alerted.
    iam = iam_client(moto, second)
    iam.detach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::%s:policy/StarfleetAudit" % second)
    iam.put_role_policy(RoleName=ROLE, PolicyName="sneaky", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam.tag_role(RoleName=ROLE, Tags=[{"Key": "jira", "Value": "HAND-EDITED"}])
    drifted = role_state(moto, second)
    reports = w.log().count(WOULD_HAVE)
    invoke(second, changed, commit=False)
    expect(w.log().count(WOULD_HAVE) == reports + 1, "commit off did not report the drift", w)
    expect(role_state(moto, second) == drifted, "commit off changed the drifted role", w)
    alerts = len(iam_alerts(w))
    invoke(second, changed, commit=True)
    state = role_state(moto, second)
    expect(state["managed"] == ["arn:aws:iam::%s:policy/StarfleetAudit" % second], "managed not restored: %s" % state, w)
    expect(set(state["inline"]) == {"everywhere"}, "the extra inline policy stayed: %s" % sorted(state["inline"]), w)
    expect(state["tags"]["jira"] == "DEVOPS-02", "the tag was not restored: %s" % state["tags"], w)
    wait_for(lambda: len(iam_alerts(w)) > alerts, 20, "Starfleet's alert for the drift" + w.log_tail())
    alert = json.dumps(iam_alerts(w)[-1], ensure_ascii=False)
    expect("in %s was created/updated" % names[second] in alert and "managed_policies" in alert,
           "the drift alert: %s" % alert)
    expect(role_state(moto, first)["tags"]["jira"] == "DEVOPS-02", "the other account changed", w)
