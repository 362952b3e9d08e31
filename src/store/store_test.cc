#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

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
  for (const std::string& key : {std::string("alice"), std::string(""), std::string("a|b\0c", 5),
                                std::string("Group:x")}) {
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

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-master-key-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST(MasterKey, ParsesHexAndRejectsAnythingElse) {
  const std::string hex(64, 'a');
  Result<std::string> key = ParseMasterKey("  " + hex + "\n");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(*key, std::string(32, '\xaa'));
  EXPECT_TRUE(ParseMasterKey(std::string(64, 'F')).has_value());
  for (const std::string& bad : {std::string(63, 'a'), std::string(66, 'a'), std::string(64, 'g'),
                                 std::string()}) {
    Result<std::string> parsed = ParseMasterKey(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code, "InvalidArgument");
  }
}

TEST_F(MasterKeyTest, CreatesOncePrivatelyAndRereads) {
  std::filesystem::path file = dir_ / "data" / "master.key";
  Result<std::string> first = LoadOrCreateMasterKey(file);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->size(), 32u);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  Result<std::string> again = LoadOrCreateMasterKey(file);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *first);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(file.parent_path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(MasterKeyTest, ConcurrentCreatorsAgreeOnOneKey) {
  std::filesystem::path file = dir_ / "master.key";
  std::vector<std::string> keys(8);
  std::vector<std::thread> threads;
  for (std::size_t thread_idx = 0; thread_idx < keys.size(); ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      Result<std::string> key = LoadOrCreateMasterKey(file);
      if (key) keys[thread_idx] = *key;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& key : keys) {
    EXPECT_EQ(key.size(), 32u);
    EXPECT_EQ(key, keys[0]);
  }
}

TEST_F(MasterKeyTest, RefusesAFileThatHoldsNoKeyAndAnUnwritablePlace) {
  std::filesystem::create_directories(dir_);
  std::filesystem::path file = dir_ / "master.key";
  std::ofstream(file) << "not a key";
  Result<std::string> garbage = LoadOrCreateMasterKey(file);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code, "InvalidArgument");
  Result<std::string> nowhere = LoadOrCreateMasterKey("/dev/null/master.key");
  ASSERT_FALSE(nowhere.has_value());
  EXPECT_EQ(nowhere.error().code, "Unavailable");
}

}  // namespace
}  // namespace rampart::store
