#include "store/store.h"

#include <gtest/gtest.h>

#include "store/internal/marker.h"

namespace rampart::store {
namespace {

TEST(StoreError, CodesRoundTrip) {
  for (StoreError error : {StoreError::kNotFound, StoreError::kConflict, StoreError::kUnavailable,
                           StoreError::kInvalidArgument}) {
    Error made = MakeError(error, "m");
    EXPECT_EQ(ToStoreError(made), error);
    EXPECT_EQ(made.message, "m");
  }
  EXPECT_EQ(MakeError(StoreError::kNotFound, "").code, "NotFound");
  EXPECT_EQ(MakeError(StoreError::kConflict, "").code, "Conflict");
  EXPECT_EQ(MakeError(StoreError::kUnavailable, "").code, "Unavailable");
  EXPECT_TRUE(IsNotFound(MakeError(StoreError::kNotFound, "")));
  EXPECT_TRUE(IsConflict(MakeError(StoreError::kConflict, "")));
  EXPECT_TRUE(IsUnavailable(MakeError(StoreError::kUnavailable, "")));
  EXPECT_FALSE(IsNotFound(Error("NoSuchEntity", "")));
  EXPECT_FALSE(ToStoreError(Error("SealedDataInvalid", "")).has_value());
}

TEST(StoreEnums, NamesAndParsing) {
  for (AccountStatus status : {AccountStatus::kActive, AccountStatus::kSuspended,
                               AccountStatus::kPendingClosure, AccountStatus::kClosed}) {
    EXPECT_EQ(ParseAccountStatus(AccountStatusName(status)), status);
  }
  EXPECT_EQ(AccountStatusName(AccountStatus::kPendingClosure), "PENDING_CLOSURE");
  Result<AccountStatus> bad = ParseAccountStatus("active");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "InvalidArgument");
  EXPECT_EQ(EntityTypeName(EntityType::kGroup), "Group");
  EXPECT_EQ(AccessKeyStatusName(AccessKeyStatus::kInactive), "Inactive");
}

TEST(Marker, RoundTripsAndRejectsForgeries) {
  for (const std::string& key :
       {std::string("alice"), std::string(""), std::string("a|b\0c", 5), std::string("Group:x")}) {
    Result<std::string> decoded = internal::DecodeMarker(internal::EncodeMarker(key));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, key);
  }
  EXPECT_EQ(internal::DecodeMarker("").value_or("x"), "");
  for (const char* forged : {"alice", "!!!!", "YWxpY2U=" /* "alice", no version */}) {
    Result<std::string> decoded = internal::DecodeMarker(forged);
    ASSERT_FALSE(decoded.has_value()) << forged;
    EXPECT_EQ(decoded.error().code, "InvalidArgument");
  }
}

}  // namespace
}  // namespace rampart::store
