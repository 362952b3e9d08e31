#include "server/config.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

namespace rampart::server {
namespace {

std::map<std::string, std::string>* g_env = nullptr;

const char* FakeGetenv(const char* name) {
  if (g_env == nullptr) return nullptr;
  auto it = g_env->find(name);
  return it == g_env->end() ? nullptr : it->second.c_str();
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    g_env = &env_;
  }
  void TearDown() override {
    g_env = nullptr;
    std::filesystem::remove_all(dir_);
  }
  void WriteToml(const std::string& text) {
    std::ofstream(dir_ / "rampart.toml") << text;
  }
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, DefaultsWithoutAnySource) {
  auto config = LoadConfig({}, std::nullopt, FakeGetenv);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->max_body_bytes, 1024u * 1024u);
}

TEST_F(ConfigTest, FlagThenFileThenEnvironment) {
  WriteToml("listen = \"127.0.0.1:9001\"\nmax_body_bytes = 4096\n");
  env_["RAMPART_LISTEN"] = "127.0.0.1:9002";
  env_["RAMPART_MAX_BODY_BYTES"] = "8192";
  env_["RAMPART_LOG_LEVEL"] = "debug";
  auto config = LoadConfig({{"data", dir_.string()}, {"listen", "127.0.0.1:9000"}},
                           std::nullopt, FakeGetenv);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->listen_port, 9000);         // flag wins
  EXPECT_EQ(config->max_body_bytes, 4096u);     // file beats environment
  EXPECT_EQ(config->log_level, "debug");        // environment beats the default
}

TEST_F(ConfigTest, RejectsUnknownKeysAndBadValues) {
  WriteToml("lisen = \"127.0.0.1:9001\"\n");
  auto typo = LoadConfig({{"data", dir_.string()}}, std::nullopt, FakeGetenv);
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message.find("unknown setting `lisen`"), std::string::npos);

  WriteToml("max_body_bytes = \"lots\"\n");
  auto bad = LoadConfig({{"data", dir_.string()}}, std::nullopt, FakeGetenv);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("max_body_bytes"), std::string::npos);

  WriteToml("listen = [1, 2\n");
  EXPECT_FALSE(LoadConfig({{"data", dir_.string()}}, std::nullopt, FakeGetenv).has_value());

  env_["RAMPART_LOG_LEVEL"] = "chatty";
  std::filesystem::remove(dir_ / "rampart.toml");
  EXPECT_FALSE(LoadConfig({{"data", dir_.string()}}, std::nullopt, FakeGetenv).has_value());
}

TEST(ParseListen, Forms) {
  EXPECT_EQ(ParseListen("127.0.0.1:80")->second, 80);
  EXPECT_EQ(ParseListen("[::1]:8080")->first, "::1");
  EXPECT_FALSE(ParseListen("localhost").has_value());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999").has_value());
  EXPECT_FALSE(ParseListen(":80").has_value());
  EXPECT_FALSE(ParseListen("[::1]80").has_value());
}

}  // namespace
}  // namespace rampart::server
