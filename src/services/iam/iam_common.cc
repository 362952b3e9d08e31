#include "services/iam/iam_common.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>

#include "common/arn.h"
#include "common/strings.h"
#include "protocol/protocol.h"

namespace rampart::services::iam {

std::string_view GetString(const json::object& in, std::string_view member,
                           std::string_view fallback) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr || !value->is_string()) return fallback;
  return std::string_view(value->get_string());
}

std::optional<std::string> OptString(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::int64_t> GetInt(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

std::optional<bool> GetBool(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr || !value->is_bool()) return std::nullopt;
  return value->get_bool();
}

const json::array* GetList(const json::object& in, std::string_view member) {
  const json::value* value = in.if_contains(member);
  if (value == nullptr || !value->is_array()) return nullptr;
  return &value->get_array();
}

std::vector<std::string> GetStringList(const json::object& in, std::string_view member) {
  std::vector<std::string> out;
  if (const json::array* list = GetList(in, member)) {
    for (const json::value& item : *list) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

Error NoSuchEntity(std::string message) { return Error("NoSuchEntity", std::move(message), 404); }
Error EntityAlreadyExists(std::string message) {
  return Error("EntityAlreadyExists", std::move(message), 409);
}
Error DeleteConflict(std::string message) {
  return Error("DeleteConflict", std::move(message), 409);
}
Error LimitExceeded(std::string message) { return Error("LimitExceeded", std::move(message), 409); }
Error InvalidInput(std::string message) { return Error("InvalidInput", std::move(message), 400); }
Error ValidationError(std::string message) {
  return Error("ValidationError", std::move(message), 400);
}
Error MalformedPolicyDocument(std::string message) {
  return Error("MalformedPolicyDocument", std::move(message), 400);
}
Error UnmodifiableEntity(std::string message) {
  return Error("UnmodifiableEntity", std::move(message), 400);
}
Error PolicyNotAttachable(std::string message) {
  return Error("PolicyNotAttachable", std::move(message), 400);
}
Error ServiceFailure(std::string message) {
  return Error("ServiceFailure", std::move(message), 500);
}

Error QuotaExceeded(std::string_view quota_name, std::int64_t quota) {
  return LimitExceeded(fmt::format("Cannot exceed quota for {}: {}", quota_name, quota));
}

Error FromStore(const Error& error) {
  if (store::ToStoreError(error).has_value()) {
    if (store::IsUnavailable(error)) {
      return Error("ServiceFailure",
                   "The request processing has failed because of an unknown error, exception "
                   "or failure.",
                   500);
    }
    if (store::IsConflict(error)) {
      return Error("ConcurrentModification",
                   "The request was rejected because multiple requests to change this object "
                   "were submitted simultaneously. Wait a few minutes and submit your request "
                   "again.",
                   409);
    }
    return Error("ServiceFailure",
                 "The request processing has failed because of an unknown error, exception or "
                 "failure.",
                 500);
  }
  return error;
}

// The model's pattern is (\u002F)|(\u002F[\u0021-\u007E]+\u002F): "//" inside is allowed
// (a recorded AWS response accepts "/test//double/").
Result<void> CheckPath(std::string_view path) {
  bool ok = !path.empty() && path.size() <= 512 && path.front() == '/' && path.back() == '/';
  for (char c : path) {
    if (c < 0x21 || c > 0x7e) ok = false;
  }
  if (!ok) {
    return Fail(ValidationError(
        "The specified value for path is invalid. It must begin and end with / and contain only "
        "alphanumeric characters and/or / characters."));
  }
  return Ok();
}

std::string_view Account(const CallContext& call) { return call.caller().account_id; }

std::string EntityArn(std::string_view account, std::string_view kind, std::string_view path,
                      std::string_view name) {
  return IamArn(account, kind, path, name);
}

namespace {

std::string Binding(const CallContext& call, const json::object& in,
                    std::initializer_list<std::string_view> members) {
  // Bound to the caller's account too, so a marker cannot be replayed by another account.
  return protocol::PageBinding(std::string(call.operation) + "@" + std::string(Account(call)), in,
                               members);
}

}  // namespace

std::int64_t MaxItems(const json::object& in) {
  std::optional<std::int64_t> max = GetInt(in, "MaxItems");
  if (!max || *max < 1) return 100;
  return *max > 1000 ? 1000 : *max;
}

Result<store::ListQuery> PageQuery(const CallContext& call, const json::object& in,
                                   std::initializer_list<std::string_view> binding_members) {
  store::ListQuery query;
  query.max_items = static_cast<int>(MaxItems(in));
  query.path_prefix = std::string(GetString(in, "PathPrefix", "/"));
  if (std::optional<std::string> marker = OptString(in, "Marker")) {
    const protocol::ServiceModel* iam = protocol::Models().Find("iam");
    Result<std::string> position = protocol::DecodePageToken(
        *iam, call.env().page_token_key, *marker, Binding(call, in, binding_members));
    if (!position) return Fail(position.error());
    query.marker = std::move(*position);
  }
  return query;
}

void SetPage(const CallContext& call, const json::object& in,
             std::initializer_list<std::string_view> binding_members,
             const std::optional<std::string>& next_position, json::object& out) {
  out["IsTruncated"] = next_position.has_value();
  if (next_position) {
    out["Marker"] = protocol::EncodePageToken(call.env().page_token_key, *next_position,
                                              Binding(call, in, binding_members));
  }
}

Result<std::size_t> PageStart(const CallContext& call, const json::object& in,
                              std::initializer_list<std::string_view> binding_members) {
  std::optional<std::string> marker = OptString(in, "Marker");
  if (!marker) return std::size_t{0};
  const protocol::ServiceModel* iam = protocol::Models().Find("iam");
  Result<std::string> position = protocol::DecodePageToken(
      *iam, call.env().page_token_key, *marker, Binding(call, in, binding_members));
  if (!position) return Fail(position.error());
  std::size_t index = 0;
  for (char c : *position) {
    if (c < '0' || c > '9') return Fail(protocol::InvalidPageTokenError(*iam));
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

Result<std::vector<store::Tag>> TagsFromInput(const json::object& in, std::string_view member) {
  std::vector<store::Tag> tags;
  const json::array* list = GetList(in, member);
  if (list == nullptr) return tags;
  for (const json::value& item : *list) {
    if (!item.is_object()) continue;
    store::Tag tag;
    tag.key = std::string(GetString(item.get_object(), "Key"));
    tag.value = std::string(GetString(item.get_object(), "Value"));
    for (const store::Tag& existing : tags) {
      if (EqualsIgnoreCase(existing.key, tag.key)) {
        return Fail(InvalidInput(
            "Duplicate tag keys found. Please note that Tag keys are case insensitive."));
      }
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

json::array TagsToOutput(const std::vector<store::Tag>& tags) {
  json::array out;
  for (const store::Tag& tag : tags) {
    out.push_back(json::object{{"Key", tag.key}, {"Value", tag.value}});
  }
  return out;
}

std::string Time(TimePoint t) { return FormatIso8601(t); }

std::string UrlEncodeDocument(std::string_view document) {
  return boost::urls::encode(document, boost::urls::unreserved_chars);
}

authz::AuthzTarget Target(const CallContext& call, std::vector<std::string> resources) {
  authz::AuthzTarget target;
  target.action = fmt::format("iam:{}", call.operation);
  target.resources = std::move(resources);
  return target;
}

void AddRequestTags(authz::AuthzTarget& target, const std::vector<store::Tag>& tags) {
  if (tags.empty()) return;
  std::vector<std::string> keys;
  for (const store::Tag& tag : tags) {
    target.keys.push_back({"aws:RequestTag/" + tag.key, {tag.value}});
    keys.push_back(tag.key);
  }
  AddTagKeys(target, std::move(keys));
}

Result<json::object> TagsPage(const CallContext& call, const json::object& in,
                              const std::vector<store::Tag>& tags,
                              std::initializer_list<std::string_view> binding_members) {
  Result<std::size_t> start = PageStart(call, in, binding_members);
  if (!start) return Fail(start.error());
  const std::size_t begin = std::min(*start, tags.size());
  const std::size_t end = std::min(tags.size(), begin + static_cast<std::size_t>(MaxItems(in)));
  json::object out;
  out["Tags"] = TagsToOutput(std::vector<store::Tag>(tags.begin() + begin, tags.begin() + end));
  SetPage(call, in, binding_members,
          end < tags.size() ? std::optional<std::string>(std::to_string(end)) : std::nullopt, out);
  return out;
}

void AddTagKeys(authz::AuthzTarget& target, std::vector<std::string> keys) {
  if (keys.empty()) return;
  target.keys.push_back({"aws:TagKeys", std::move(keys)});
  target.multivalued_keys.push_back("aws:TagKeys");
}

TargetFn WithRequestTags(TargetFn base) {
  return [base = std::move(base)](CallContext& call,
                                  const json::object& in) -> Result<authz::AuthzTarget> {
    Result<authz::AuthzTarget> target = base(call, in);
    if (!target) return target;
    Result<std::vector<store::Tag>> tags = TagsFromInput(in);
    if (!tags) return Fail(tags.error());
    AddRequestTags(*target, *tags);
    return target;
  };
}

TargetFn WithTagKeys(TargetFn base) {
  return [base = std::move(base)](CallContext& call,
                                  const json::object& in) -> Result<authz::AuthzTarget> {
    Result<authz::AuthzTarget> target = base(call, in);
    if (!target) return target;
    AddTagKeys(*target, GetStringList(in, "TagKeys"));
    return target;
  };
}

void AddResourceTags(authz::AuthzTarget& target, const std::vector<store::Tag>& tags) {
  for (const store::Tag& tag : tags) {
    target.keys.push_back({"aws:ResourceTag/" + tag.key, {tag.value}});
  }
}

Result<void> AddResourceTagsOf(authz::AuthzTarget& target, const CallContext& call,
                               const store::TagRef& ref) {
  return call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
    Result<std::vector<store::Tag>> tags = tx.Tags().List(ref);
    if (!tags) {
      if (store::IsNotFound(tags.error())) return Ok();
      return Fail(FromStore(tags.error()));
    }
    AddResourceTags(target, *tags);
    return Ok();
  });
}

}  // namespace rampart::services::iam
