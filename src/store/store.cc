#include "store/store.h"

#include "common/crypto.h"
#include "store/internal/marker.h"

namespace rampart::store {

std::string_view StoreErrorCode(StoreError error) {
  switch (error) {
    case StoreError::kNotFound:
      return "NotFound";
    case StoreError::kConflict:
      return "Conflict";
    case StoreError::kUnavailable:
      return "Unavailable";
    case StoreError::kInvalidArgument:
      return "InvalidArgument";
  }
  return "Unavailable";
}

Error MakeError(StoreError error, std::string message) {
  return Error(std::string(StoreErrorCode(error)), std::move(message));
}

std::optional<StoreError> ToStoreError(const Error& error) {
  for (StoreError candidate : {StoreError::kNotFound, StoreError::kConflict,
                               StoreError::kUnavailable, StoreError::kInvalidArgument}) {
    if (error.code == StoreErrorCode(candidate)) return candidate;
  }
  return std::nullopt;
}

bool IsNotFound(const Error& error) { return ToStoreError(error) == StoreError::kNotFound; }
bool IsConflict(const Error& error) { return ToStoreError(error) == StoreError::kConflict; }
bool IsUnavailable(const Error& error) { return ToStoreError(error) == StoreError::kUnavailable; }

std::string_view AccountStatusName(AccountStatus status) {
  switch (status) {
    case AccountStatus::kActive:
      return "ACTIVE";
    case AccountStatus::kSuspended:
      return "SUSPENDED";
    case AccountStatus::kPendingClosure:
      return "PENDING_CLOSURE";
    case AccountStatus::kClosed:
      return "CLOSED";
  }
  return "ACTIVE";
}

Result<AccountStatus> ParseAccountStatus(std::string_view text) {
  for (AccountStatus status : {AccountStatus::kActive, AccountStatus::kSuspended,
                               AccountStatus::kPendingClosure, AccountStatus::kClosed}) {
    if (text == AccountStatusName(status)) return status;
  }
  return Fail(MakeError(StoreError::kInvalidArgument,
                        "unknown account status `" + std::string(text) + "`"));
}

std::string_view EntityTypeName(EntityType type) {
  switch (type) {
    case EntityType::kUser:
      return "User";
    case EntityType::kGroup:
      return "Group";
    case EntityType::kRole:
      return "Role";
  }
  return "User";
}

std::string_view AccessKeyStatusName(AccessKeyStatus status) {
  return status == AccessKeyStatus::kActive ? "Active" : "Inactive";
}

namespace internal {

// The "1:" prefix versions the encoding so a later change can tell old markers apart.
std::string EncodeMarker(std::string_view sort_key) {
  return crypto::Base64Encode("1:" + std::string(sort_key));
}

Result<std::string> DecodeMarker(std::string_view marker) {
  if (marker.empty()) return std::string();
  Result<std::string> raw = crypto::Base64Decode(marker);
  if (!raw || raw->size() < 2 || raw->compare(0, 2, "1:") != 0) {
    return Fail(MakeError(StoreError::kInvalidArgument, "invalid marker"));
  }
  return raw->substr(2);
}

}  // namespace internal
}  // namespace rampart::store
