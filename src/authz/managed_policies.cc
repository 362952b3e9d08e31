#include "authz/managed_policies.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/embed.h"
#include "common/strings.h"

RP_DECLARE_EMBEDDED(rp_aws_managed_policies);

namespace rampart::authz {
namespace {

std::string DerivedPolicyId(std::string_view arn) {
  // AWS's own ids for these policies are not in the data; derive a stable ANPA id.
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  crypto::Sha256Digest digest = crypto::Sha256(arn);
  std::string id = "ANPA";
  for (int i = 0; i < 17; ++i) id.push_back(kBase32[digest[i] % 32]);
  return id;
}

TimePoint ParseTime(const boost::json::value* value) {
  if (value == nullptr || !value->is_string()) return {};
  Result<TimePoint> parsed = ParseIso8601(std::string_view(value->as_string()));
  return parsed ? *parsed : TimePoint{};
}

}  // namespace

bool IsAwsManagedPolicyArn(std::string_view arn) {
  return StartsWith(arn, "arn:aws:iam::aws:policy/");
}

Result<std::unique_ptr<AwsManagedPolicies>> AwsManagedPolicies::Parse(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(json_text, ec);
  if (ec || !root.is_array()) {
    return Fail("InternalFailure", "the AWS managed policy catalog is not a JSON array");
  }
  auto catalog = std::unique_ptr<AwsManagedPolicies>(new AwsManagedPolicies());
  for (const boost::json::value& item : root.as_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& object = item.as_object();
    const boost::json::value* name = object.if_contains("PolicyName");
    const boost::json::value* arn = object.if_contains("Arn");
    const boost::json::value* document = object.if_contains("Document");
    if (name == nullptr || arn == nullptr || document == nullptr || !name->is_string() ||
        !arn->is_string()) {
      continue;
    }
    AwsManagedPolicy policy;
    policy.name = std::string(name->as_string());
    policy.arn = std::string(arn->as_string());
    const boost::json::value* path = object.if_contains("Path");
    policy.path = path && path->is_string() ? std::string(path->as_string()) : "/";
    const boost::json::value* version = object.if_contains("DefaultVersionId");
    policy.default_version_id =
        version && version->is_string() ? std::string(version->as_string()) : "v1";
    policy.document =
        document->is_string() ? std::string(document->as_string()) : boost::json::serialize(*document);
    policy.created = ParseTime(object.if_contains("CreateDate"));
    policy.updated = ParseTime(object.if_contains("UpdateDate"));
    policy.id = DerivedPolicyId(policy.arn);
    catalog->policies_.push_back(std::move(policy));
  }
  std::sort(catalog->policies_.begin(), catalog->policies_.end(),
            [](const AwsManagedPolicy& a, const AwsManagedPolicy& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < catalog->policies_.size(); ++i) {
    catalog->by_arn_[catalog->policies_[i].arn] = i;
  }
  return catalog;
}

const AwsManagedPolicies& AwsManagedPolicies::Get() {
  static const AwsManagedPolicies* const kCatalog = [] {
    Result<std::unique_ptr<AwsManagedPolicies>> parsed = Parse(RP_EMBEDDED(rp_aws_managed_policies));
    if (!parsed) {
      std::fprintf(stderr, "fatal: %s\n", parsed.error().message.c_str());
      std::abort();
    }
    return parsed->release();
  }();
  return *kCatalog;
}

const AwsManagedPolicy* AwsManagedPolicies::Find(std::string_view arn) const {
  auto it = by_arn_.find(std::string(arn));
  return it == by_arn_.end() ? nullptr : &policies_[it->second];
}

Result<policy::PolicyPtr> AwsManagedPolicies::Compiled(const AwsManagedPolicy& managed,
                                                       policy::PolicyType type) const {
  std::string cache_key = std::string(policy::PolicyTypeName(type)) + " " + managed.arn;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = compiled_.find(cache_key);
    if (it != compiled_.end()) return it->second;
  }
  policy::CompileOptions options;
  options.policy_id = managed.name;
  options.enforce_size_quota = false;
  Result<policy::PolicyPtr> compiled =
      policy::CompilePolicy(managed.document, type, options);
  if (!compiled) return compiled;
  std::lock_guard<std::mutex> lock(mutex_);
  compiled_.emplace(cache_key, *compiled);
  return compiled;
}

}  // namespace rampart::authz
