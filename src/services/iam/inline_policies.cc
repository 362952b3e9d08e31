// IAM inline policies: Put/Get/List/Delete User/Group/RolePolicy.
//
// Documents are validated as identity policies and kept byte for byte; GetXPolicy returns
// them URL-encoded exactly as submitted. The aggregate size of an entity's inline policies
// (white space not counted) is limited per entity type: user 2048, group 5120, role 10240
// (IAM quotas page), with AWS's message "Maximum policy size of N bytes exceeded for user X"
// (real responses quoted in aws-amplify/amplify-backend #2615 and HumanCellAtlas/data-store
// #1963).
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "policy/policy.h"
#include "services/iam/iam.h"
#include "services/iam/policy_holders.h"

namespace rampart::services::iam {
namespace {

const policy::CompileOptions kNoQuota{.policy_id = "", .enforce_size_quota = false};

std::int64_t SizeQuota(const PolicyHolderKind& kind, const IamOptions& options) {
  switch (kind.type) {
    case store::EntityType::kUser: return options.quotas.user_policy_size;
    case store::EntityType::kGroup: return options.quotas.group_policy_size;
    case store::EntityType::kRole: return options.quotas.role_policy_size;
  }
  return 2048;
}

Error NoSuchPolicy(const PolicyHolderKind& kind, std::string_view policy_name) {
  return NoSuchEntity(
      fmt::format("The {} policy with name {} cannot be found.", kind.noun, policy_name));
}

Result<json::object> PutPolicy(CallContext& call, const json::object& in,
                               const PolicyHolderKind& kind,
                               const IamOptions& options) {
  const std::string policy_name(GetString(in, "PolicyName"));
  const std::string document(GetString(in, "PolicyDocument"));
  Result<policy::PolicyPtr> compiled =
      policy::CompilePolicy(document, policy::PolicyType::kIdentity, kNoQuota);
  if (!compiled) return Fail(compiled.error());
  const std::size_t size = policy::PolicySizeWithoutWhitespace(document);
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    if (entity->is_protected) return Fail(ProtectedRole(entity->name));
    Result<std::vector<store::InlinePolicyRow>> existing = tx.InlinePolicies().ListAll(entity->ref);
    if (!existing) return Fail(FromStore(existing.error()));
    std::size_t total = size;
    for (const store::InlinePolicyRow& row : *existing) {
      if (row.name != policy_name) total += policy::PolicySizeWithoutWhitespace(row.document);
    }
    const std::int64_t quota = SizeQuota(kind, options);
    if (total > static_cast<std::size_t>(quota)) {
      return Fail(LimitExceeded(fmt::format("Maximum policy size of {} bytes exceeded for {} {}",
                                            quota, kind.noun, entity->name)));
    }
    store::InlinePolicyRow row{entity->ref, policy_name, document};
    if (Result<void> put = tx.InlinePolicies().Put(row); !put) return Fail(FromStore(put.error()));
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

Result<json::object> GetPolicy(CallContext& call, const json::object& in,
                               const PolicyHolderKind& kind) {
  const std::string_view policy_name = GetString(in, "PolicyName");
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    Result<store::InlinePolicyRow> row = tx.InlinePolicies().Get(entity->ref, policy_name);
    if (!row) {
      if (store::IsNotFound(row.error())) return Fail(NoSuchPolicy(kind, policy_name));
      return Fail(FromStore(row.error()));
    }
    out[kind.name_member] = entity->name;
    out["PolicyName"] = row->name;
    out["PolicyDocument"] = UrlEncodeDocument(row->document);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> ListPolicies(CallContext& call, const json::object& in,
                                  const PolicyHolderKind& kind) {
  Result<store::ListQuery> query = PageQuery(call, in, {kind.name_member});
  if (!query) return Fail(query.error());
  json::object out;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    Result<store::Page<std::string>> page = tx.InlinePolicies().ListNames(entity->ref, *query);
    if (!page) return Fail(FromStore(page.error()));
    json::array names;
    for (const std::string& name : page->items) names.push_back(json::string(name));
    out["PolicyNames"] = std::move(names);
    SetPage(call, in, {kind.name_member}, page->next_marker, out);
    return Ok();
  });
  if (!read) return Fail(read.error());
  return out;
}

Result<json::object> DeletePolicy(CallContext& call, const json::object& in,
                                  const PolicyHolderKind& kind) {
  const std::string_view policy_name = GetString(in, "PolicyName");
  Result<void> written = call.Write([&](store::WriteTransaction& tx) -> Result<void> {
    Result<PolicyHolder> entity =
        ReadPolicyHolder(tx, Account(call), kind, GetString(in, kind.name_member));
    if (!entity) return Fail(entity.error());
    if (entity->is_protected) return Fail(ProtectedRole(entity->name));
    if (Result<void> gone = tx.InlinePolicies().Delete(entity->ref, policy_name); !gone) {
      if (store::IsNotFound(gone.error())) return Fail(NoSuchPolicy(kind, policy_name));
      return Fail(FromStore(gone.error()));
    }
    return Ok();
  });
  if (!written) return Fail(written.error());
  return json::object{};
}

// Resource: the entity's ARN (stored path when it exists); for users and roles their tags as
// aws:ResourceTag/* and, for writes, their boundary as iam:PermissionsBoundary (service
// reference condition keys of Put/DeleteUserPolicy and Put/DeleteRolePolicy).
}  // namespace

void RegisterInlinePolicies(HandlerRegistry& registry, const IamOptions& options) {
  auto add = [&](const std::string& operation, Handler handler, TargetFn target) {
    registry.Add("iam", operation, OperationSpec{std::move(handler), true, std::move(target)});
  };
  for (const PolicyHolderKind* kind : {&kUserHolder, &kGroupHolder, &kRoleHolder}) {
    const std::string noun = OperationNoun(*kind);
    add("Put" + noun + "Policy",
        [kind, options](CallContext& call, const json::object& in) {
          return PutPolicy(call, in, *kind, options);
        },
        PolicyHolderTarget(*kind, true));
    add("Get" + noun + "Policy",
        [kind](CallContext& call, const json::object& in) { return GetPolicy(call, in, *kind); },
        PolicyHolderTarget(*kind, false));
    add("List" + noun + "Policies",
        [kind](CallContext& call, const json::object& in) { return ListPolicies(call, in, *kind); },
        PolicyHolderTarget(*kind, false));
    add("Delete" + noun + "Policy",
        [kind](CallContext& call, const json::object& in) { return DeletePolicy(call, in, *kind); },
        PolicyHolderTarget(*kind, true));
  }
}

}  // namespace rampart::services::iam
