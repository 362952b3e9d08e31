#include "auth/master_key.h"

#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace rampart::auth {
namespace {

namespace fs = std::filesystem;

class MasterKeyTest : public ::testing::Test {
 protected:
  MasterKeyTest() {
    dir_ = fs::temp_directory_path() /
           ("rampart-master-key-" + crypto::HexEncode(crypto::RandomBytes(6)));
  }
  ~MasterKeyTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::perms Mode(const fs::path& path) { return fs::status(path).permissions(); }
  fs::path dir_;
};

TEST_F(MasterKeyTest, CreatesPrivateKeyFileOnceAndReadsItBack) {
  Result<std::string> first = LoadOrCreateMasterKey(dir_ / "data", nullptr);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 32u);
  fs::path file = dir_ / "data" / "master.key";
  EXPECT_EQ(fs::file_size(file), 32u);
  EXPECT_EQ(Mode(file), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(Mode(dir_ / "data"), fs::perms::owner_all);
  Result<std::string> second = LoadOrCreateMasterKey(dir_ / "data", "");
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first);
  // No temporary files left behind.
  std::size_t entries = std::distance(fs::directory_iterator(dir_ / "data"), {});
  EXPECT_EQ(entries, 1u);
}

TEST_F(MasterKeyTest, ConcurrentFirstStartsAgreeOnOneKey) {
  std::vector<std::string> keys(4);
  std::vector<std::thread> threads;
  for (std::size_t idx = 0; idx < keys.size(); ++idx) {
    threads.emplace_back([&, idx] { keys[idx] = *LoadOrCreateMasterKey(dir_, nullptr); });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& key : keys) EXPECT_EQ(key, keys[0]);
}

TEST_F(MasterKeyTest, RefusesGroupOrWorldAccessibleFile) {
  ASSERT_TRUE(LoadOrCreateMasterKey(dir_, nullptr));
  fs::path file = dir_ / "master.key";
  fs::permissions(file, fs::perms::group_read, fs::perm_options::add);
  Result<std::string> key = LoadOrCreateMasterKey(dir_, nullptr);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "InvalidMasterKey");
  EXPECT_NE(key.error().message.find("mode 0640"), std::string::npos);
  EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos);
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read,
                  fs::perm_options::replace);
  EXPECT_FALSE(LoadOrCreateMasterKey(dir_, nullptr));
}

TEST_F(MasterKeyTest, RefusesWrongSizeAndNonRegularFiles) {
  fs::create_directories(dir_);
  {
    std::ofstream out(dir_ / "master.key", std::ios::binary);
    out << "too short";
  }
  fs::permissions(dir_ / "master.key", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  Result<std::string> key = LoadOrCreateMasterKey(dir_, nullptr);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "InvalidMasterKey");
  EXPECT_NE(key.error().message.find("exactly 32 bytes, not 9"), std::string::npos);
  fs::remove(dir_ / "master.key");
  fs::create_directory(dir_ / "master.key");
  fs::permissions(dir_ / "master.key", fs::perms::owner_all, fs::perm_options::replace);
  EXPECT_FALSE(LoadOrCreateMasterKey(dir_, nullptr));
}

TEST_F(MasterKeyTest, RefusesSymlinkedKeyFile) {
  fs::create_directories(dir_);
  ASSERT_TRUE(LoadOrCreateMasterKey(dir_ / "real", nullptr));
  fs::create_symlink(dir_ / "real" / "master.key", dir_ / "master.key");
  Result<std::string> key = LoadOrCreateMasterKey(dir_, nullptr);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "MasterKeyUnavailable");
}

TEST_F(MasterKeyTest, EnvironmentValueWinsAsHexOrBase64) {
  std::string raw = crypto::RandomBytes(32);
  std::string hex = crypto::HexEncode(raw);
  Result<std::string> from_hex = LoadOrCreateMasterKey(dir_, hex.c_str());
  ASSERT_TRUE(from_hex);
  EXPECT_EQ(*from_hex, raw);
  std::string b64 = crypto::Base64Encode(raw);
  EXPECT_EQ(*LoadOrCreateMasterKey(dir_, b64.c_str()), raw);
  EXPECT_FALSE(fs::exists(dir_ / "master.key"));
}

TEST_F(MasterKeyTest, EnvironmentValueMustBeThirtyTwoBytes) {
  for (std::string bad : {std::string("abcd"), crypto::HexEncode(crypto::RandomBytes(31)),
                          crypto::Base64Encode(crypto::RandomBytes(33)), std::string(64, 'z')}) {
    Result<std::string> key = LoadOrCreateMasterKey(dir_, bad.c_str());
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code, "InvalidMasterKey");
    EXPECT_EQ(key.error().message.find(bad), std::string::npos);  // never echoes key material
  }
}

TEST(SecretSealer, SealsAndOpensUnderItsName) {
  Result<SecretSealer> sealer = SecretSealer::Create(crypto::RandomBytes(32));
  ASSERT_TRUE(sealer);
  Result<std::string> sealed = sealer->Seal("access-key-secret:AKIA1", "wJalrXUtnFEMI");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(*sealer->Open("access-key-secret:AKIA1", *sealed), "wJalrXUtnFEMI");
  Result<std::string> moved = sealer->Open("access-key-secret:AKIA2", *sealed);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, "SealedDataInvalid");
  std::string tampered = *sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(sealer->Open("access-key-secret:AKIA1", tampered));
  Result<SecretSealer> other = SecretSealer::Create(crypto::RandomBytes(32));
  EXPECT_FALSE(other->Open("access-key-secret:AKIA1", *sealed));
  SecretSealer copy = *sealer;
  EXPECT_EQ(*copy.Open("access-key-secret:AKIA1", *sealed), "wJalrXUtnFEMI");
}

TEST(SecretSealer, RequiresThirtyTwoByteKey) {
  Result<SecretSealer> sealer = SecretSealer::Create("short");
  ASSERT_FALSE(sealer);
  EXPECT_EQ(sealer.error().code, "InvalidMasterKey");
}

}  // namespace
}  // namespace rampart::auth
