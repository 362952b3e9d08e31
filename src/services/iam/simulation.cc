// IAM policy simulation: SimulatePrincipalPolicy, SimulateCustomPolicy,
// GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy.
//
// The simulator evaluates with the same engine and the same policy sets as enforcement
// (policy::Evaluate over authz::StorePolicySource::LoadUser / LoadRole), but its request
// context holds only what the request names — principal, action, resource, resource owner —
// plus the ContextEntries the caller passes: IAM's simulator fills in no global condition
// keys itself (GetContextKeysFor*Policy exist so that callers know what to supply; AWS CLI
// examples pass aws:CurrentTime explicitly). See docs/decisions.md (IAM).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "authz/managed_policies.h"
#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/strings.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

// AWS reports every identity policy (inline, managed or passed as a string) with the
// SourcePolicyType "IAM Policy", although the model's enum does not list it (recorded
// SimulatePrincipalPolicy response; soto-project/soto #230).
constexpr std::string_view kIamPolicyType = "IAM Policy";

struct Source {
  policy::PolicyPtr policy;
  std::string id;    // SourcePolicyId
  std::string type;  // SourcePolicyType
  // For PolicyExclusionList.
  std::string arn;                // managed policies
  std::string attachment_type;    // inline: "user" | "group" | "role"
  std::string attachment_name;    // inline: the entity's name
  std::string inline_name;        // inline: the policy's name
};

// Everything the simulator evaluates, gathered before the first request is simulated.
struct Setup {
  std::vector<Source> identity;
  std::vector<Source> boundaries;  // several documents: any of them may allow (union)
  std::vector<std::vector<policy::PolicyPtr>> scps;
  std::optional<Source> resource_policy;
  policy::Principal principal;
  std::string resource_owner;  // account owning resources whose ARN names none; "" = caller's
};

Error InvalidPolicyInput(std::string_view member, std::size_t index, const Error& error) {
  return InvalidInput(fmt::format("{}.{}: {}", member, index + 1, error.message));
}

Result<policy::PolicyPtr> CompileInput(std::string_view text, policy::PolicyType type,
                                       std::string id) {
  policy::CompileOptions options;
  options.policy_id = std::move(id);
  // The simulator accepts documents up to the model's 131,072 characters.
  options.enforce_size_quota = false;
  return policy::CompilePolicy(text, type, options);
}

Result<std::vector<Source>> CompileInputList(const json::object& in, std::string_view member,
                                             policy::PolicyType type) {
  std::vector<Source> out;
  std::vector<std::string> texts = GetStringList(in, member);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string id = fmt::format("{}.{}", member, i + 1);
    Result<policy::PolicyPtr> compiled = CompileInput(texts[i], type, id);
    if (!compiled) return Fail(InvalidPolicyInput(member, i, compiled.error()));
    out.push_back(Source{.policy = std::move(*compiled), .id = std::move(id),
                         .type = std::string(kIamPolicyType)});
  }
  return out;
}

bool IsArn(std::string_view id) { return StartsWith(id, "arn:"); }

std::string_view LastSegment(std::string_view arn) {
  std::size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? arn : arn.substr(slash + 1);
}

// Customer managed policies are compiled with their ARN as id, AWS managed ones with their
// name (authz/managed_policies.cc); either way the SourcePolicyId is the policy's name.
Source ManagedSource(policy::PolicyPtr compiled) {
  Source source;
  if (IsArn(compiled->id())) {
    source.arn = compiled->id();
  } else {
    for (const authz::AwsManagedPolicy& managed : authz::AwsManagedPolicies::Get().all()) {
      if (managed.name == compiled->id()) {
        source.arn = managed.arn;
        break;
      }
    }
  }
  source.id = std::string(LastSegment(compiled->id()));
  source.type = std::string(kIamPolicyType);
  source.policy = std::move(compiled);
  return source;
}

Source InlineSource(policy::PolicyPtr compiled, std::string_view kind, std::string_view entity) {
  Source source;
  source.inline_name = compiled->id();
  // Inline policies are reported as <user|group|role>_<entity name>_<policy name>.
  source.id = fmt::format("{}_{}_{}", kind, entity, source.inline_name);
  source.type = std::string(kIamPolicyType);
  source.attachment_type = std::string(kind);
  source.attachment_name = std::string(entity);
  source.policy = std::move(compiled);
  return source;
}

// The principal named by an ARN in PolicySourceArn / CallerArn.
struct SourceEntity {
  std::string account;
  std::string kind;  // "user" | "group" | "role"
  std::string path;
  std::string name;
};

Result<SourceEntity> ParseEntityArn(std::string_view text) {
  Result<Arn> arn = Arn::Parse(text);
  Error invalid = InvalidInput(fmt::format("ARN {} is not valid.", text));
  if (!arn || arn->service != "iam" || !IsAccountId(arn->account)) return Fail(invalid);
  std::string_view resource = arn->resource;
  std::size_t slash = resource.find('/');
  if (slash == std::string_view::npos) return Fail(invalid);
  SourceEntity out;
  out.account = arn->account;
  out.kind = std::string(resource.substr(0, slash));
  std::size_t last = resource.rfind('/');
  out.path = std::string(resource.substr(slash, last - slash + 1));
  out.name = std::string(resource.substr(last + 1));
  if ((out.kind != "user" && out.kind != "group" && out.kind != "role") || out.name.empty()) {
    return Fail(invalid);
  }
  return out;
}

Error NoSuchEntityFor(const SourceEntity& entity) {
  return NoSuchEntity(fmt::format("The {} with name {} cannot be found.", entity.kind, entity.name));
}

// Inline policies of `entity` whose name and text match a compiled policy, to tell a user's
// inline policies from its groups' (LoadUser compiles both with the policy name as id).
Result<bool> HasInline(const store::ReadTransaction& tx, const store::EntityRef& entity,
                       const policy::CompiledPolicy& compiled) {
  Result<store::InlinePolicyRow> row = tx.InlinePolicies().Get(entity, compiled.id());
  if (!row) {
    if (store::IsNotFound(row.error())) return false;
    return Fail(FromStore(row.error()));
  }
  return row->document == compiled.text();
}

Result<std::vector<store::GroupRow>> GroupsOf(const store::ReadTransaction& tx,
                                              std::string_view user_id) {
  std::vector<store::GroupRow> all;
  store::ListQuery query;
  query.max_items = 1000;
  while (true) {
    Result<store::Page<store::GroupRow>> page = tx.Groups().ListForUser(user_id, query);
    if (!page) return Fail(FromStore(page.error()));
    for (store::GroupRow& group : page->items) all.push_back(std::move(group));
    if (!page->next_marker) return all;
    query.marker = *page->next_marker;
  }
}

// A group's own policies (inline, then attached), compiled as enforcement compiles them.
Result<void> LoadGroup(const store::ReadTransaction& tx, const store::GroupRow& group,
                       std::vector<Source>& out) {
  const store::EntityRef ref = store::EntityRef::Group(group.id);
  Result<std::vector<store::InlinePolicyRow>> inline_policies = tx.InlinePolicies().ListAll(ref);
  if (!inline_policies) return Fail(FromStore(inline_policies.error()));
  for (const store::InlinePolicyRow& row : *inline_policies) {
    Result<policy::PolicyPtr> compiled = CompileInput(row.document, policy::PolicyType::kIdentity, row.name);
    if (!compiled) return Fail(ServiceFailure(compiled.error().message));
    out.push_back(InlineSource(std::move(*compiled), "group", group.name));
  }
  store::ListQuery query;
  query.max_items = 1000;
  while (true) {
    Result<store::Page<store::AttachedPolicy>> page = tx.Attachments().ListForEntity(ref, query);
    if (!page) return Fail(FromStore(page.error()));
    for (const store::AttachedPolicy& attached : page->items) {
      Result<policy::PolicyPtr> compiled = authz::StorePolicySource::LoadManagedPolicy(
          tx, attached.policy_arn, policy::PolicyType::kIdentity);
      if (!compiled) return Fail(FromStore(compiled.error()));
      if (*compiled) out.push_back(ManagedSource(std::move(*compiled)));
    }
    if (!page->next_marker) return Ok();
    query.marker = *page->next_marker;
  }
}

// Gathers the policies of the user, group or role `entity` (PolicySourceArn).
Result<void> LoadPrincipal(const store::ReadTransaction& tx, std::string_view account,
                           const SourceEntity& entity, Setup& setup) {
  if (entity.kind == "user") {
    Result<store::UserRow> user = tx.Users().Get(account, entity.name);
    if (!user) {
      if (store::IsNotFound(user.error())) return Fail(NoSuchEntityFor(entity));
      return Fail(FromStore(user.error()));
    }
    Result<authz::PrincipalPolicySet> set = authz::StorePolicySource::LoadUser(tx, user->id);
    if (!set) return Fail(FromStore(set.error()));
    Result<std::vector<store::GroupRow>> groups = GroupsOf(tx, user->id);
    if (!groups) return Fail(groups.error());
    for (policy::PolicyPtr& compiled : set->policies.identity) {
      if (IsArn(compiled->id())) {
        setup.identity.push_back(ManagedSource(std::move(compiled)));
        continue;
      }
      // An inline policy of the user or of one of its groups, else an AWS managed policy.
      Result<bool> own = HasInline(tx, store::EntityRef::User(user->id), *compiled);
      if (!own) return Fail(own.error());
      if (*own) {
        setup.identity.push_back(InlineSource(std::move(compiled), "user", user->name));
        continue;
      }
      const store::GroupRow* owner = nullptr;
      for (const store::GroupRow& group : *groups) {
        Result<bool> in_group = HasInline(tx, store::EntityRef::Group(group.id), *compiled);
        if (!in_group) return Fail(in_group.error());
        if (*in_group) {
          owner = &group;
          break;
        }
      }
      if (owner != nullptr) {
        setup.identity.push_back(InlineSource(std::move(compiled), "group", owner->name));
      } else {
        setup.identity.push_back(ManagedSource(std::move(compiled)));
      }
    }
    if (set->policies.boundary) setup.boundaries.push_back(ManagedSource(set->policies.boundary));
    setup.principal.type = policy::PrincipalType::kIamUser;
    setup.principal.arn = user->arn;
    setup.principal.account_id = user->account_id;
    return Ok();
  }
  if (entity.kind == "role") {
    Result<store::RoleRow> role = tx.Roles().Get(account, entity.name);
    if (!role) {
      if (store::IsNotFound(role.error())) return Fail(NoSuchEntityFor(entity));
      return Fail(FromStore(role.error()));
    }
    Result<authz::PrincipalPolicySet> set = authz::StorePolicySource::LoadRole(tx, role->id);
    if (!set) return Fail(FromStore(set.error()));
    for (policy::PolicyPtr& compiled : set->policies.identity) {
      Result<bool> own = IsArn(compiled->id())
                             ? Result<bool>(false)
                             : HasInline(tx, store::EntityRef::Role(role->id), *compiled);
      if (!own) return Fail(own.error());
      if (*own) {
        setup.identity.push_back(InlineSource(std::move(compiled), "role", role->name));
      } else {
        setup.identity.push_back(ManagedSource(std::move(compiled)));
      }
    }
    if (set->policies.boundary) setup.boundaries.push_back(ManagedSource(set->policies.boundary));
    setup.principal.type = policy::PrincipalType::kIamRole;
    setup.principal.arn = role->arn;
    setup.principal.account_id = role->account_id;
    return Ok();
  }
  Result<store::GroupRow> group = tx.Groups().Get(account, entity.name);
  if (!group) {
    if (store::IsNotFound(group.error())) return Fail(NoSuchEntityFor(entity));
    return Fail(FromStore(group.error()));
  }
  if (Result<void> loaded = LoadGroup(tx, *group, setup.identity); !loaded) return loaded;
  // A group is never a caller; the simulated caller is an anonymous member of the account.
  setup.principal.type = policy::PrincipalType::kIamUser;
  setup.principal.account_id = group->account_id;
  return Ok();
}

// PolicyExclusionList (SimulatePrincipalPolicy): policies of the principal left out.
void ApplyExclusions(const json::object& in, Setup& setup) {
  const json::array* exclusions = GetList(in, "PolicyExclusionList");
  if (exclusions == nullptr) return;
  for (const json::value& item : *exclusions) {
    if (!item.is_object()) continue;
    const json::object& exclusion = item.get_object();
    std::string_view type = GetString(exclusion, "PolicyType");
    std::string_view arn = GetString(exclusion, "PolicyArn");
    if (type == "permission-boundary") {
      setup.boundaries.clear();
      continue;
    }
    auto excluded = [&](const Source& source) {
      if ((type == "aws-managed" || type == "user-managed") && !arn.empty()) {
        return source.arn == arn;
      }
      if (type == "inline") {
        const json::value* id = exclusion.if_contains("InlinePolicyIdentifier");
        if (id == nullptr || !id->is_object()) return false;
        const json::object& inline_id = id->get_object();
        return !source.inline_name.empty() &&
               source.inline_name == GetString(inline_id, "PolicyName") &&
               source.attachment_type == GetString(inline_id, "AttachmentType") &&
               source.attachment_name == GetString(inline_id, "AttachmentName");
      }
      return false;
    };
    std::erase_if(setup.identity, excluded);
  }
}

// The optional inputs both Simulate operations share.
Result<void> ReadCommonInputs(const CallContext& call, const json::object& in, Setup& setup,
                              bool caller_defaults_to_source_user) {
  if (std::optional<std::string> caller = OptString(in, "CallerArn")) {
    Result<SourceEntity> parsed = ParseEntityArn(*caller);
    // "You can specify only the ARN of an IAM user" (SimulatePrincipalPolicy, CallerArn).
    if (!parsed || parsed->kind != "user") {
      return Fail(InvalidInput(fmt::format("Invalid CallerArn {}: only the ARN of an IAM user can be the simulated caller.", *caller)));
    }
    setup.principal.type = policy::PrincipalType::kIamUser;
    setup.principal.arn = *caller;
    setup.principal.account_id = parsed->account;
  } else if (!caller_defaults_to_source_user) {
    setup.principal.type = policy::PrincipalType::kIamUser;
    setup.principal.account_id = std::string(Account(call));
  }
  if (std::optional<std::string> owner = OptString(in, "ResourceOwner")) {
    Result<Arn> arn = Arn::Parse(*owner);
    if (!arn || !IsAccountId(arn->account) || arn->resource != "root") {
      return Fail(InvalidInput(fmt::format("ARN {} is not valid.", *owner)));
    }
    setup.resource_owner = arn->account;
  }
  if (std::optional<std::string> text = OptString(in, "ResourcePolicy")) {
    // "CallerArn is required if you include a ResourcePolicy and the PolicySourceArn is not
    // the ARN for an IAM user" (API reference, SimulatePrincipalPolicy).
    if (setup.principal.arn.empty()) {
      return Fail(InvalidInput(
          "CallerArn must be specified when a ResourcePolicy is given and PolicySourceArn is "
          "not an IAM user."));
    }
    Result<policy::PolicyPtr> compiled = CompileInput(*text, policy::PolicyType::kResource, "ResourcePolicy");
    if (!compiled) return Fail(InvalidInput(fmt::format("ResourcePolicy: {}", compiled.error().message)));
    setup.resource_policy = Source{.policy = std::move(*compiled), .id = "ResourcePolicy",
                                   .type = "resource"};
  }
  Result<std::vector<Source>> boundaries =
      CompileInputList(in, "PermissionsBoundaryPolicyInputList", policy::PolicyType::kBoundary);
  if (!boundaries) return Fail(boundaries.error());
  // A boundary passed in replaces the entity's own: an entity has one boundary at a time
  // (API reference, PermissionsBoundaryPolicyInputList).
  if (!boundaries->empty()) setup.boundaries = std::move(*boundaries);
  Result<std::vector<Source>> inputs = CompileInputList(in, "PolicyInputList", policy::PolicyType::kIdentity);
  if (!inputs) return Fail(inputs.error());
  for (Source& source : *inputs) setup.identity.push_back(std::move(source));
  if (const json::array* levels = GetList(in, "OrderedOrganizationPolicyInputList")) {
    for (std::size_t level = 0; level < levels->size(); ++level) {
      if (!(*levels)[level].is_object()) continue;
      std::vector<std::string> texts =
          GetStringList((*levels)[level].get_object(), "ServiceControlPolicyInputList");
      std::vector<policy::PolicyPtr> compiled_level;
      for (std::size_t i = 0; i < texts.size(); ++i) {
        Result<policy::PolicyPtr> compiled = CompileInput(
            texts[i], policy::PolicyType::kScp,
            fmt::format("OrderedOrganizationPolicyInputList.{}.{}", level + 1, i + 1));
        if (!compiled) {
          return Fail(InvalidPolicyInput("ServiceControlPolicyInputList", i, compiled.error()));
        }
        compiled_level.push_back(std::move(*compiled));
      }
      setup.scps.push_back(std::move(compiled_level));
    }
  }
  return Ok();
}

// ContextEntries as condition keys. List types are multivalued; other types take their
// single value (several values make the key multivalued, as a list would).
Result<void> AddContextEntries(const json::object& in, policy::RequestContext& context) {
  const json::array* entries = GetList(in, "ContextEntries");
  if (entries == nullptr) return Ok();
  for (const json::value& item : *entries) {
    if (!item.is_object()) continue;
    const json::object& entry = item.get_object();
    std::string_view name = GetString(entry, "ContextKeyName");
    if (name.empty()) continue;
    std::vector<std::string> values = GetStringList(entry, "ContextKeyValues");
    std::string_view type = GetString(entry, "ContextKeyType", "string");
    if (EndsWith(type, "List") || values.size() != 1) {
      context.SetMultiKey(name, std::move(values));
    } else {
      context.SetKey(name, std::move(values.front()));
    }
  }
  return Ok();
}

struct Simulated {
  policy::Decision decision;
  std::optional<bool> allowed_by_boundary;
  bool allowed_by_organizations = true;
};

// One request through the engine: identity policies with each boundary document (a request is
// allowed if the identity policies and any one boundary allow it, denied if anything denies).
Simulated Run(const Setup& setup, const policy::RequestContext& context) {
  policy::EvaluateOptions options;
  options.collect_details = true;
  policy::ResourcePolicies resource;
  if (setup.resource_policy) resource.resource = setup.resource_policy->policy;
  policy::PrincipalPolicies principal;
  for (const Source& source : setup.identity) principal.identity.push_back(source.policy);
  principal.scps = setup.scps;

  Simulated out;
  if (setup.boundaries.empty()) {
    out.decision = policy::Evaluate(principal, resource, context, options);
  } else {
    std::optional<policy::Decision> chosen;
    for (const Source& boundary : setup.boundaries) {
      principal.boundary = boundary.policy;
      policy::Decision decision = policy::Evaluate(principal, resource, context, options);
      bool better = !chosen ||
                    (decision.kind == policy::DecisionKind::kExplicitDeny &&
                     chosen->kind != policy::DecisionKind::kExplicitDeny) ||
                    (decision.kind == policy::DecisionKind::kAllowed &&
                     chosen->kind == policy::DecisionKind::kImplicitDeny);
      if (better) chosen = std::move(decision);
    }
    out.decision = std::move(*chosen);
    // Whether a boundary by itself allows the request.
    policy::PrincipalPolicies boundary_only;
    for (const Source& boundary : setup.boundaries) boundary_only.identity.push_back(boundary.policy);
    out.allowed_by_boundary = policy::Evaluate(boundary_only, {}, context).allowed();
  }
  out.allowed_by_organizations =
      !(out.decision.source == policy::DecisionSource::kScp && !out.decision.allowed());
  return out;
}

// IAM's simulator reports a statement from the character after its opening brace to the
// character after its closing brace, 1-based: for the recorded response of AWS over
// `{"Version": "2012-10-17", "Statement": {"Sid": "", ...}}` (brace at offset 39, closing brace
// at 111) it answers Column 41 and 113, and the AWS CLI example for simulate-custom-policy
// gives 38 and 167 the same way. So positions are computed here from the statement's byte
// offsets rather than taken from policy::Locate, which points at the braces themselves.
json::object PositionAt(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::int64_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return json::object{{"Line", line},
                      {"Column", static_cast<std::int64_t>(offset - line_start + 1)}};
}

// MatchedStatements as AWS reports them: the allowing statements of identity (or resource)
// policies for an allow; only the denying statements for an explicit deny; none otherwise.
json::array MatchedStatements(const Setup& setup, const policy::Decision& decision) {
  std::map<const policy::CompiledPolicy*, const Source*> sources;
  for (const Source& source : setup.identity) sources[source.policy.get()] = &source;
  for (const Source& source : setup.boundaries) sources[source.policy.get()] = &source;
  if (setup.resource_policy) sources[setup.resource_policy->policy.get()] = &*setup.resource_policy;
  json::array out;
  if (decision.kind == policy::DecisionKind::kImplicitDeny) return out;
  const policy::Effect wanted = decision.allowed() ? policy::Effect::kAllow : policy::Effect::kDeny;
  for (const policy::MatchedStatement& matched : decision.matched) {
    auto it = sources.find(matched.policy);
    if (it == sources.end() || matched.policy == nullptr) continue;
    const policy::Statement& statement = matched.policy->statements()[matched.statement_index];
    if (statement.effect != wanted) continue;
    if (decision.allowed() && matched.policy->type() == policy::PolicyType::kBoundary) continue;
    const std::string& text = matched.policy->text();
    out.push_back(json::object{{"SourcePolicyId", it->second->id},
                               {"SourcePolicyType", it->second->type},
                               {"StartPosition", PositionAt(text, statement.begin + 1)},
                               {"EndPosition", PositionAt(text, statement.end)}});
  }
  return out;
}

json::array MissingKeys(const policy::Decision& decision) {
  json::array out;
  for (const std::string& key : decision.missing_context_keys) out.push_back(json::string(key));
  return out;
}

Result<json::object> Simulate(CallContext& call, const json::object& in, const Setup& setup,
                              std::initializer_list<std::string_view> binding) {
  std::vector<std::string> actions = GetStringList(in, "ActionNames");
  std::vector<std::string> resources = GetStringList(in, "ResourceArns");
  const bool explicit_resources = !resources.empty();
  if (!explicit_resources) resources.push_back("*");

  Result<std::size_t> start = PageStart(call, in, binding);
  if (!start) return Fail(start.error());
  const std::size_t total = actions.size() * resources.size();
  const std::size_t end = std::min(total, *start + static_cast<std::size_t>(MaxItems(in)));

  json::array results;
  // One result per (action, resource) pair, actions in the order given.
  for (std::size_t index = *start; index < end; ++index) {
    const std::string& action = actions[index / resources.size()];
    const std::string& resource = resources[index % resources.size()];
    policy::RequestContext context;
    context.set_principal(setup.principal);
    context.set_action(action);
    context.set_resource(resource);
    std::optional<std::string> owner;
    if (resource != "*") {
      if (Result<Arn> arn = Arn::Parse(resource); arn && !arn->account.empty() && arn->account != "aws") {
        owner = arn->account;
      }
    }
    if (!owner && !setup.resource_owner.empty()) owner = setup.resource_owner;
    context.set_resource_account(owner);
    if (Result<void> added = AddContextEntries(in, context); !added) return Fail(added.error());

    Simulated simulated = Run(setup, context);
    const policy::Decision& decision = simulated.decision;
    json::array matched = MatchedStatements(setup, decision);
    json::object result;
    result["EvalActionName"] = action;
    result["EvalResourceName"] = resource;
    result["EvalDecision"] = std::string(policy::DecisionName(decision.kind));
    result["MatchedStatements"] = matched;
    // With explicit resources the missing keys are reported per resource instead.
    result["MissingContextValues"] = explicit_resources ? json::array() : MissingKeys(decision);
    result["OrganizationsDecisionDetail"] =
        json::object{{"AllowedByOrganizations", simulated.allowed_by_organizations}};
    if (simulated.allowed_by_boundary) {
      result["PermissionsBoundaryDecisionDetail"] =
          json::object{{"AllowedByPermissionsBoundary", *simulated.allowed_by_boundary}};
    }
    if (explicit_resources) {
      // Present but empty for same-account simulations naming a resource (EvaluationResult,
      // EvalDecisionDetails).
      result["EvalDecisionDetails"] = json::object();
      json::object specific{{"EvalResourceName", resource},
                            {"EvalResourceDecision", std::string(policy::DecisionName(decision.kind))},
                            {"MatchedStatements", std::move(matched)},
                            {"MissingContextValues", MissingKeys(decision)}};
      if (simulated.allowed_by_boundary) {
        specific["PermissionsBoundaryDecisionDetail"] =
            json::object{{"AllowedByPermissionsBoundary", *simulated.allowed_by_boundary}};
      }
      result["ResourceSpecificResults"] = json::array{std::move(specific)};
    }
    results.push_back(std::move(result));
  }
  json::object out;
  out["EvaluationResults"] = std::move(results);
  std::optional<std::string> next;
  if (end < total) next = std::to_string(end);
  SetPage(call, in, binding, next, out);
  return out;
}

Result<Setup> PrincipalSetup(CallContext& call, const json::object& in) {
  Result<SourceEntity> source = ParseEntityArn(GetString(in, "PolicySourceArn"));
  if (!source) return Fail(source.error());
  const std::string account(Account(call));
  // IAM simulates entities of the caller's own account only.
  if (source->account != account) return Fail(NoSuchEntityFor(*source));
  Setup setup;
  Result<void> read = call.Read([&](const store::ReadTransaction& tx) {
    return LoadPrincipal(tx, account, *source, setup);
  });
  if (!read) return Fail(read.error());
  return setup;
}

Result<json::object> SimulatePrincipalPolicy(CallContext& call, const json::object& in) {
  Result<Setup> setup = PrincipalSetup(call, in);
  if (!setup) return Fail(setup.error());
  ApplyExclusions(in, *setup);
  if (Result<void> common = ReadCommonInputs(call, in, *setup, true); !common) return Fail(common.error());
  return Simulate(call, in, *setup, {"PolicySourceArn"});
}

Result<json::object> SimulateCustomPolicy(CallContext& call, const json::object& in) {
  Setup setup;
  if (Result<void> common = ReadCommonInputs(call, in, setup, false); !common) return Fail(common.error());
  return Simulate(call, in, setup, {});
}

// ---------------------------------------------------------------------------------------
// Context keys: every condition key and policy variable the policies reference, in order of
// first appearance, each once (compared case-insensitively, spelled as first written).

void AddKey(std::string_view key, std::vector<std::string>& keys) {
  // ${*}, ${?} and ${$} are escapes, not keys.
  if (key.find(':') == std::string_view::npos) return;
  for (const std::string& known : keys) {
    if (EqualsIgnoreCase(known, key)) return;
  }
  keys.emplace_back(key);
}

void AddTemplateKeys(const policy::Template& templ, std::vector<std::string>& keys) {
  for (const policy::Template::Piece& piece : templ.pieces) {
    if (piece.variable) AddKey(piece.text, keys);
  }
}

void CollectKeys(const policy::CompiledPolicy& compiled, std::vector<std::string>& keys) {
  for (const policy::Statement& statement : compiled.statements()) {
    for (const policy::ResourcePattern& resource : statement.resources) {
      AddTemplateKeys(resource.templ, keys);
    }
    for (const policy::Condition& condition : statement.conditions) {
      AddKey(condition.key, keys);
      for (const policy::ConditionValue& value : condition.values) AddTemplateKeys(value.templ, keys);
    }
  }
}

json::object ContextKeysOutput(const std::vector<Source>& sources) {
  std::vector<std::string> keys;
  for (const Source& source : sources) CollectKeys(*source.policy, keys);
  json::array names;
  for (const std::string& key : keys) names.push_back(json::string(key));
  return json::object{{"ContextKeyNames", std::move(names)}};
}

Result<json::object> GetContextKeysForCustomPolicy(CallContext&, const json::object& in) {
  Result<std::vector<Source>> inputs = CompileInputList(in, "PolicyInputList", policy::PolicyType::kIdentity);
  if (!inputs) return Fail(inputs.error());
  return ContextKeysOutput(*inputs);
}

Result<json::object> GetContextKeysForPrincipalPolicy(CallContext& call, const json::object& in) {
  Result<Setup> setup = PrincipalSetup(call, in);
  if (!setup) return Fail(setup.error());
  Result<std::vector<Source>> inputs = CompileInputList(in, "PolicyInputList", policy::PolicyType::kIdentity);
  if (!inputs) return Fail(inputs.error());
  std::vector<Source> all = std::move(setup->identity);
  for (Source& source : setup->boundaries) all.push_back(std::move(source));
  for (Source& source : *inputs) all.push_back(std::move(source));
  return ContextKeysOutput(all);
}

// Authorized on the PolicySourceArn (a user, group or role resource; service reference).
Result<authz::AuthzTarget> OnPolicySource(CallContext& call, const json::object& in) {
  return Target(call, {std::string(GetString(in, "PolicySourceArn"))});
}

}  // namespace

void RegisterSimulation(HandlerRegistry& registry, const IamOptions&) {
  registry.Add("iam", "SimulatePrincipalPolicy",
               OperationSpec{.handler = SimulatePrincipalPolicy, .target = OnPolicySource});
  registry.Add("iam", "GetContextKeysForPrincipalPolicy",
               OperationSpec{.handler = GetContextKeysForPrincipalPolicy, .target = OnPolicySource});
  registry.Add("iam", "SimulateCustomPolicy", OperationSpec{.handler = SimulateCustomPolicy});
  registry.Add("iam", "GetContextKeysForCustomPolicy",
               OperationSpec{.handler = GetContextKeysForCustomPolicy});
}

}  // namespace rampart::services::iam
