// Shared pieces of the IAM handlers (iam.amazonaws.com, query protocol, API 2010-05-08):
// reading decoded inputs, IAM's error codes and messages, store-error mapping, paths,
// Marker/MaxItems pagination, tags, policy documents on the wire, authorization targets and
// the installation's quotas.
//
// Every function is pure or reads only through the CallContext it is given: thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "authz/authz.h"
#include "common/result.h"
#include "services/service.h"
#include "store/store.h"

namespace rampart::services::iam {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------
// Quotas (AWS's defaults, AWS-BEHAVIOUR.md §2(i)); each can be raised per installation.
struct Quotas {
  std::int64_t users_per_account = 5000;
  std::int64_t groups_per_account = 300;
  std::int64_t roles_per_account = 1000;
  std::int64_t policies_per_account = 1500;
  std::int64_t instance_profiles_per_account = 1000;
  std::int64_t groups_per_user = 10;
  std::int64_t attached_policies_per_user = 10;
  std::int64_t attached_policies_per_group = 10;
  std::int64_t attached_policies_per_role = 10;
  std::int64_t versions_per_policy = 5;
  std::int64_t access_keys_per_user = 2;
  std::int64_t mfa_devices_per_user = 8;
  std::int64_t tags_per_entity = 50;
  std::int64_t roles_per_instance_profile = 1;
  std::int64_t user_policy_size = 2048;   // aggregate inline, white space not counted
  std::int64_t group_policy_size = 5120;
  std::int64_t role_policy_size = 10240;
  std::int64_t policy_size = 6144;        // managed policy document
  std::int64_t assume_role_policy_size = 2048;
  std::int64_t server_certificates_per_account = 20;
  std::int64_t signing_certificates_per_user = 2;
};

// What the IAM registration functions receive from the server.
struct IamOptions {
  Quotas quotas;
};

// ---------------------------------------------------------------------------------------
// Reading a decoded input tree (already validated against the model).

// The member's string value, or `fallback` when absent. Borrows from `in`.
std::string_view GetString(const json::object& in, std::string_view member,
                           std::string_view fallback = {});
std::optional<std::string> OptString(const json::object& in, std::string_view member);
std::optional<std::int64_t> GetInt(const json::object& in, std::string_view member);
std::optional<bool> GetBool(const json::object& in, std::string_view member);
// The member's array, or nullptr when absent.
const json::array* GetList(const json::object& in, std::string_view member);
// A list of strings member (e.g. TagKeys, ActionNames); empty when absent.
std::vector<std::string> GetStringList(const json::object& in, std::string_view member);

// ---------------------------------------------------------------------------------------
// IAM errors (codes and HTTP statuses from the IAM model; messages in AWS's words are
// composed by each handler, see /work/shared/aws/recorded/errors.json).

Error NoSuchEntity(std::string message);             // 404
Error EntityAlreadyExists(std::string message);      // 409
Error DeleteConflict(std::string message);           // 409
Error LimitExceeded(std::string message);            // 409
Error InvalidInput(std::string message);             // 400
Error ValidationError(std::string message);          // 400
Error MalformedPolicyDocument(std::string message);  // 400
Error UnmodifiableEntity(std::string message);       // 400
Error PolicyNotAttachable(std::string message);      // 400
Error ServiceFailure(std::string message);           // 500

// "Cannot exceed quota for <Name>: <N>" (LimitExceeded 409), AWS's quota message form.
Error QuotaExceeded(std::string_view quota_name, std::int64_t quota);

// A store failure that the handler did not anticipate: NotFound / Conflict are passed
// through as the given IAM errors when supplied, anything else becomes ServiceFailure
// (500) without internal detail. Errors that are already AWS errors pass unchanged.
Error FromStore(const Error& error);

// ---------------------------------------------------------------------------------------
// Names, paths, ARNs

// IAM path rules: "/" or "/a/b/", at most 512 characters, printable ASCII without spaces.
// Error: ValidationError "The specified value for path is invalid. It must begin and end
// with / and contain only alphanumeric characters and/or / characters."
Result<void> CheckPath(std::string_view path);
// The caller's account id.
std::string_view Account(const CallContext& call);
// arn:aws:iam::<account>:<kind><path><name>
std::string EntityArn(std::string_view account, std::string_view kind, std::string_view path,
                      std::string_view name);

// ---------------------------------------------------------------------------------------
// Pagination: Marker / MaxItems in, IsTruncated / Marker out. Markers are opaque tokens
// bound to the operation and its filter members (protocol/pagination.h); a token that does
// not verify answers ValidationError "Invalid Marker.".

// The store query for this request. `binding_members` are the input members that shape
// the listing (PathPrefix, Scope, ...). MaxItems defaults to 100.
Result<store::ListQuery> PageQuery(const CallContext& call, const json::object& in,
                                   std::initializer_list<std::string_view> binding_members);
// Sets IsTruncated (always) and Marker (when truncated) in `out`.
void SetPage(const CallContext& call, const json::object& in,
             std::initializer_list<std::string_view> binding_members,
             const std::optional<std::string>& next_position, json::object& out);

// Paginates an in-memory, already ordered list of positions (for lists not served by a
// store page, e.g. AWS managed policies merged with customer ones): the index of the first
// item to return, from the request's Marker.
Result<std::size_t> PageStart(const CallContext& call, const json::object& in,
                              std::initializer_list<std::string_view> binding_members);
std::int64_t MaxItems(const json::object& in);  // MaxItems, default 100

// List<Entity>Tags: the page of `tags` (already in key order) that the request's Marker and
// MaxItems select, as Tags, IsTruncated and Marker (bound to `binding_members`).
Result<json::object> TagsPage(const CallContext& call, const json::object& in,
                              const std::vector<store::Tag>& tags,
                              std::initializer_list<std::string_view> binding_members);

// ---------------------------------------------------------------------------------------
// Tags

// The "Tags" member as store tags. Errors: InvalidInput "Duplicate tag keys found. Please
// note that Tag keys are case insensitive." ; LimitExceeded past the tags quota is checked by
// the caller with the existing count.
Result<std::vector<store::Tag>> TagsFromInput(const json::object& in,
                                              std::string_view member = "Tags");
json::array TagsToOutput(const std::vector<store::Tag>& tags);

// ---------------------------------------------------------------------------------------
// Output helpers

// ISO 8601 as IAM prints it ("2026-11-28T16:25:11Z").
std::string Time(TimePoint t);
// Policy documents are returned URL-encoded (RFC 3986), exactly the text as submitted.
std::string UrlEncodeDocument(std::string_view document);

// ---------------------------------------------------------------------------------------
// Authorization targets

// action "iam:<call.operation>" on `resources`.
authz::AuthzTarget Target(const CallContext& call, std::vector<std::string> resources);
// aws:RequestTag/<key> for each tag and aws:TagKeys (multivalued).
void AddRequestTags(authz::AuthzTarget& target, const std::vector<store::Tag>& tags);
// aws:TagKeys (multivalued) of an Untag<Entity> request; nothing for an empty list.
void AddTagKeys(authz::AuthzTarget& target, std::vector<std::string> keys);
// Tag<Entity>: the target `base` computes, plus aws:RequestTag/* and aws:TagKeys of the
// request's Tags (duplicate keys answer InvalidInput before authorization).
TargetFn WithRequestTags(TargetFn base);
// Untag<Entity>: the target `base` computes, plus aws:TagKeys of the request's TagKeys.
TargetFn WithTagKeys(TargetFn base);
// aws:ResourceTag/<key> for each tag of an existing entity.
void AddResourceTags(authz::AuthzTarget& target, const std::vector<store::Tag>& tags);
// Convenience: reads the tags of `ref` (if it exists) and adds them as aws:ResourceTag/*.
Result<void> AddResourceTagsOf(authz::AuthzTarget& target, const CallContext& call,
                               const store::TagRef& ref);

}  // namespace rampart::services::iam
