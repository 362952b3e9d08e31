#include "authz/store_policy_source.h"

#include <mutex>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "common/crypto.h"

namespace rampart::authz {
namespace {

constexpr std::size_t kMaxCachedPrincipals = 50'000;

Result<policy::PolicyPtr> CompileStored(std::string_view text, policy::PolicyType type,
                                        std::string policy_id) {
  policy::CompileOptions options;
  options.policy_id = std::move(policy_id);
  // Stored documents were validated (with their quotas) when they were written.
  options.enforce_size_quota = false;
  return policy::CompilePolicy(text, type, options);
}

template <typename T, typename Fetch>
Result<std::vector<T>> FetchAll(Fetch fetch) {
  std::vector<T> all;
  store::ListQuery query;
  query.max_items = 1000;
  while (true) {
    Result<store::Page<T>> page = fetch(query);
    if (!page) return Fail(page.error());
    for (T& item : page->items) all.push_back(std::move(item));
    if (!page->next_marker) return all;
    query.marker = *page->next_marker;
  }
}

// Inline + attached policies of one entity, appended to `out`.
Result<void> AddEntityPolicies(const store::ReadTransaction& tx, const store::EntityRef& entity,
                               std::string_view entity_name, std::vector<policy::PolicyPtr>& out) {
  Result<std::vector<store::InlinePolicyRow>> inline_policies = tx.InlinePolicies().ListAll(entity);
  if (!inline_policies) return Fail(inline_policies.error());
  for (const store::InlinePolicyRow& row : *inline_policies) {
    Result<policy::PolicyPtr> compiled =
        CompileStored(row.document, policy::PolicyType::kIdentity, row.name);
    if (!compiled) {
      return Fail("ServiceFailure",
                  fmt::format("stored inline policy `{}` of `{}` no longer compiles: {}", row.name,
                              entity_name, compiled.error().message));
    }
    out.push_back(std::move(*compiled));
  }
  Result<std::vector<store::AttachedPolicy>> attached = FetchAll<store::AttachedPolicy>(
      [&](const store::ListQuery& query) { return tx.Attachments().ListForEntity(entity, query); });
  if (!attached) return Fail(attached.error());
  for (const store::AttachedPolicy& attachment : *attached) {
    Result<policy::PolicyPtr> compiled = StorePolicySource::LoadManagedPolicy(
        tx, attachment.policy_arn, policy::PolicyType::kIdentity);
    if (!compiled) return Fail(compiled.error());
    if (*compiled) out.push_back(std::move(*compiled));
  }
  return Ok();
}

Result<void> AddTags(const store::ReadTransaction& tx, const store::TagRef& ref,
                     std::map<std::string, std::string>& tags) {
  Result<std::vector<store::Tag>> list = tx.Tags().List(ref);
  if (!list) return Fail(list.error());
  for (const store::Tag& tag : *list) tags[tag.key] = tag.value;
  return Ok();
}

}  // namespace

Result<policy::PolicyPtr> StorePolicySource::LoadManagedPolicy(const store::ReadTransaction& tx,
                                                               std::string_view arn,
                                                               policy::PolicyType type) {
  if (IsAwsManagedPolicyArn(arn)) {
    const AwsManagedPolicy* managed = AwsManagedPolicies::Get().Find(arn);
    if (managed == nullptr) return policy::PolicyPtr();  // unknown: grants nothing
    return AwsManagedPolicies::Get().Compiled(*managed, type);
  }
  Result<store::ManagedPolicyRow> row = tx.Policies().GetByArn(arn);
  if (!row) {
    if (store::IsNotFound(row.error())) return policy::PolicyPtr();
    return Fail(row.error());
  }
  Result<store::PolicyVersionRow> version = tx.Policies().GetDefaultVersion(row->id);
  if (!version) return Fail(version.error());
  Result<policy::PolicyPtr> compiled = CompileStored(version->document, type, row->arn);
  if (!compiled) {
    return Fail("ServiceFailure", fmt::format("stored policy `{}` no longer compiles: {}", arn,
                                              compiled.error().message));
  }
  return compiled;
}

Result<PrincipalPolicySet> StorePolicySource::LoadUser(const store::ReadTransaction& tx,
                                                       std::string_view user_id) {
  PrincipalPolicySet set;
  Result<store::UserRow> user = tx.Users().GetById(user_id);
  if (!user) return Fail(user.error());
  if (auto r = AddEntityPolicies(tx, store::EntityRef::User(user->id), user->name,
                                 set.policies.identity);
      !r) {
    return Fail(r.error());
  }
  Result<std::vector<store::GroupRow>> groups = FetchAll<store::GroupRow>(
      [&](const store::ListQuery& query) { return tx.Groups().ListForUser(user->id, query); });
  if (!groups) return Fail(groups.error());
  for (const store::GroupRow& group : *groups) {
    if (auto r = AddEntityPolicies(tx, store::EntityRef::Group(group.id), group.name,
                                   set.policies.identity);
        !r) {
      return Fail(r.error());
    }
  }
  if (!user->permissions_boundary.empty()) {
    Result<policy::PolicyPtr> boundary =
        LoadManagedPolicy(tx, user->permissions_boundary, policy::PolicyType::kBoundary);
    if (!boundary) return Fail(boundary.error());
    set.policies.boundary = *boundary;
  }
  if (auto r = AddTags(tx, store::TagRef{store::TaggableType::kUser, user->id}, set.tags); !r) {
    return Fail(r.error());
  }
  return set;
}

Result<PrincipalPolicySet> StorePolicySource::LoadRole(const store::ReadTransaction& tx,
                                                       std::string_view role_id) {
  PrincipalPolicySet set;
  Result<store::RoleRow> role = tx.Roles().GetById(role_id);
  if (!role) return Fail(role.error());
  if (auto r = AddEntityPolicies(tx, store::EntityRef::Role(role->id), role->name,
                                 set.policies.identity);
      !r) {
    return Fail(r.error());
  }
  if (!role->permissions_boundary.empty()) {
    Result<policy::PolicyPtr> boundary =
        LoadManagedPolicy(tx, role->permissions_boundary, policy::PolicyType::kBoundary);
    if (!boundary) return Fail(boundary.error());
    set.policies.boundary = *boundary;
  }
  if (auto r = AddTags(tx, store::TagRef{store::TaggableType::kRole, role->id}, set.tags); !r) {
    return Fail(r.error());
  }
  return set;
}

Result<void> StorePolicySource::AddSessionPolicies(const store::ReadTransaction& tx,
                                                   const Principal& principal,
                                                   PrincipalPolicySet& set) {
  // Session policies were validated (with STS's size and packed-size limits) when the session
  // was issued; they are compiled here once per session and cached with its policy set.
  for (std::size_t i = 0; i < principal.session_policies.size(); ++i) {
    Result<policy::PolicyPtr> compiled = CompileStored(
        principal.session_policies[i], policy::PolicyType::kSession,
        i == 0 ? std::string("SessionPolicy") : fmt::format("SessionPolicy{}", i + 1));
    if (!compiled) {
      return Fail("ServiceFailure", fmt::format("session policy of `{}` no longer compiles: {}",
                                                principal.arn, compiled.error().message));
    }
    set.policies.session.push_back(std::move(*compiled));
  }
  for (const std::string& arn : principal.session_policy_arns) {
    Result<policy::PolicyPtr> compiled = LoadManagedPolicy(tx, arn, policy::PolicyType::kSession);
    if (!compiled) return Fail(compiled.error());
    // A managed session policy deleted since the session began grants nothing; an empty
    // placeholder keeps the session layer present (so the session stays limited by it).
    if (*compiled) {
      set.policies.session.push_back(std::move(*compiled));
    } else {
      Result<policy::PolicyPtr> nothing = CompileStored(
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"*","NotResource":"*"}]})",
          policy::PolicyType::kSession, arn);
      if (nothing && *nothing) set.policies.session.push_back(std::move(*nothing));
    }
  }
  return Ok();
}

Result<PrincipalPolicySet> StorePolicySource::LoadSession(const store::ReadTransaction& tx,
                                                          const Principal& principal) {
  PrincipalPolicySet set;
  Result<PrincipalPolicySet> base;
  switch (principal.type) {
    case PrincipalType::kIAMUser: base = LoadUser(tx, principal.principal_id); break;
    case PrincipalType::kAssumedRole: base = LoadRole(tx, principal.issuer_principal_id); break;
    case PrincipalType::kFederatedUser: base = LoadUser(tx, principal.issuer_principal_id); break;
    default: return set;
  }
  if (base) {
    set = std::move(*base);
  } else if (!store::IsNotFound(base.error())) {
    return Fail(base.error());
  }
  // A user or role deleted while its sessions live: the sessions keep no permissions.
  if (principal.type == PrincipalType::kFederatedUser) {
    // aws:PrincipalTag/* of a federated user are its session tags only.
    set.tags.clear();
  }
  if (auto r = AddSessionPolicies(tx, principal, set); !r) return Fail(r.error());
  // "You cannot call any IAM API operations unless MFA authentication information is included
  // in the request" (GetSessionToken credentials), and federated users never call IAM (STS API
  // reference). The dispatcher refuses such calls first with AWS's InvalidClientTokenId
  // (sts::CheckTemporaryCredentialScope); this explicit deny keeps the rule even where it does
  // not (simulation, other entry points).
  const bool session_token_without_mfa = principal.temporary &&
                                         principal.type == PrincipalType::kIAMUser &&
                                         !principal.mfa_authenticated.value_or(false);
  if (session_token_without_mfa || principal.type == PrincipalType::kFederatedUser) {
    Result<policy::PolicyPtr> guard = CompileStored(
        R"({"Version":"2012-10-17","Statement":[{"Sid":"NoIamForThisSession","Effect":"Deny","Action":"iam:*","Resource":"*"}]})",
        policy::PolicyType::kIdentity, "TemporaryCredentialLimits");
    if (!guard) return Fail(guard.error());
    set.policies.identity.push_back(std::move(*guard));
  }
  return set;
}

Result<PolicySetPtr> StorePolicySource::ForPrincipal(const Principal& principal) const {
  static const PolicySetPtr kEmpty = std::make_shared<const PrincipalPolicySet>();
  if (principal.type == PrincipalType::kRoot) return kEmpty;
  std::string cache_key;
  const bool has_session_policies =
      !principal.session_policies.empty() || !principal.session_policy_arns.empty();
  switch (principal.type) {
    case PrincipalType::kIAMUser:
      // A GetSessionToken session without MFA has one more (deny) policy than its user.
      cache_key = (principal.temporary && !principal.mfa_authenticated.value_or(false)
                       ? "user-session:"
                       : "user:") +
                  principal.principal_id;
      break;
    case PrincipalType::kAssumedRole: cache_key = "role:" + principal.issuer_principal_id; break;
    case PrincipalType::kFederatedUser:
      cache_key = "federated:" + principal.issuer_principal_id;
      break;
    default: return kEmpty;
  }
  if (has_session_policies) {
    // Session policies are fixed for the life of a session: one snapshot per session, keyed
    // by its access key id (or, without one, by the policies themselves).
    cache_key += "|";
    if (!principal.access_key_id.empty()) {
      cache_key += principal.access_key_id;
    } else {
      std::string all;
      for (const std::string& text : principal.session_policies) all += text + '\0';
      for (const std::string& arn : principal.session_policy_arns) all += arn + '\0';
      cache_key += crypto::Sha256Hex(all);
    }
  }
  std::uint64_t version = store_.PolicyVersion();
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (cached_version_ == version) {
      auto it = cache_.find(cache_key);
      if (it != cache_.end()) return it->second;
    }
  }
  PrincipalPolicySet loaded;
  Result<void> read = store_.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<PrincipalPolicySet> set = LoadSession(tx, principal);
    if (!set) return Fail(set.error());
    loaded = std::move(*set);
    return Ok();
  });
  if (!read) return Fail(read.error());
  loaded.referenced_keys = ReferencedKeys(loaded.policies);
  auto snapshot = std::make_shared<const PrincipalPolicySet>(std::move(loaded));
  std::unique_lock<std::shared_mutex> lock(mutex_);
  // INVARIANT: PolicyVersion is monotonic; a snapshot loaded under an older version is never
  // cached under a newer one.
  if (cached_version_ < version) {
    cache_.clear();
    cached_version_ = version;
  }
  if (cached_version_ == version) {
    if (cache_.size() >= kMaxCachedPrincipals) cache_.clear();
    cache_[cache_key] = snapshot;
  }
  return PolicySetPtr(snapshot);
}

}  // namespace rampart::authz
