// Pieces shared by the IAM identity and credential families (users.cc, groups.cc,
// access_keys.cc, login.cc, mfa.cc): looking users and groups up with IAM's not-found
// messages, their wire shapes, the "UserName or the caller itself" rule, authorization
// targets on users and groups (the resource ARN carries the entity's current path), and
// in-memory pagination of short lists.
//
// Internal to services/iam: other modules include services/iam/iam.h. Every function is
// pure or reads through the CallContext / transaction it is given: thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "services/iam/iam_common.h"
#include "store/store.h"

namespace rampart::services::iam::identity {

// NoSuchEntity (404) "The user with name NAME cannot be found." (recorded AWS wording).
Error NoSuchUser(std::string_view name);
// NoSuchEntity (404) "The group with name NAME cannot be found."
Error NoSuchGroup(std::string_view name);

// The user NAME of `account`, or NoSuchUser / ServiceFailure.
Result<store::UserRow> FindUser(const store::ReadTransaction& tx, std::string_view account,
                                std::string_view name);
Result<store::GroupRow> FindGroup(const store::ReadTransaction& tx, std::string_view account,
                                  std::string_view name);

// The User shape of the model. `tags` (may be null) adds Tags when non-empty;
// `with_boundary` adds PermissionsBoundary when set (GetUser and CreateUser return it,
// ListUsers does not: AWS's list operations return a subset of the attributes).
boost::json::object UserToOutput(const store::UserRow& user, const std::vector<store::Tag>* tags,
                                 bool with_boundary);
// The User shape AWS returns for the account's root user (GetUser called by root,
// ListVirtualMFADevices): UserId = account id, Arn = the root ARN, CreateDate, and
// PasswordLastUsed when known; no UserName or Path. See docs/decisions.md (IAM).
boost::json::object RootUserToOutput(const store::ReadTransaction& tx, std::string_view account);
boost::json::object GroupToOutput(const store::GroupRow& group);

// Whose credentials an operation with an optional UserName acts on.
struct Subject {
  bool root = false;          // the account's root user
  std::string user_name;      // when !root
};
// UserName when given; else the caller itself: root -> the root user, an IAM user -> that
// user. Other callers (role sessions, federated users) must name the user: ValidationError
// "Must specify userName when calling with non-User credentials" (recorded AWS wording).
Result<Subject> SubjectOf(const CallContext& call, const boost::json::object& in);

// Authorization target of an operation on a user: `call.operation` on the user's ARN with
// its current path ("/" when the user does not exist: the handler answers NoSuchEntity after
// authorization), plus aws:ResourceTag/* of the user.
Result<authz::AuthzTarget> UserTarget(CallContext& call, std::string_view user_name);
// As UserTarget for SubjectOf(in): the caller's own ARN when UserName is absent.
Result<authz::AuthzTarget> SubjectTarget(CallContext& call, const boost::json::object& in);
// Operation on a group (ARN with the group's current path).
Result<authz::AuthzTarget> GroupTarget(CallContext& call, std::string_view group_name);

// The ARN a user of `account` named `name` with `path` has.
std::string UserArn(std::string_view account, std::string_view path, std::string_view name);

// Update<Entity> (UpdateUser, UpdateGroup): a rename or a move needs permission on both the
// current and the new ARN (UpdateUser API reference: "the requester must have appropriate
// permissions on both the source object and the target object"). Adds the new ARN of the
// `kind` ("user", "group") entity `name` to `target`, whose first resource is its current
// ARN; the new path and name default to the current ones.
void AddRenamedResource(CallContext& call, std::string_view kind, std::string_view name,
                        const std::optional<std::string>& new_name,
                        const std::optional<std::string>& new_path, authz::AuthzTarget& target);

// In-memory pagination of an already ordered list of `total` items: the slice [begin, end)
// to return for the request's Marker / MaxItems, and SetPage's output members.
struct Slice {
  std::size_t begin = 0;
  std::size_t end = 0;
};
Result<Slice> PageSlice(const CallContext& call, const boost::json::object& in,
                        std::size_t total);
void SetSlicePage(const CallContext& call, const boost::json::object& in, const Slice& slice,
                  std::size_t total, boost::json::object& out);

// Tag<Entity>: adds (or replaces, keys compared case-insensitively) `adding` on `ref` in
// `account`, within the tag quota: the tags already there plus the new keys may not exceed
// `quota`, else LimitExceeded "Cannot exceed quota for <quota_name>: <quota>".
Result<void> PutTagsWithinQuota(store::WriteTransaction& tx, std::string_view account,
                                const store::TagRef& ref, const std::vector<store::Tag>& adding,
                                std::int64_t quota, std::string_view quota_name);

}  // namespace rampart::services::iam::identity
