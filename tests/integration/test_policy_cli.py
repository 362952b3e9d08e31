"""The offline policy commands, through the real binary: `rampart policy simulate` (the JSON
Lines contract of POLICY-SIMULATE.md) and `rampart policy validate`."""
import json
import subprocess

from conftest import BIN

EXAMPLE = {
    "id": "ex1",
    "principal": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
                  "accountId": "111122223333"},
    "action": "s3:GetObject",
    "resource": "arn:aws:s3:::reports/2026/q1.csv",
    "resourceAccount": "111122223333",
    "context": {"aws:SourceIp": "203.0.113.7", "aws:username": "alice"},
    "identityPolicies": [{"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}],
    "resourcePolicy": None, "permissionsBoundary": None, "sessionPolicies": [],
    "scps": [], "rcps": [],
}


def simulate(lines):
    proc = subprocess.run([BIN, "policy", "simulate", "--input", "-"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_simulate_one_line_out_per_line_in(rampart_bin):
    outside = dict(EXAMPLE, id="ex2", context={"aws:SourceIp": "198.51.100.1"})
    scp_deny = dict(EXAMPLE, id="ex3", scps=[[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]])
    out = simulate([json.dumps(EXAMPLE), json.dumps(outside), "{not json", json.dumps(scp_deny)])
    assert [o.get("id") for o in out][:2] == ["ex1", "ex2"]
    assert out[0]["decision"] == "allowed"
    assert out[1]["decision"] == "implicitDeny"
    assert out[1]["reason"] == "because no identity-based policy allows the s3:GetObject action"
    assert out[2]["decision"] == "error" and out[2]["message"]
    assert out[3]["id"] == "ex3" and out[3]["decision"] == "explicitDeny"
    assert out[3]["reason"] == "with an explicit deny in a service control policy"


def test_simulate_malformed_policy_is_an_error_line(rampart_bin):
    bad = dict(EXAMPLE, id="bad", identityPolicies=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}])
    out = simulate([json.dumps(bad)])
    assert out == [{**out[0], "id": "bad", "decision": "error"}]


def validate(policy, kind):
    return subprocess.run([BIN, "policy", "validate", "-", "--type", kind],
                          input=json.dumps(policy), capture_output=True, text=True, timeout=60)


def test_validate_reports_findings_and_exit_status(rampart_bin):
    ok = validate({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}, "identity")
    assert ok.returncode == 0, ok.stdout
    admin = validate({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "identity")
    assert "SECURITY_WARNING" in admin.stdout
    broken = validate({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:NoSuchAction", "Resource": "*", "Principal": "*"}]},
        "identity")
    assert broken.returncode != 0
    assert "ERROR" in broken.stdout
