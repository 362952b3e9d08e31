// Policy evaluation benchmarks (targets from issue 3, recorded in docs/benchmarks.md):
//   - a principal with 10 policies x 10 statements with conditions: median <= 1 us/decision;
//   - 1,000 statements: <= 50 us/decision;
//   - decisions per second with 1 and 2 threads sharing one compiled policy set.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "policy/policy.h"

namespace rampart::policy {
namespace {

PolicyPtr Compile(const std::string& text, PolicyType type = PolicyType::kIdentity) {
  CompileOptions options;
  options.enforce_size_quota = false;
  Result<PolicyPtr> compiled = CompilePolicy(text, type, options);
  if (!compiled) {
    fmt::print(stderr, "bench policy does not compile: {}\n", compiled.error().message);
    std::abort();
  }
  return *compiled;
}

constexpr const char* kServices[] = {"s3", "ec2", "lambda", "dynamodb", "sqs"};

// Statement `idx` of policy `policy_idx`: services rotate, every statement has conditions,
// resources have wildcards, one statement in ten is a Deny that does not match the request.
std::string MakeStatement(int policy_idx, int idx, bool all_s3) {
  std::string service = all_s3 ? "s3" : kServices[(policy_idx + idx) % 5];
  std::string effect = idx % 10 == 9 ? "Deny" : "Allow";
  std::string resource = service == "s3" ? fmt::format("arn:aws:s3:::bucket-{}-{}/*", policy_idx, idx)
                                         : fmt::format("arn:aws:{}:*:111122223333:thing/{}-*", service, idx);
  return fmt::format(
      R"({{"Sid":"S{}x{}","Effect":"{}","Action":["{}:Get*","{}:List*","{}:Describe{}"],"Resource":["{}"],)"
      R"("Condition":{{"StringEquals":{{"aws:PrincipalTag/team":["team-{}","ops"]}},)"
      R"("IpAddress":{{"aws:SourceIp":["10.0.0.0/8","192.168.{}.0/24"]}},"Bool":{{"aws:SecureTransport":"true"}}}}}})",
      policy_idx, idx, effect, service, service, service, idx, resource, idx, idx % 250);
}

std::vector<PolicyPtr> MakePolicies(int policies, int statements, bool all_s3) {
  std::vector<PolicyPtr> out;
  for (int p = 0; p < policies; ++p) {
    std::string body;
    for (int s = 0; s < statements; ++s) {
      if (s) body += ',';
      body += MakeStatement(p, s, all_s3);
    }
    out.push_back(Compile(R"({"Version":"2012-10-17","Statement":[)" + body + "]}"));
  }
  return out;
}

RequestContext MakeRequest(const std::string& resource) {
  RequestContext request;
  Principal principal;
  principal.type = PrincipalType::kIamUser;
  principal.arn = "arn:aws:iam::111122223333:user/alice";
  principal.account_id = "111122223333";
  request.set_principal(principal);
  request.set_action("s3:GetObject");
  request.set_resource(resource);
  request.set_resource_account(std::string("111122223333"));
  request.SetKey("aws:PrincipalTag/team", "ops");
  request.SetKey("aws:SourceIp", "10.20.30.40");
  request.SetKey("aws:SecureTransport", "true");
  request.SetKey("aws:username", "alice");
  return request;
}

struct Fixture {
  PrincipalPolicies principal;
  ResourcePolicies resource;
  RequestContext request;
};

const Fixture& TenByTen() {
  static const Fixture fixture = [] {
    Fixture f;
    f.principal.identity = MakePolicies(10, 10, false);
    // The last s3 statement of the last policy grants the request.
    f.request = MakeRequest("arn:aws:s3:::bucket-9-6/reports/q1.csv");
    return f;
  }();
  return fixture;
}

const Fixture& Thousand() {
  static const Fixture fixture = [] {
    Fixture f;
    f.principal.identity = MakePolicies(10, 100, true);  // 1,000 s3 statements: all candidates
    f.request = MakeRequest("arn:aws:s3:::bucket-9-98/reports/q1.csv");
    return f;
  }();
  return fixture;
}

void RunDecisions(benchmark::State& state, const Fixture& fixture, bool expect_allowed) {
  for (auto _ : state) {
    Decision decision = Evaluate(fixture.principal, fixture.resource, fixture.request);
    benchmark::DoNotOptimize(decision);
    if (decision.allowed() != expect_allowed) {
      state.SkipWithError("unexpected decision");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Evaluate_10Policies_x_10Statements(benchmark::State& state) {
  RunDecisions(state, TenByTen(), true);
}
BENCHMARK(BM_Evaluate_10Policies_x_10Statements)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_Evaluate_1000Statements(benchmark::State& state) { RunDecisions(state, Thousand(), true); }
BENCHMARK(BM_Evaluate_1000Statements)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_Evaluate_10x10_ImplicitDeny(benchmark::State& state) {
  static const Fixture fixture = [] {
    Fixture f = TenByTen();
    f.request = MakeRequest("arn:aws:s3:::elsewhere/x");
    return f;
  }();
  RunDecisions(state, fixture, false);
}
BENCHMARK(BM_Evaluate_10x10_ImplicitDeny)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_Evaluate_10x10_WithScpsAndBoundary(benchmark::State& state) {
  static const Fixture fixture = [] {
    Fixture f = TenByTen();
    f.principal.boundary = Compile(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
                                   PolicyType::kBoundary);
    PolicyPtr full = Compile(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})",
                             PolicyType::kScp);
    PolicyPtr deny = Compile(
        R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}})",
        PolicyType::kScp);
    f.principal.scps = {{full}, {full, deny}, {full}};
    f.request.SetKey("aws:RequestedRegion", "eu-west-1");
    return f;
  }();
  RunDecisions(state, fixture, true);
}
BENCHMARK(BM_Evaluate_10x10_WithScpsAndBoundary)->Repetitions(5)->ReportAggregatesOnly(true);

// Many threads evaluating one shared, immutable policy set: decisions/s should scale.
void BM_Evaluate_10x10_Threads(benchmark::State& state) { RunDecisions(state, TenByTen(), true); }
BENCHMARK(BM_Evaluate_10x10_Threads)->Threads(1)->Threads(2)->UseRealTime();

void BM_Compile_10Statements(benchmark::State& state) {
  std::string body;
  for (int s = 0; s < 10; ++s) {
    if (s) body += ',';
    body += MakeStatement(0, s, false);
  }
  std::string text = R"({"Version":"2012-10-17","Statement":[)" + body + "]}";
  for (auto _ : state) {
    Result<PolicyPtr> compiled = CompilePolicy(text, PolicyType::kIdentity);
    benchmark::DoNotOptimize(compiled);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Compile_10Statements);

}  // namespace
}  // namespace rampart::policy

BENCHMARK_MAIN();
