// Test fixture for the IAM identity families: a temporary SQLite store with one account and
// its root user, a FakeClock, and a Call() that runs an operation as the dispatcher does
// (target -> authorization -> handler), as root or as an IAM user. Test-only.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "authz/authz.h"
#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/clock.h"
#include "common/ids.h"
#include "services/iam/iam.h"
#include "store/store.h"

namespace rampart::services::iam::testing {

inline constexpr const char* kAccount = "123456789012";

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("rampart-iam-identity-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    policies_ = std::make_unique<authz::StorePolicySource>(*store_);
    env_.store = store_.get();
    env_.policies = policies_.get();
    env_.clock = &clock_;
    env_.page_token_key = std::string(32, 'p');
    Register(registry_, options_);
    ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      store::AccountRow account;
      account.id = kAccount;
      account.name = "test-account";
      account.email = "root@example.com";
      account.created = clock_.Now();
      if (auto made = tx.Accounts().Create(account); !made) return made;
      store::RootUserRow root;
      root.account_id = kAccount;
      root.created = clock_.Now();
      return tx.RootUsers().Create(root);
    }));
    root_.type = PrincipalType::kRoot;
    root_.account_id = kAccount;
    root_.arn = RootArn(kAccount);
    root_.principal_id = kAccount;
    root_.access_key_id = "AKIAROOTROOTROOTROOT";
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The principal of IAM user `name` (which must exist).
  Principal UserPrincipal(const std::string& name) {
    Principal p;
    p.type = PrincipalType::kIAMUser;
    p.account_id = kAccount;
    p.name = name;
    EXPECT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
      auto user = tx.Users().Get(kAccount, name);
      if (!user) return Fail(user.error());
      p.principal_id = user->id;
      p.path = user->path;
      p.arn = IamArn(kAccount, "user", user->path, user->name);
      return rampart::Ok();
    }));
    p.access_key_id = "AKIAUSERUSERUSERUSER";
    return p;
  }

  // Runs `operation` as `caller` (root by default): target, authorization, handler.
  Result<boost::json::object> Call(const std::string& operation, const boost::json::object& in,
                                   const Principal* caller = nullptr) {
    const Principal& who = caller ? *caller : root_;
    const OperationSpec* spec = registry_.Find("iam", operation);
    if (spec == nullptr) return Fail("NotImplemented", operation, 501);
    CallContext call(env_, who);
    call.service = "iam";
    call.operation = operation;
    call.region = "us-east-1";
    call.now = clock_.Now();
    if (spec->requires_authorization) {
      authz::AuthzTarget target;
      if (spec->target) {
        Result<authz::AuthzTarget> computed = spec->target(call, in);
        if (!computed) return Fail(computed.error());
        target = std::move(*computed);
      } else {
        target.action = "iam:" + operation;
        target.resources = {"*"};
      }
      authz::Authorizer authorizer(*policies_);
      authz::RequestFacts facts{.now = call.now, .region = "us-east-1"};
      if (Result<void> allowed = authorizer.Authorize(who, target, facts); !allowed) {
        return Fail(allowed.error());
      }
    }
    return spec->handler(call, in);
  }

  // Runs and expects success.
  boost::json::object Run(const std::string& operation, const boost::json::object& in,
                         const Principal* caller = nullptr) {
    Result<boost::json::object> out = Call(operation, in, caller);
    EXPECT_TRUE(out.has_value()) << operation << ": " << (out ? "" : out.error().code) << " "
                                 << (out ? "" : out.error().message);
    return out ? *out : boost::json::object{};
  }

  // Runs and expects the error `code` (with `status`); returns its message.
  std::string Err(const std::string& operation, const boost::json::object& in,
                  const std::string& code, int status, const Principal* caller = nullptr) {
    Result<boost::json::object> out = Call(operation, in, caller);
    EXPECT_FALSE(out.has_value()) << operation << " unexpectedly succeeded";
    if (out) return "";
    EXPECT_EQ(out.error().code, code) << out.error().message;
    EXPECT_EQ(out.error().http_status, status) << out.error().message;
    return out.error().message;
  }

  // Attaches an inline policy to a user directly through the store.
  void PutUserPolicy(const std::string& user, const std::string& name, const std::string& doc) {
    ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      auto row = tx.Users().Get(kAccount, user);
      if (!row) return Fail(row.error());
      store::InlinePolicyRow policy;
      policy.entity = store::EntityRef::User(row->id);
      policy.name = name;
      policy.document = doc;
      return tx.InlinePolicies().Put(policy);
    }));
  }

  std::filesystem::path dir_;
  FakeClock clock_{TimePoint(std::chrono::milliseconds(1'780'000'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<authz::StorePolicySource> policies_;
  Environment env_;
  HandlerRegistry registry_;
  IamOptions options_;
  Principal root_;
};

}  // namespace rampart::services::iam::testing
