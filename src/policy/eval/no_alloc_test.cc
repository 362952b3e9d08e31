// Verifies the hot-path contract: Evaluate allocates nothing when details are not collected
// and no policy variable has to be substituted.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <gtest/gtest.h>

#include "policy/policy.h"

// g++ 12 at -O1 and above reports the replacement pair below as mismatched once it inlines
// gtest's `new TestClass`; both sides are malloc/free, so the warning is a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace rampart::policy {
namespace {

TEST(EvaluateAllocation, HotPathAllocatesNothing) {
  std::string statements;
  for (int idx = 0; idx < 10; ++idx) {
    if (idx) statements += ",";
    statements += R"({"Effect":")" + std::string(idx == 9 ? "Deny" : "Allow") +
                  R"(","Action":["s3:Get*","ec2:Describe*"],"Resource":"arn:aws:s3:::bucket-)" +
                  std::to_string(idx) +
                  R"(/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["ops","dev"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericLessThanIfExists":{"s3:max-keys":"100"}}})";
  }
  PrincipalPolicies principal;
  for (int policy_idx = 0; policy_idx < 10; ++policy_idx) {
    Result<PolicyPtr> compiled =
        CompilePolicy(R"({"Version":"2012-10-17","Statement":[)" + statements + "]}", PolicyType::kIdentity);
    ASSERT_TRUE(compiled) << compiled.error().message;
    principal.identity.push_back(*compiled);
  }
  Result<PolicyPtr> scp = CompilePolicy(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})", PolicyType::kScp);
  Result<PolicyPtr> boundary = CompilePolicy(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})", PolicyType::kBoundary);
  ASSERT_TRUE(scp && boundary);
  principal.scps = {{*scp}, {*scp}};
  principal.boundary = *boundary;
  RequestContext request;
  Principal alice;
  alice.type = PrincipalType::kIamUser;
  alice.arn = "arn:aws:iam::111122223333:user/alice";
  alice.account_id = "111122223333";
  request.set_principal(alice);
  request.set_action("s3:GetObject");
  request.set_resource("arn:aws:s3:::bucket-5/some/key");
  request.set_resource_account(std::string("111122223333"));
  request.SetKey("aws:PrincipalTag/team", "ops");
  request.SetKey("aws:SourceIp", "10.1.2.3");
  request.SetKey("aws:CurrentTime", "2026-11-28T12:00:00Z");
  request.SetMultiKey("aws:TagKeys", {"abc", "xyz"});
  ResourcePolicies resource;

  g_allocations = 0;
  g_counting = true;
  Decision allowed = Evaluate(principal, resource, request);
  g_counting = false;  // set_resource may allocate; it is not part of Evaluate
  request.set_resource("arn:aws:s3:::bucket-9/x");
  g_counting = true;
  Decision denied = Evaluate(principal, resource, request);
  g_counting = false;
  EXPECT_TRUE(allowed.allowed());
  EXPECT_EQ(denied.kind, DecisionKind::kExplicitDeny);
  EXPECT_EQ(g_allocations.load(), 0);
}

}  // namespace
}  // namespace rampart::policy
