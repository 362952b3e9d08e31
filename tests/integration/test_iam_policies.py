"""Issue 4, roles and policies: roles and trust policies, managed policies and their versions,
attachments and quotas, inline policies, and the permissions-boundary scenario, driven by boto3
and the aws CLI against the real server."""
import json
import time
import uuid

import botocore.exceptions
import pytest


def admin_iam(server):
    return server.client("iam", server.info["AccessKeyId"], server.info["SecretAccessKey"])


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        call(*args, **kwargs)
    err = exc.value.response["Error"]
    return err["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"], err["Message"]


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


def allow(*actions, resource="*"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": resource}]})


def new_user_with_key(iam, name, **kwargs):
    iam.create_user(UserName=name, **kwargs)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def eventually_ok(call, attempts=20):
    """A new access key is usable at once in rampart; the retry only guards slow CI hosts."""
    for _ in range(attempts - 1):
        try:
            return call()
        except botocore.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] != "InvalidClientTokenId":
                raise
            time.sleep(0.1)
    return call()


# --------------------------------------------------------------------------------------------
# Roles


def test_role_lifecycle_and_trust_policy_validation(server):
    iam = admin_iam(server)
    name = unique("app")
    created = iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=TRUST,
                              Description="app role", MaxSessionDuration=7200,
                              Tags=[{"Key": "team", "Value": "blue"}])["Role"]
    account = server.info["AccountId"]
    assert created["Arn"] == f"arn:aws:iam::{account}:role/svc/{name}"
    assert created["RoleId"].startswith("AROA")
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST)  # URL-decoded by boto3

    role = iam.get_role(RoleName=name.upper())["Role"]
    assert role["RoleName"] == name
    assert role["MaxSessionDuration"] == 7200
    assert role["Description"] == "app role"
    assert role["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert role["RoleLastUsed"] == {}

    assert error_of(iam.create_role, RoleName=name.upper(), AssumeRolePolicyDocument=TRUST) == (
        "EntityAlreadyExists", 409, f"Role with name {name.upper()} already exists.")
    with_resource = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole", "Resource": "*"}]})
    assert error_of(iam.update_assume_role_policy, RoleName=name,
                    PolicyDocument=with_resource) == (
        "MalformedPolicyDocument", 400, "Has prohibited field Resource")
    wrong_action = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "s3:GetObject"}]})
    assert error_of(iam.create_role, RoleName=unique("bad"),
                    AssumeRolePolicyDocument=wrong_action) == (
        "MalformedPolicyDocument", 400,
        "AssumeRole policy may only specify STS AssumeRole actions.")
    assert error_of(iam.create_role, RoleName=unique("bad"), AssumeRolePolicyDocument="{nope") == (
        "MalformedPolicyDocument", 400, "This policy contains invalid Json")
    tag_session = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}]})
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=tag_session)
    with pytest.raises(botocore.exceptions.ParamValidationError):
        iam.create_role(RoleName=unique("x"), AssumeRolePolicyDocument=TRUST,
                        MaxSessionDuration=100)

    iam.update_role(RoleName=name, Description="changed", MaxSessionDuration=3600)
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "changed"

    profile = unique("prof")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=name)
    assert error_of(iam.delete_role, RoleName=name) == (
        "DeleteConflict", 409,
        "Cannot delete entity, must remove roles from instance profile first.")
    assert error_of(iam.delete_instance_profile, InstanceProfileName=profile) == (
        "DeleteConflict", 409,
        "Cannot delete entity, must remove roles from instance profile first.")
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=name)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=allow("s3:*"))
    assert error_of(iam.delete_role, RoleName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(iam.delete_role, RoleName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
    iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_role(RoleName=name)
    iam.delete_instance_profile(InstanceProfileName=profile)
    assert error_of(iam.get_role, RoleName=name) == (
        "NoSuchEntity", 404, f"The role with name {name} cannot be found.")


def test_list_roles_paginates(server):
    iam = admin_iam(server)
    prefix = f"/{unique('page')}/"
    names = sorted(unique("r") for _ in range(5))
    for name in names:
        iam.create_role(RoleName=name, Path=prefix, AssumeRolePolicyDocument=TRUST)
    first = iam.list_roles(PathPrefix=prefix, MaxItems=2)
    assert first["IsTruncated"] is True and len(first["Roles"]) == 2
    seen = [r["RoleName"] for r in first["Roles"]]
    marker = first["Marker"]
    while marker:
        page = iam.list_roles(PathPrefix=prefix, MaxItems=2, Marker=marker)
        seen += [r["RoleName"] for r in page["Roles"]]
        marker = page.get("Marker") if page["IsTruncated"] else None
    assert seen == names
    paginated = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate(
        PathPrefix=prefix, PaginationConfig={"PageSize": 3}) for r in page["Roles"]]
    assert paginated == names


def test_service_linked_role(server):
    iam = admin_iam(server)
    role = iam.create_service_linked_role(AWSServiceName="batch.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForBatch"
    assert role["Path"] == "/aws-service-role/batch.amazonaws.com/"
    assert error_of(iam.create_service_linked_role, AWSServiceName="batch.amazonaws.com") == (
        "InvalidInput", 400, "Service role name AWSServiceRoleForBatch has been taken in this "
        "account, please try a different suffix.")
    assert error_of(iam.delete_role, RoleName="AWSServiceRoleForBatch") == (
        "UnmodifiableEntity", 400, "Cannot perform the operation on the protected role "
        "'AWSServiceRoleForBatch' - this role is only modifiable by AWS")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForBatch")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/")
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == \
        "SUCCEEDED"


def test_instance_profile_quota(server):
    iam = admin_iam(server)
    profile = unique("ip")
    r1, r2 = unique("r"), unique("r")
    for r in (r1, r2):
        iam.create_role(RoleName=r, AssumeRolePolicyDocument=TRUST)
    out = iam.create_instance_profile(InstanceProfileName=profile,
                                      Tags=[{"Key": "k", "Value": "v"}])["InstanceProfile"]
    assert out["InstanceProfileId"].startswith("AIPA") and out["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=r1)
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=profile,
                    RoleName=r2) == (
        "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    got = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [r1]
    assert got["Tags"] == [{"Key": "k", "Value": "v"}]
    listed = iam.list_instance_profiles_for_role(RoleName=r1)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == [profile]
    assert error_of(iam.get_instance_profile, InstanceProfileName="missing-profile") == (
        "NoSuchEntity", 404, "Instance Profile missing-profile cannot be found.")


# --------------------------------------------------------------------------------------------
# Managed policies


def test_policy_versions_and_default_switch_changes_decisions(server):
    iam = admin_iam(server)
    account = server.info["AccountId"]
    policy_name = unique("Flip")
    arn = iam.create_policy(PolicyName=policy_name,
                            PolicyDocument=allow("iam:ListUsers"))["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{account}:policy/{policy_name}"
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("iam:GetUser"))
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert v2["PolicyVersion"]["IsDefaultVersion"] is False

    user = unique("flipper")
    key, secret = new_user_with_key(iam, user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    as_user = server.client("iam", key, secret)
    eventually_ok(lambda: as_user.list_users(MaxItems=1))

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    code, status, message = error_of(as_user.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account}:user/{user} is not authorized to perform: "
                       f"iam:ListUsers because no "
                       "identity-based policy allows the iam:ListUsers action")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    as_user.list_users(MaxItems=1)  # allowed again on the very next request

    for expected in ("v3", "v4", "v5"):
        out = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:*"))
        assert out["PolicyVersion"]["VersionId"] == expected
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=allow("s3:*")) == (
        "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a "
        "new version, you must delete an existing version.")
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v1") == (
        "DeleteConflict", 409, "Cannot delete the default version of a policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    v6 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:*"), SetAsDefault=True)
    assert v6["PolicyVersion"]["VersionId"] == "v6"  # identifiers are never reused
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v6", "v5", "v4", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [True, False, False, False, False]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v6"
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v3") == (
        "NoSuchEntity", 404, f"Policy {arn} version v3 does not exist or is not attachable.")
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict", 409, "Cannot delete a policy attached to entities.")


def test_create_policy_errors_and_aws_managed_read_only(server):
    iam = admin_iam(server)
    name = unique("Dup")
    iam.create_policy(PolicyName=name, PolicyDocument=allow("s3:GetObject"))
    assert error_of(iam.create_policy, PolicyName=name.lower(),
                    PolicyDocument=allow("s3:GetObject")) == (
        "EntityAlreadyExists", 409,
        f"A policy called {name.lower()} already exists. Duplicate names are not allowed.")
    big = allow(*[f"s3:GetObject{i:04d}" for i in range(400)])
    assert error_of(iam.create_policy, PolicyName=unique("Big"), PolicyDocument=big) == (
        "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
    assert error_of(iam.create_policy, PolicyName=unique("Bad"), PolicyDocument="{") == (
        "MalformedPolicyDocument", 400, "Syntax errors in policy.")
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    # AWS's recorded answers: the handler refuses writes to AWS managed policies.
    assert error_of(iam.delete_policy, PolicyArn=admin_arn) == (
        "AccessDenied", 403, "Cannot delete policies outside your own account.")
    assert error_of(iam.set_default_policy_version, PolicyArn=admin_arn, VersionId="v1") == (
        "AccessDenied", 403, "Cannot update policies outside your own account.")
    assert error_of(iam.create_policy_version, PolicyArn=admin_arn,
                    PolicyDocument=allow("s3:*"))[:2] == ("AccessDenied", 403)
    policy = iam.get_policy(PolicyArn=admin_arn)["Policy"]
    assert policy["PolicyName"] == "AdministratorAccess" and policy["IsAttachable"] is True
    version = iam.get_policy_version(PolicyArn=admin_arn,
                                     VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Action"] == "*"


def test_list_policies_scope_aws_finds_administrator_access(server):
    iam = admin_iam(server)
    arns = [p["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
            for p in page["Policies"]]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in arns
    assert len(arns) == len(set(arns)) > 1000
    local = iam.list_policies(Scope="Local")["Policies"]
    assert all(":aws:policy/" not in p["Arn"] for p in local)
    attached = iam.list_policies(OnlyAttached=True, Scope="AWS")["Policies"]
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in [p["Arn"] for p in attached]


# --------------------------------------------------------------------------------------------
# Attachments


def test_attachments_quota_and_errors(server):
    iam = admin_iam(server)
    account = server.info["AccountId"]
    user = unique("att")
    iam.create_user(UserName=user)
    arns = []
    for _ in range(11):
        arns.append(iam.create_policy(PolicyName=unique("P"),
                                      PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"])
    for arn in arns[:10]:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert error_of(iam.attach_user_policy, UserName=user, PolicyArn=arns[10]) == (
        "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerUser: 10")
    attached = iam.list_attached_user_policies(UserName=user, MaxItems=4)
    assert attached["IsTruncated"] is True and len(attached["AttachedPolicies"]) == 4
    missing = f"arn:aws:iam::{account}:policy/does-not-exist"
    assert error_of(iam.attach_user_policy, UserName=user, PolicyArn=missing) == (
        "NoSuchEntity", 404, f"Policy {missing} does not exist or is not attachable.")
    assert error_of(iam.attach_user_policy, UserName=user,
                    PolicyArn="longpolicynamebutnoarn") == (
        "ValidationError", 400, "ARN longpolicynamebutnoarn is not valid.")
    entities = iam.list_entities_for_policy(PolicyArn=arns[0])
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]
    assert entities["PolicyGroups"] == [] and entities["PolicyRoles"] == []
    assert iam.get_policy(PolicyArn=arns[0])["Policy"]["AttachmentCount"] == 1
    iam.detach_user_policy(UserName=user, PolicyArn=arns[0])
    assert error_of(iam.detach_user_policy, UserName=user, PolicyArn=arns[0]) == (
        "NoSuchEntity", 404, f"Policy {arns[0]} was not found.")


# --------------------------------------------------------------------------------------------
# Inline policies


def test_inline_policy_round_trip_is_byte_for_byte(server):
    iam = admin_iam(server)
    user = unique("inl")
    iam.create_user(UserName=user)
    document = ('{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow",'
                ' "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/a%3Ab c" } ]\n}')
    iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=document)
    key, secret = server.info["AccessKeyId"], server.info["SecretAccessKey"]
    _, out, _ = server.aws(key, secret, "iam", "get-user-policy", "--user-name", user,
                           "--policy-name", "read")
    # The CLI URL-decodes and parses the document; compare with the raw response as well.
    assert out["PolicyDocument"] == json.loads(document)
    raw = {}

    def capture(http_response, **_):
        raw["body"] = http_response.content

    iam.meta.events.register("after-call.iam.GetUserPolicy", capture)
    iam.get_user_policy(UserName=user, PolicyName="read")
    iam.meta.events.unregister("after-call.iam.GetUserPolicy", capture)
    import urllib.parse
    import xml.etree.ElementTree as ET
    ns = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}
    encoded = ET.fromstring(raw["body"]).find(".//iam:PolicyDocument", ns).text
    assert urllib.parse.unquote(encoded) == document

    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["read"]
    assert error_of(iam.get_user_policy, UserName=user, PolicyName="nope") == (
        "NoSuchEntity", 404, "The user policy with name nope cannot be found.")
    big = allow(*[f"s3:GetObject{i:03d}" for i in range(60)])
    iam.put_user_policy(UserName=user, PolicyName="big1", PolicyDocument=big)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="big2",
                    PolicyDocument=big) == (
        "LimitExceeded", 409, f"Maximum policy size of 2048 bytes exceeded for user {user}")
    iam.delete_user_policy(UserName=user, PolicyName="read")
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["big1"]


# --------------------------------------------------------------------------------------------
# Permissions boundary (issue 4)


def test_delegated_admin_must_set_the_boundary(server):
    iam = admin_iam(server)
    account = server.info["AccountId"]
    boundary_name = unique("Boundary")
    boundary = iam.create_policy(PolicyName=boundary_name,
                                 PolicyDocument=allow("iam:GetUser", "iam:ListUsers"))
    boundary_arn = boundary["Policy"]["Arn"]
    delegate = unique("delegate")
    key, secret = new_user_with_key(iam, delegate)
    iam.put_user_policy(UserName=delegate, PolicyName="create-with-boundary",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*",
                             "Condition": {"StringEquals": {
                                 "iam:PermissionsBoundary": boundary_arn}}},
                            {"Effect": "Allow",
                             "Action": ["iam:CreateAccessKey", "iam:AttachUserPolicy"],
                             "Resource": "*"}]}))
    as_delegate = server.client("iam", key, secret)

    denied_name = unique("noboundary")
    code, status, message = error_of(lambda: eventually_ok(
        lambda: as_delegate.create_user(UserName=denied_name)))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account}:user/{delegate} is not authorized to "
                       f"perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/"
                       f"{denied_name} because no identity-based policy allows the "
                       "iam:CreateUser action")
    other = iam.create_policy(PolicyName=unique("Other"), PolicyDocument=allow("*"))
    assert error_of(as_delegate.create_user, UserName=denied_name,
                    PermissionsBoundary=other["Policy"]["Arn"])[0] == "AccessDenied"

    bounded = unique("bounded")
    created = as_delegate.create_user(UserName=bounded, PermissionsBoundary=boundary_arn)["User"]
    assert created["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary_arn
    as_delegate.attach_user_policy(UserName=bounded,
                                   PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    bkey = as_delegate.create_access_key(UserName=bounded)["AccessKey"]
    as_bounded = server.client("iam", bkey["AccessKeyId"], bkey["SecretAccessKey"])
    # Within the boundary: allowed. Beyond it, even with AdministratorAccess: denied.
    eventually_ok(lambda: as_bounded.get_user(UserName=bounded))
    as_bounded.list_users(MaxItems=1)
    code, status, message = error_of(as_bounded.create_user, UserName=unique("escape"))
    assert (code, status) == ("AccessDenied", 403)
    assert "because no permissions boundary allows the iam:CreateUser action" in message
    assert error_of(as_bounded.create_role, RoleName=unique("escape"),
                    AssumeRolePolicyDocument=TRUST)[0] == "AccessDenied"


def test_narrow_user_denied_on_role_operations(server):
    iam = admin_iam(server)
    account = server.info["AccountId"]
    user = unique("narrow")
    key, secret = new_user_with_key(iam, user)
    role = unique("target")
    iam.create_role(RoleName=role, Path="/team/", AssumeRolePolicyDocument=TRUST)
    iam.put_user_policy(UserName=user, PolicyName="get-role",
                        PolicyDocument=allow("iam:GetRole",
                                             resource=f"arn:aws:iam::{account}:role/team/*"))
    as_user = server.client("iam", key, secret)
    eventually_ok(lambda: as_user.get_role(RoleName=role))
    code, status, message = error_of(as_user.delete_role, RoleName=role)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account}:user/{user} is not authorized to perform: "
                       f"iam:DeleteRole on resource: arn:aws:iam::{account}:role/team/{role} "
                       "because no identity-based policy allows the iam:DeleteRole action")
