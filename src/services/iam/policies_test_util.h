// Test-only fixture shared by the IAM role and policy family tests (roles_test.cc,
// managed_policies_test.cc): a temporary SQLite store with one account, the root user as the
// caller, and the role and policy families registered. Included by test files only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

namespace fs = std::filesystem;
constexpr char kAccount[] = "111122223333";

// A temporary SQLite store with one account, the root user of that account as the caller,
// and the role and policy families registered.
class PoliciesFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rampart-iam-pol-" + ids::NewUniqueId("T"));
    auto store = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    env_.store = store_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    root_.type = PrincipalType::kRoot;
    root_.account_id = kAccount;
    root_.arn = RootArn(kAccount);
    root_.principal_id = kAccount;
    Register();
    ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::AccountRow account;
      account.id = kAccount;
      account.name = "test";
      account.email = "root@example.com";
      account.created = clock_.Now();
      return tx.Accounts().Create(account);
    }));
  }

  void Register() {
    registry_ = HandlerRegistry();
    RegisterRoles(registry_, options_);
    RegisterInstanceProfiles(registry_, options_);
    RegisterManagedPolicies(registry_, options_);
    RegisterAttachments(registry_, options_);
    RegisterInlinePolicies(registry_, options_);
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  Result<json::object> Call(std::string_view operation, const json::object& in = {}) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    if (spec == nullptr) return Fail("NotImplemented", std::string(operation), 501);
    CallContext call(env_, root_);
    call.service = "iam";
    call.operation = operation;
    call.now = clock_.Now();
    return spec->handler(call, in);
  }

  Result<authz::AuthzTarget> TargetOf(std::string_view operation, const json::object& in) {
    const OperationSpec* spec = registry_.Find("iam", operation);
    if (spec == nullptr || !spec->target) return Fail("NoTarget", std::string(operation), 500);
    CallContext call(env_, root_);
    call.service = "iam";
    call.operation = operation;
    call.now = clock_.Now();
    return spec->target(call, in);
  }

  // The call's error as "Code|status|message", or "ok".
  std::string ErrorOf(std::string_view operation, const json::object& in) {
    Result<json::object> out = Call(operation, in);
    if (out) return "ok";
    return fmt::format("{}|{}|{}", out.error().code, out.error().http_status, out.error().message);
  }

  json::object Ok(std::string_view operation, const json::object& in = {}) {
    Result<json::object> out = Call(operation, in);
    EXPECT_TRUE(out) << operation << ": " << out.error().code << ": " << out.error().message;
    return out ? *out : json::object{};
  }

  store::UserRow AddUser(const std::string& name, const std::string& path = "/") {
    store::UserRow user;
    user.account_id = kAccount;
    user.id = ids::NewUniqueId("AIDA");
    user.name = name;
    user.path = path;
    user.created = clock_.Now();
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) { return tx.Users().Create(user); }));
    return user;
  }

  store::GroupRow AddGroup(const std::string& name) {
    store::GroupRow group;
    group.account_id = kAccount;
    group.id = ids::NewUniqueId("AGPA");
    group.name = name;
    group.created = clock_.Now();
    EXPECT_TRUE(store_->Write([&](store::WriteTransaction& tx) { return tx.Groups().Create(group); }));
    return group;
  }

  static std::string Str(const json::value& value) { return std::string(value.as_string()); }

  fs::path dir_;
  FakeClock clock_{FromEpochSeconds(1'760'000'000)};
  std::unique_ptr<store::Store> store_;
  Environment env_;
  Principal root_;
  IamOptions options_;
  HandlerRegistry registry_;
};

constexpr char kTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
constexpr char kAllowAll[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

}  // namespace
}  // namespace rampart::services::iam
