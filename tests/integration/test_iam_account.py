"""IAM account views and policy simulation, end to end with boto3 and the AWS CLI:
credential report, account summary, authorization details, and the simulator agreeing with
real enforcement."""
import csv
import io
import json

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="module")
def iam(server):
    return server.client("iam", server.info["AccessKeyId"], server.info["SecretAccessKey"])


def error_of(excinfo):
    response = excinfo.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message"))


ALLOW_S3_GET = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


# Runs first in this module: the account has never generated a report.
def test_report_not_present_before_generation(iam):
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ReportNotPresent", 410)
    assert not message  # AWS sends none


def test_credential_report_content(server, iam):
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Str0ng-Passw0rd!x")
    generated = iam.generate_credential_report()
    assert generated["State"] == "STARTED"
    assert generated["Description"] == "No report exists. Starting a new report generation task"
    assert iam.generate_credential_report()["State"] == "COMPLETE"

    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    assert report["GeneratedTime"].tzinfo is not None
    rows = list(csv.reader(io.StringIO(report["Content"].decode())))
    header, body = rows[0], rows[1:]
    assert len(header) == 22
    assert header[:4] == ["user", "arn", "user_creation_time", "password_enabled"]
    assert header[-4:] == ["cert_1_active", "cert_1_last_rotated", "cert_2_active",
                           "cert_2_last_rotated"]
    records = [dict(zip(header, row)) for row in body]
    root = records[0]
    account = server.info["AccountId"]
    assert root["user"] == "<root_account>"
    assert root["arn"] == f"arn:aws:iam::{account}:root"
    assert root["password_enabled"] == "not_supported"
    assert root["password_next_rotation"] == "not_supported"
    # dev-init --root-access-key gave the root user a key: CIS 1.4 would flag it.
    assert root["access_key_1_active"] == "TRUE"
    by_name = {r["user"]: r for r in records[1:]}
    admin = by_name[server.info["AdminUserName"]]
    assert admin["arn"] == f"arn:aws:iam::{account}:user/{server.info['AdminUserName']}"
    assert admin["password_enabled"] == "FALSE"
    assert admin["password_last_used"] == "N/A"
    assert admin["access_key_1_active"] == "TRUE"
    assert admin["access_key_1_last_rotated"].endswith("+00:00")
    assert admin["access_key_2_active"] == "FALSE"
    assert admin["access_key_2_last_rotated"] == "N/A"
    assert admin["cert_1_active"] == "FALSE"
    carol = by_name["carol"]
    assert carol["password_enabled"] == "TRUE"
    assert carol["password_last_used"] == "no_information"
    assert carol["password_last_changed"].endswith("+00:00")
    assert carol["mfa_active"] == "FALSE"
    assert carol["access_key_1_active"] == "FALSE"


def test_account_summary_counts_move(server, iam):
    before = iam.get_account_summary()["SummaryMap"]
    assert len(before) == 34
    assert before["UsersQuota"] == 5000
    assert before["AccountAccessKeysPresent"] == 1
    assert before["AccountMFAEnabled"] == 0
    iam.create_user(UserName="summary-user")
    iam.create_policy(PolicyName="summary-policy", PolicyDocument=ALLOW_S3_GET)
    after = iam.get_account_summary()["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert after["Policies"] == before["Policies"] + 1
    assert after["PolicyVersionsInUse"] == before["PolicyVersionsInUse"] + 1
    # The AWS CLI reads the same map.
    code, out, _ = server.aws(server.info["AccessKeyId"], server.info["SecretAccessKey"],
                              "iam", "get-account-summary")
    assert code == 0 and out["SummaryMap"]["Users"] == after["Users"]


def test_authorization_details_filter_and_paging(server, iam):
    iam.create_group(GroupName="details-group")
    iam.add_user_to_group(GroupName="details-group", UserName="carol")
    iam.put_user_policy(UserName="carol", PolicyName="carol-inline", PolicyDocument=ALLOW_S3_GET)

    users = iam.get_account_authorization_details(Filter=["User"])
    assert users["GroupDetailList"] == [] and users["RoleDetailList"] == []
    assert users["Policies"] == []
    carol = next(u for u in users["UserDetailList"] if u["UserName"] == "carol")
    assert carol["GroupList"] == ["details-group"]
    assert carol["UserPolicyList"][0]["PolicyName"] == "carol-inline"
    # boto3 decodes the URL-encoded document back into a dict.
    assert carol["UserPolicyList"][0]["PolicyDocument"] == json.loads(ALLOW_S3_GET)
    admin = next(u for u in users["UserDetailList"]
                 if u["UserName"] == server.info["AdminUserName"])
    assert admin["AttachedManagedPolicies"] == [
        {"PolicyName": "AdministratorAccess",
         "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]

    aws_managed = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])
    assert [p["PolicyName"] for p in aws_managed["Policies"]] == ["AdministratorAccess"]
    assert aws_managed["Policies"][0]["PolicyVersionList"][0]["IsDefaultVersion"] is True

    # Paging over every kind, one item at a time, sees the same set as one big page.
    everything = iam.get_account_authorization_details()
    assert everything["IsTruncated"] is False
    total = sum(len(everything[k]) for k in
                ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"))
    seen, marker, pages = 0, None, 0
    while True:
        kwargs = {"MaxItems": 1}
        if marker:
            kwargs["Marker"] = marker
        page = iam.get_account_authorization_details(**kwargs)
        pages += 1
        seen += sum(len(page[k]) for k in
                    ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"))
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert seen == total and pages == total
    # The boto3 paginator follows the same markers.
    paginator = iam.get_paginator("get_account_authorization_details")
    users_seen = sum(len(p["UserDetailList"])
                     for p in paginator.paginate(Filter=["User"], PaginationConfig={"PageSize": 2}))
    assert users_seen == len(users["UserDetailList"])


def test_simulation_agrees_with_enforcement(server, iam):
    name = "sim-user"
    user = iam.create_user(UserName=name)["User"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Self", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"],
         "Resource": "*"},
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="narrow", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])

    # Real enforcement.
    as_user.get_user()
    as_user.list_users()
    with pytest.raises(ClientError) as denied:
        as_user.create_user(UserName="not-allowed")
    code, status, message = error_of(denied)
    account = server.info["AccountId"]
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {user['Arn']} is not authorized to perform: iam:CreateUser on "
                       f"resource: arn:aws:iam::{account}:user/not-allowed because no "
                       "identity-based policy allows the iam:CreateUser action")
    with pytest.raises(ClientError) as explicit:
        as_user.delete_user(UserName="carol")
    assert error_of(explicit)[0] == "AccessDenied"
    assert "with an explicit deny in an identity-based policy" in error_of(explicit)[2]

    # The simulator says the same.
    results = iam.simulate_principal_policy(
        PolicySourceArn=user["Arn"],
        ActionNames=["iam:GetUser", "iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"],
    )["EvaluationResults"]
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in results}
    assert decisions == {"iam:GetUser": "allowed", "iam:ListUsers": "allowed",
                         "iam:CreateUser": "implicitDeny", "iam:DeleteUser": "explicitDeny"}
    deny = next(r for r in results if r["EvalActionName"] == "iam:DeleteUser")
    assert len(deny["MatchedStatements"]) == 1
    matched = deny["MatchedStatements"][0]
    assert matched["SourcePolicyId"] == f"user_{name}_narrow"
    assert matched["SourcePolicyType"] == "IAM Policy"
    text = json.dumps(policy)
    start = text.index('{"Sid": "NoDelete"')
    assert matched["StartPosition"] == {"Line": 1, "Column": start + 2}
    assert matched["EndPosition"]["Line"] == 1

    # Simulating is itself authorized: the narrow user may not simulate.
    with pytest.raises(ClientError) as not_allowed:
        as_user.simulate_principal_policy(PolicySourceArn=user["Arn"], ActionNames=["s3:GetObject"])
    assert error_of(not_allowed)[:2] == ("AccessDenied", 403)

    with pytest.raises(ClientError) as missing:
        iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{account}:user/nobody",
                                      ActionNames=["s3:GetObject"])
    assert error_of(missing) == ("NoSuchEntity", 404, "The user with name nobody cannot be found.")


def test_simulate_custom_policy_with_source_ip(iam):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]})

    def decide(ip=None):
        kwargs = {"PolicyInputList": [policy], "ActionNames": ["s3:ListBucket"],
                  "ResourceArns": ["arn:aws:s3:::reports"]}
        if ip:
            kwargs["ContextEntries"] = [{"ContextKeyName": "aws:SourceIp",
                                         "ContextKeyValues": [ip], "ContextKeyType": "ip"}]
        return iam.simulate_custom_policy(**kwargs)["EvaluationResults"][0]

    allowed = decide("203.0.113.10")
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert allowed["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    assert decide("198.51.100.1")["EvalDecision"] == "implicitDeny"
    missing = decide()
    assert missing["EvalDecision"] == "implicitDeny"
    assert missing["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:SourceIp"]

    with pytest.raises(ClientError) as bad:
        iam.simulate_custom_policy(PolicyInputList=["{nope"], ActionNames=["s3:ListBucket"])
    assert error_of(bad)[:2] == ("InvalidInput", 400)


def test_context_keys(server, iam):
    policy = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
              '"Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",'
              '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}')
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert keys == ["aws:username", "aws:CurrentTime"]
    account = server.info["AccountId"]
    keys = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{account}:user/sim-user",
        PolicyInputList=[policy])["ContextKeyNames"]
    assert keys == ["aws:username", "aws:CurrentTime"]
    code, out, _ = server.aws(server.info["AccessKeyId"], server.info["SecretAccessKey"],
                              "iam", "get-context-keys-for-custom-policy",
                              "--policy-input-list", policy)
    assert code == 0 and out["ContextKeyNames"] == ["aws:username", "aws:CurrentTime"]
