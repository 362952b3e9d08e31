// IAM managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, the policy
// versions (Create/Get/List/DeletePolicyVersion, SetDefaultPolicyVersion) and
// Tag/Untag/ListPolicyTags. Customer managed policies are store rows; AWS managed policies
// (arn:aws:iam::aws:policy/...) come from the embedded catalog and are read-only.
//
// AWS references: the IAM API reference page of each operation; "Versioning IAM policies"
// (IAM User Guide); recorded AWS responses and errors in /work/shared/aws/recorded (messages
// below are theirs, byte for byte, unless a comment says otherwise).
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/arn.h"
#include "common/ids.h"
#include "common/strings.h"
#include "policy/policy.h"
#include "services/iam/iam.h"
#include "services/iam/identity_helpers.h"

namespace rampart::services::iam {
namespace {

// Size quotas are the installation's (IamOptions), checked by the handlers.
const policy::CompileOptions kNoQuota{.policy_id = "", .enforce_size_quota = false};

Error AccessDenied(std::string message) { return Error("AccessDenied", std::move(message), 403); }

Error PolicyNotFound(std::string_view arn) {
  return NoSuchEntity(fmt::format("Policy {} was not found.", arn));
}

Error VersionNotFound(std::string_view arn, std::string_view version) {
  return NoSuchEntity(
      fmt::format("Policy {} version {} does not exist or is not attachable.", arn, version));
}

// A managed policy named by ARN: a customer managed row or an AWS managed catalog entry.
struct ResolvedPolicy {
  std::optional<store::ManagedPolicyRow> customer;
  const authz::AwsManagedPolicy* aws = nullptr;
};

// Resolves `arn` for reading. ValidationError for text that is not a policy ARN (recorded
// for AttachUserPolicy: "ARN x is not valid."); NoSuchEntity "Policy X was not found." for a
// policy that does not exist or lives in another account.
Result<ResolvedPolicy> ResolvePolicy(const store::ReadTransaction& tx, std::string_view account,
                                     std::string_view arn) {
  Result<Arn> parsed = Arn::Parse(arn);
  if (!parsed) return Fail(ValidationError(fmt::format("ARN {} is not valid.", arn)));
  if (parsed->service != "iam" || parsed->resource.rfind("policy/", 0) != 0) {
    return Fail(PolicyNotFound(arn));
  }
  ResolvedPolicy resolved;
  if (parsed->account == "aws") {
    resolved.aws = authz::AwsManagedPolicies::Get().Find(arn);
    if (resolved.aws == nullptr) return Fail(PolicyNotFound(arn));
    return resolved;
  }
  if (parsed->account != account) return Fail(PolicyNotFound(arn));
  Result<store::ManagedPolicyRow> row = tx.Policies().GetByArn(arn);
  if (!row) {
    if (store::IsNotFound(row.error())) return Fail(PolicyNotFound(arn));
    return Fail(FromStore(row.error()));
  }
  resolved.customer = std::move(*row);
  return resolved;
}

// Writes are refused for policies the caller's account does not own (AWS managed ones and
// other accounts'), with AccessDenied as AWS answers (recorded for DeletePolicy,
// DeletePolicyVersion and SetDefaultPolicyVersion; the CreatePolicyVersion and tagging
// wordings follow the same pattern, see docs/decisions.md).
Result<store::ManagedPolicyRow> ResolveOwnPolicy(const store::ReadTransaction& tx,
                                                 std::string_view account, std::string_view arn,
                                                 std::string_view refusal) {
  Result<Arn> parsed = Arn::Parse(arn);
  if (!parsed) return Fail(ValidationError(fmt::format("ARN {} is not valid.", arn)));
  if (parsed->account != account && parsed->service == "iam") {
    return Fail(AccessDenied(std::string(refusal)));
  }
  Result<ResolvedPolicy> resolved = ResolvePolicy(tx, account, arn);
  if (!resolved) return Fail(resolved.error());
  if (!resolved->customer) return Fail(AccessDenied(std::string(refusal)));
  return std::move(*resolved->customer);
}

struct Usage {
  std::int64_t attachments = 0;
  std::int64_t boundaries = 0;
};

Result<Usage> ReadUsage(const store::ReadTransaction& tx, std::string_view account,
                        std::string_view arn) {
  Usage usage;
  Result<std::int64_t> attached = tx.Attachments().CountForPolicy(account, arn);
  if (!attached) return Fail(FromStore(attached.error()));
  Result<std::int64_t> boundaries = tx.Attachments().CountBoundaryUses(account, arn);
  if (!boundaries) return Fail(FromStore(boundaries.error()));
  usage.attachments = *attached;
  usage.boundaries = *boundaries;
  return usage;
}

// Which members a Policy structure carries: ListPolicies leaves out Description and Tags
// (ListPolicies API reference); CreatePolicy returns Tags only when some were given.
enum class PolicyView { kCreate, kGet, kList };

json::object PolicyToOutput(const ResolvedPolicy& policy, const Usage& usage, PolicyView view,
                            const std::vector<store::Tag>& tags) {
  json::object out;
  if (policy.customer) {
    const store::ManagedPolicyRow& row = *policy.customer;
    out["PolicyName"] = row.name;
    out["PolicyId"] = row.id;
    out["Arn"] = EntityArn(row.account_id, "policy", row.path, row.name);
    out["Path"] = row.path;
    out["DefaultVersionId"] = row.default_version_id;
  } else {
    out["PolicyName"] = policy.aws->name;
    out["PolicyId"] = policy.aws->id;
    out["Arn"] = policy.aws->arn;
    out["Path"] = policy.aws->path;
    out["DefaultVersionId"] = policy.aws->default_version_id;
  }
  out["AttachmentCount"] = usage.attachments;
  out["PermissionsBoundaryUsageCount"] = usage.boundaries;
  out["IsAttachable"] = true;
  if (view != PolicyView::kList && policy.customer && !policy.customer->description.empty()) {
    out["Description"] = policy.customer->description;
  }
  out["CreateDate"] = Time(policy.customer ? policy.customer->created : policy.aws->created);
  out["UpdateDate"] = Time(policy.customer ? policy.customer->updated : policy.aws->updated);
  if (view == PolicyView::kGet || (view == PolicyView::kCreate && !tags.empty())) {
    out["Tags"] = TagsToOutput(tags);
  }
  return out;
}

json::object VersionToOutput(const store::PolicyVersionRow& version, bool with_document) {
  json::object out;
  if (with_document) out["Document"] = UrlEncodeDocument(version.document);
  out["VersionId"] = version.version_id;
  out["IsDefaultVersion"] = version.is_default;
  out["CreateDate"] = Time(version.created);
  return out;
}

store::PolicyVersionRow AwsDefaultVersion(const authz::AwsManagedPolicy& policy) {
  store::PolicyVersionRow version;
  version.version_id = policy.default_version_id;
  version.document = policy.document;
  version.is_default = true;
  version.created = policy.updated;
  return version;
}

// Policies' tags reject duplicates without the note roles and users get (recorded for
// CreatePolicy and TagPolicy: "Duplicate tag keys found.").
Result<std::vector<store::Tag>> PolicyTagsFromInput(const json::object& in) {
  Result<std::vector<store::Tag>> tags = TagsFromInput(in);
  if (!tags && tags.error().code == "InvalidInput") {
    return Fail(InvalidInput("Duplicate tag keys found."));
  }
  return tags;
}

Result<void> CheckIdentityDocument(std::string_view document, const IamOptions& options) {
  Result<policy::PolicyPtr> compiled =
      policy::CompilePolicy(document, policy::PolicyType::kIdentity, kNoQuota);
  if (!compiled) return Fail(compiled.error());
  if (policy::PolicySizeWithoutWhitespace(document) >
      static_cast<std::size_t>(options.quotas.policy_size)) {
    return Fail(QuotaExceeded("PolicySize", options.quotas.policy_size));
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------
// Policies

Result<json::object> CreatePolicy(CallContext& call, const json::object& in,
                                  const IamOptions& options) {
  const std::string path(GetString(in, "Path", "/"));
  if (Result<void> ok = CheckPath(path); !ok) return Fail(ok.error());
  const std::string document(GetString(in, "PolicyDocument"));
  if (Result<void> ok = CheckIdentityDocument(document, options); !ok) return Fail(ok.error());
  Result<std::vector<store::Tag>> tags = PolicyTagsFromInput(in);
  if (!tags) return Fail(tags.error());

  store::ManagedPolicyRow row;
  row.account_id = std::string(Account(call));
  row.id = ids::NewUniqueId("ANPA");
  row.name = std::string(GetString(in, "PolicyName"));
  row.path = path;
  row.description = std::string(GetString(in, "Description"));
  row.default_version_id = "v1";
  row.created = call.now;
  row.updated = call.now;
  ResolvedPolicy resolved;
  resolved.customer = row;
  json::object out{{"Policy", PolicyToOutput(resolved, Usage{}, PolicyView::kCreate, *tags)}};
  call.Respond(out);  // known before the write: recorded with the change
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<std::int64_t> count = tx.Policies().Count(row.account_id);
    if (!count) return Fail(FromStore(count.error()));
    if (*count >= options.quotas.policies_per_account) {
      return Fail(QuotaExceeded("PoliciesPerAccount", options.quotas.policies_per_account));
    }
    if (Result<void> made = tx.Policies().Create(row, document); !made) {
      if (store::IsConflict(made.error())) {
        return Fail(EntityAlreadyExists(fmt::format(
            "A policy called {} already exists. Duplicate names are not allowed.", row.name)));
      }
      return Fail(FromStore(made.error()));
    }
    if (!tags->empty()) {
      if (Result<void> put =
              tx.Tags().Put(row.account_id, {store::TaggableType::kManagedPolicy, row.id}, *tags);
          !put) {
        return Fail(FromStore(put.error()));
      }
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> GetPolicy(CallContext& call, const json::object& in) {
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    const std::string_view arn = GetString(in, "PolicyArn");
    Result<ResolvedPolicy> policy = ResolvePolicy(tx, Account(call), arn);
    if (!policy) return Fail(policy.error());
    Result<Usage> usage = ReadUsage(tx, Account(call), arn);
    if (!usage) return Fail(usage.error());
    std::vector<store::Tag> tags;
    if (policy->customer) {
      Result<std::vector<store::Tag>> listed =
          tx.Tags().List({store::TaggableType::kManagedPolicy, policy->customer->id});
      if (!listed) return Fail(FromStore(listed.error()));
      tags = std::move(*listed);
    }
    out["Policy"] = PolicyToOutput(*policy, *usage, PolicyView::kGet, tags);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

// ListPolicies merges the AWS managed catalog (first, by name) and the account's customer
// managed policies (by name) into one list and pages it in memory (docs/decisions.md).
Result<json::object> ListPolicies(CallContext& call, const json::object& in) {
  std::initializer_list<std::string_view> binding = {"Scope", "OnlyAttached", "PathPrefix",
                                                     "PolicyUsageFilter"};
  Result<std::size_t> start = PageStart(call, in, binding);
  if (!start) return Fail(start.error());
  const std::string_view scope = GetString(in, "Scope", "All");
  const bool only_attached = GetBool(in, "OnlyAttached").value_or(false);
  const std::string_view usage_filter = GetString(in, "PolicyUsageFilter");
  const std::string prefix(GetString(in, "PathPrefix", "/"));
  const std::size_t max_items = static_cast<std::size_t>(MaxItems(in));
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    const std::string_view account = Account(call);
    std::vector<ResolvedPolicy> candidates;
    if (scope != "Local") {
      for (const authz::AwsManagedPolicy& aws : authz::AwsManagedPolicies::Get().all()) {
        if (aws.path.rfind(prefix, 0) != 0) continue;
        ResolvedPolicy policy;
        policy.aws = &aws;
        candidates.push_back(policy);
      }
    }
    if (scope != "AWS") {
      store::PolicyListQuery query;
      query.path_prefix = prefix;
      query.max_items = 1000;
      for (;;) {
        Result<store::Page<store::ManagedPolicyRow>> page = tx.Policies().List(account, query);
        if (!page) return Fail(FromStore(page.error()));
        for (store::ManagedPolicyRow& row : page->items) {
          ResolvedPolicy policy;
          policy.customer = std::move(row);
          candidates.push_back(std::move(policy));
        }
        if (!page->next_marker) break;
        query.marker = *page->next_marker;
      }
    }
    auto arn_of = [](const ResolvedPolicy& policy) {
      return policy.customer
                 ? EntityArn(policy.customer->account_id, "policy", policy.customer->path,
                             policy.customer->name)
                 : policy.aws->arn;
    };
    // Attachment counts of the whole account in one query; boundary uses per policy only
    // where needed (the page, or OnlyAttached with PolicyUsageFilter=PermissionsBoundary).
    Result<std::vector<std::pair<std::string, std::int64_t>>> counts =
        tx.Attachments().CountsByPolicy(account);
    if (!counts) return Fail(FromStore(counts.error()));
    std::unordered_map<std::string, std::int64_t> attached(counts->begin(), counts->end());
    auto attachments_of = [&](const std::string& arn) -> std::int64_t {
      auto it = attached.find(arn);
      return it == attached.end() ? 0 : it->second;
    };
    // OnlyAttached keeps policies in use: attached as permissions policies, or used as
    // boundaries when PolicyUsageFilter is PermissionsBoundary.
    json::array policies;
    std::size_t matched = 0;
    std::optional<std::string> next;
    for (const ResolvedPolicy& policy : candidates) {
      const std::string arn = arn_of(policy);
      std::optional<std::int64_t> boundaries;
      if (only_attached) {
        if (usage_filter == "PermissionsBoundary") {
          Result<std::int64_t> uses = tx.Attachments().CountBoundaryUses(account, arn);
          if (!uses) return Fail(FromStore(uses.error()));
          boundaries = *uses;
          if (*boundaries == 0) continue;
        } else if (attachments_of(arn) == 0) {
          continue;
        }
      }
      const std::size_t index = matched++;
      if (index < *start) continue;
      if (policies.size() == max_items) {
        next = std::to_string(index);
        break;
      }
      if (!boundaries) {
        Result<std::int64_t> uses = tx.Attachments().CountBoundaryUses(account, arn);
        if (!uses) return Fail(FromStore(uses.error()));
        boundaries = *uses;
      }
      policies.push_back(PolicyToOutput(policy, Usage{attachments_of(arn), *boundaries},
                                        PolicyView::kList, {}));
    }
    out["Policies"] = std::move(policies);
    SetPage(call, in, binding, next, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> DeletePolicy(CallContext& call, const json::object& in) {
  const std::string_view arn = GetString(in, "PolicyArn");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy = ResolveOwnPolicy(
        tx, Account(call), arn, "Cannot delete policies outside your own account.");
    if (!policy) return Fail(policy.error());
    Result<Usage> usage = ReadUsage(tx, Account(call), arn);
    if (!usage) return Fail(usage.error());
    if (usage->attachments > 0 || usage->boundaries > 0) {
      return Fail(DeleteConflict("Cannot delete a policy attached to entities."));
    }
    Result<std::int64_t> versions = tx.Policies().CountVersions(policy->id);
    if (!versions) return Fail(FromStore(versions.error()));
    if (*versions > 1) {
      return Fail(DeleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete "
          "the policy's versions. The default version is deleted with the policy."));
    }
    if (Result<void> gone = tx.Policies().Delete(policy->id); !gone) {
      if (store::IsConflict(gone.error())) {
        return Fail(DeleteConflict("Cannot delete a policy attached to entities."));
      }
      return Fail(FromStore(gone.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// ---------------------------------------------------------------------------------------
// Versions

Result<json::object> CreatePolicyVersion(CallContext& call, const json::object& in,
                                         const IamOptions& options) {
  const std::string_view arn = GetString(in, "PolicyArn");
  const std::string document(GetString(in, "PolicyDocument"));
  const bool set_default = GetBool(in, "SetAsDefault").value_or(false);
  json::object out;
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy =
        ResolveOwnPolicy(tx, Account(call), arn,
                         "Cannot create policy versions for policies outside your own account.");
    if (!policy) return Fail(policy.error());
    if (Result<void> ok = CheckIdentityDocument(document, options); !ok) return ok;
    Result<std::int64_t> versions = tx.Policies().CountVersions(policy->id);
    if (!versions) return Fail(FromStore(versions.error()));
    if (*versions >= options.quotas.versions_per_policy) {
      return Fail(LimitExceeded(fmt::format(
          "A managed policy can have up to {} versions. Before you create a new version, you "
          "must delete an existing version.",
          options.quotas.versions_per_policy)));
    }
    Result<store::PolicyVersionRow> version =
        tx.Policies().CreateVersion(policy->id, document, set_default, call.now);
    if (!version) return Fail(FromStore(version.error()));
    out["PolicyVersion"] = VersionToOutput(*version, false);
    return Ok();
  });
  if (!written) return Fail(written.error());
  return out;
}

Result<json::object> GetPolicyVersion(CallContext& call, const json::object& in) {
  const std::string_view arn = GetString(in, "PolicyArn");
  const std::string_view version_id = GetString(in, "VersionId");
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<ResolvedPolicy> policy = ResolvePolicy(tx, Account(call), arn);
    if (!policy) {
      if (policy.error().code == "NoSuchEntity") return Fail(VersionNotFound(arn, version_id));
      return Fail(policy.error());
    }
    if (policy->aws != nullptr) {
      // The catalog holds each AWS managed policy's default version only.
      if (version_id != policy->aws->default_version_id) {
        return Fail(VersionNotFound(arn, version_id));
      }
      out["PolicyVersion"] = VersionToOutput(AwsDefaultVersion(*policy->aws), true);
      return Ok();
    }
    Result<store::PolicyVersionRow> version =
        tx.Policies().GetVersion(policy->customer->id, version_id);
    if (!version) {
      if (store::IsNotFound(version.error())) return Fail(VersionNotFound(arn, version_id));
      return Fail(FromStore(version.error()));
    }
    out["PolicyVersion"] = VersionToOutput(*version, true);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListPolicyVersions(CallContext& call, const json::object& in) {
  Result<std::size_t> start = PageStart(call, in, {"PolicyArn"});
  if (!start) return Fail(start.error());
  std::vector<store::PolicyVersionRow> versions;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<ResolvedPolicy> policy = ResolvePolicy(tx, Account(call), GetString(in, "PolicyArn"));
    if (!policy) return Fail(policy.error());
    if (policy->aws != nullptr) {
      versions.push_back(AwsDefaultVersion(*policy->aws));
      return Ok();
    }
    Result<std::vector<store::PolicyVersionRow>> listed =
        tx.Policies().ListVersions(policy->customer->id);
    if (!listed) return Fail(FromStore(listed.error()));
    versions = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  const std::size_t begin = std::min(*start, versions.size());
  const std::size_t end =
      std::min(versions.size(), begin + static_cast<std::size_t>(MaxItems(in)));
  json::array items;
  for (std::size_t i = begin; i < end; ++i) items.push_back(VersionToOutput(versions[i], false));
  json::object out;
  out["Versions"] = std::move(items);
  SetPage(call, in, {"PolicyArn"},
          end < versions.size() ? std::optional<std::string>(std::to_string(end)) : std::nullopt,
          out);
  return out;
}

Result<json::object> DeletePolicyVersion(CallContext& call, const json::object& in) {
  const std::string_view arn = GetString(in, "PolicyArn");
  const std::string_view version_id = GetString(in, "VersionId");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy = ResolveOwnPolicy(
        tx, Account(call), arn,
        "Cannot delete policy versions for policies outside your own account.");
    if (!policy) {
      if (policy.error().code == "NoSuchEntity") return Fail(VersionNotFound(arn, version_id));
      return Fail(policy.error());
    }
    Result<store::PolicyVersionRow> version = tx.Policies().GetVersion(policy->id, version_id);
    if (!version) {
      if (store::IsNotFound(version.error())) return Fail(VersionNotFound(arn, version_id));
      return Fail(FromStore(version.error()));
    }
    if (version->is_default) {
      return Fail(DeleteConflict("Cannot delete the default version of a policy."));
    }
    if (Result<void> gone = tx.Policies().DeleteVersion(policy->id, version_id); !gone) {
      if (store::IsConflict(gone.error())) {
        return Fail(DeleteConflict("Cannot delete the default version of a policy."));
      }
      return Fail(FromStore(gone.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> SetDefaultPolicyVersion(CallContext& call, const json::object& in) {
  const std::string_view arn = GetString(in, "PolicyArn");
  const std::string_view version_id = GetString(in, "VersionId");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy = ResolveOwnPolicy(
        tx, Account(call), arn, "Cannot update policies outside your own account.");
    if (!policy) {
      if (policy.error().code == "NoSuchEntity") return Fail(VersionNotFound(arn, version_id));
      return Fail(policy.error());
    }
    if (Result<void> set = tx.Policies().SetDefaultVersion(policy->id, version_id, call.now);
        !set) {
      if (store::IsNotFound(set.error())) return Fail(VersionNotFound(arn, version_id));
      return Fail(FromStore(set.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// ---------------------------------------------------------------------------------------
// Tags

Result<json::object> TagPolicy(CallContext& call, const json::object& in,
                               const IamOptions& options) {
  Result<std::vector<store::Tag>> tags = PolicyTagsFromInput(in);
  if (!tags) return Fail(tags.error());
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy =
        ResolveOwnPolicy(tx, Account(call), GetString(in, "PolicyArn"),
                         "Cannot tag policies outside your own account.");
    if (!policy) return Fail(policy.error());
    return identity::PutTagsWithinQuota(tx, policy->account_id,
                                        {store::TaggableType::kManagedPolicy, policy->id}, *tags,
                                        options.quotas.tags_per_entity, "TagsPerPolicy");
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> UntagPolicy(CallContext& call, const json::object& in) {
  std::vector<std::string> keys = GetStringList(in, "TagKeys");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> policy =
        ResolveOwnPolicy(tx, Account(call), GetString(in, "PolicyArn"),
                         "Cannot untag policies outside your own account.");
    if (!policy) return Fail(policy.error());
    if (Result<void> removed =
            tx.Tags().Remove({store::TaggableType::kManagedPolicy, policy->id}, keys);
        !removed) {
      return Fail(FromStore(removed.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> ListPolicyTags(CallContext& call, const json::object& in) {
  std::vector<store::Tag> tags;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<ResolvedPolicy> policy = ResolvePolicy(tx, Account(call), GetString(in, "PolicyArn"));
    if (!policy) return Fail(policy.error());
    if (!policy->customer) return Ok();  // AWS managed policies carry no tags
    Result<std::vector<store::Tag>> listed =
        tx.Tags().List({store::TaggableType::kManagedPolicy, policy->customer->id});
    if (!listed) return Fail(FromStore(listed.error()));
    tags = std::move(*listed);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return TagsPage(call, in, tags, {"PolicyArn"});
}

// Resource: the policy ARN as given (AWS managed ARNs included), with the tags of a customer
// managed policy as aws:ResourceTag/*.
Result<authz::AuthzTarget> PolicyTarget(CallContext& call, const json::object& in) {
  const std::string arn(GetString(in, "PolicyArn"));
  authz::AuthzTarget target = Target(call, {arn});
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<store::ManagedPolicyRow> row = tx.Policies().GetByArn(arn);
    if (!row || row->account_id != Account(call)) return Ok();
    Result<std::vector<store::Tag>> tags =
        tx.Tags().List({store::TaggableType::kManagedPolicy, row->id});
    if (tags) AddResourceTags(target, *tags);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return target;
}

}  // namespace

void RegisterManagedPolicies(HandlerRegistry& registry, const IamOptions& options) {
  auto add = [&](const char* operation, Handler handler, TargetFn target) {
    registry.Add("iam", operation, OperationSpec{std::move(handler), true, std::move(target)});
  };
  add(
      "CreatePolicy",
      [options](CallContext& call, const json::object& in) { return CreatePolicy(call, in, options); },
      [](CallContext& call, const json::object& in) -> Result<authz::AuthzTarget> {
        authz::AuthzTarget target =
            Target(call, {EntityArn(Account(call), "policy", GetString(in, "Path", "/"),
                                    GetString(in, "PolicyName"))});
        Result<std::vector<store::Tag>> tags = TagsFromInput(in);
        if (tags) AddRequestTags(target, *tags);
        return target;
      });
  add("GetPolicy", GetPolicy, PolicyTarget);
  add("ListPolicies", ListPolicies, nullptr);
  add("DeletePolicy", DeletePolicy, PolicyTarget);
  add(
      "CreatePolicyVersion",
      [options](CallContext& call, const json::object& in) {
        return CreatePolicyVersion(call, in, options);
      },
      PolicyTarget);
  add("GetPolicyVersion", GetPolicyVersion, PolicyTarget);
  add("ListPolicyVersions", ListPolicyVersions, PolicyTarget);
  add("DeletePolicyVersion", DeletePolicyVersion, PolicyTarget);
  add("SetDefaultPolicyVersion", SetDefaultPolicyVersion, PolicyTarget);
  add(
      "TagPolicy",
      [options](CallContext& call, const json::object& in) { return TagPolicy(call, in, options); },
      WithRequestTags(PolicyTarget));
  add("UntagPolicy", UntagPolicy, WithTagKeys(PolicyTarget));
  add("ListPolicyTags", ListPolicyTags, PolicyTarget);
}

}  // namespace rampart::services::iam
