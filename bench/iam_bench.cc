// IAM benchmarks over a real SQLite file (the system temp directory, or $RAMPART_BENCH_DIR):
//   BM_Authorize       authz::Authorizer::Authorize for an IAM user with 3 inline and 3
//                      customer managed policies (one through a group), cache warm: the
//                      authorization cost added to every request.
//   BM_ListUsersPage   the ListUsers handler, one page of 100 out of 100,000 users in one
//                      account (users quota raised), from the start and from a deep Marker.
//   BM_CreateUser      the CreateUser handler with durable commits, from 8, 16 and 32
//                      concurrent callers (the store batches concurrent commits).
// Report medians with --benchmark_repetitions=N --benchmark_report_aggregates_only=true.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/ids.h"
#include "services/iam/iam.h"

namespace rampart::services::iam {
namespace {

constexpr char kAcct[] = "111122223333";

std::filesystem::path BenchDir() {
  const char* env = std::getenv("RAMPART_BENCH_DIR");
  std::filesystem::path base = env != nullptr ? env : std::filesystem::temp_directory_path();
  return base / ("rampart-iam-bench-" + std::to_string(::getpid()));
}

void Check(const Result<void>& done, const char* what) {
  if (!done) {
    std::fprintf(stderr, "%s: %s: %s\n", what, done.error().code.c_str(),
                 done.error().message.c_str());
    std::abort();
  }
}

// One store, environment and handler registry per benchmark family.
struct Fixture {
  explicit Fixture(const std::string& name) : clock(FromEpochSeconds(1'800'000'000)) {
    std::filesystem::path dir = BenchDir() / name;
    std::filesystem::remove_all(dir);
    Result<std::unique_ptr<store::Store>> opened =
        store::OpenSqliteStore(dir / "rampart.db", std::string(32, 'k'));
    if (!opened) std::abort();
    store = std::move(*opened);
    source = std::make_unique<authz::StorePolicySource>(*store);
    env.store = store.get();
    env.policies = source.get();
    env.clock = &clock;
    env.page_token_key = std::string(32, 'p');
    root.type = PrincipalType::kRoot;
    root.account_id = kAcct;
    root.arn = RootArn(kAcct);
    root.principal_id = kAcct;
    options.quotas.users_per_account = 1'000'000;
    Register(registry, options);
    Check(store->Write([](store::WriteTransaction& tx) {
            store::AccountRow account;
            account.id = kAcct;
            account.name = "bench";
            account.email = "bench@example.com";
            return tx.Accounts().Create(account);
          }),
          "account");
  }

  Result<boost::json::object> Call(std::string_view operation, const boost::json::object& in) {
    CallContext call(env, root);
    call.service = "iam";
    call.operation = operation;
    call.now = clock.Now();
    return registry.Find("iam", operation)->handler(call, in);
  }

  FakeClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<authz::StorePolicySource> source;
  Environment env;
  Principal root;
  IamOptions options;
  HandlerRegistry registry;
};

std::string Doc(const std::string& action, const std::string& resource) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[")" + action +
         R"(","s3:List*"],"Resource":")" + resource +
         R"("},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})";
}

void BM_Authorize(benchmark::State& state) {
  static Fixture* fixture = [] {
    auto* f = new Fixture("authorize");
    Check(f->store->Write([](store::WriteTransaction& tx) -> Result<void> {
            store::UserRow user;
            user.account_id = kAcct;
            user.id = "AIDABENCHUSER0000001";
            user.name = "alice";
            if (auto r = tx.Users().Create(user); !r) return r;
            store::GroupRow group;
            group.account_id = kAcct;
            group.id = "AGPABENCHGROUP000001";
            group.name = "devs";
            if (auto r = tx.Groups().Create(group); !r) return r;
            if (auto r = tx.Groups().AddMember(group.id, user.id); !r) return r;
            for (int i = 0; i < 3; ++i) {
              std::string n = std::to_string(i);
              if (auto r = tx.InlinePolicies().Put({store::EntityRef::User(user.id), "inline" + n,
                                                    Doc("sqs:Get" + n + "*", "*")});
                  !r) {
                return r;
              }
              store::ManagedPolicyRow policy;
              policy.account_id = kAcct;
              policy.id = "ANPABENCHPOLICY00000" + n;
              policy.name = "managed" + n;
              std::string resource = i == 2 ? "arn:aws:iam::*:user/${aws:username}" : "*";
              if (auto r = tx.Policies().Create(policy, Doc(i == 2 ? "iam:GetUser" : "ec2:Describe" + n + "*", resource)); !r) return r;
              store::EntityRef entity = i == 0 ? store::EntityRef::Group(group.id) : store::EntityRef::User(user.id);
              if (auto r = tx.Attachments().Attach(kAcct, entity, IamArn(kAcct, "policy", "/", policy.name)); !r) return r;
            }
            return Ok();
          }),
          "setup");
    return f;
  }();
  Principal alice;
  alice.type = PrincipalType::kIAMUser;
  alice.account_id = kAcct;
  alice.arn = IamArn(kAcct, "user", "/", "alice");
  alice.principal_id = "AIDABENCHUSER0000001";
  alice.name = "alice";
  alice.access_key_id = "AKIABENCH";
  authz::Authorizer authorizer(*fixture->source);
  authz::AuthzTarget target;
  target.action = "iam:GetUser";
  target.resources = {alice.arn};
  authz::RequestFacts facts{.now = fixture->clock.Now(), .source_ip = "127.0.0.1",
                            .secure_transport = false, .region = "us-east-1",
                            .user_agent = "aws-cli/2.9"};
  Check(authorizer.Authorize(alice, target, facts), "warm");
  for (auto _ : state) {
    Result<void> allowed = authorizer.Authorize(alice, target, facts);
    if (!allowed) state.SkipWithError("denied");
    benchmark::DoNotOptimize(allowed);
  }
}
BENCHMARK(BM_Authorize);

constexpr int kUsers = 100'000;

Fixture& ListFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture("list-users");
    for (int batch = 0; batch < kUsers / 5000; ++batch) {
      Check(f->store->Write([&](store::WriteTransaction& tx) -> Result<void> {
              for (int i = batch * 5000; i < (batch + 1) * 5000; ++i) {
                char id[32];
                std::snprintf(id, sizeof(id), "AIDA%016d", i);
                store::UserRow user;
                user.account_id = kAcct;
                user.id = id;
                char name[32];
                std::snprintf(name, sizeof(name), "user-%06d", i);
                user.name = name;
                if (auto r = tx.Users().Create(user); !r) return r;
              }
              return Ok();
            }),
            "users");
    }
    return f;
  }();
  return *fixture;
}

void BM_ListUsersPage(benchmark::State& state) {
  Fixture& fixture = ListFixture();
  boost::json::object in{{"MaxItems", 100}};
  if (state.range(0) > 0) {
    // Walk to a deep page once; then time that page.
    boost::json::object walk{{"MaxItems", 1000}};
    for (int page = 0; page < state.range(0); ++page) {
      Result<boost::json::object> out = fixture.Call("ListUsers", walk);
      if (!out) std::abort();
      walk["Marker"] = out->at("Marker");
    }
    in["Marker"] = walk.at("Marker");
  }
  for (auto _ : state) {
    Result<boost::json::object> out = fixture.Call("ListUsers", in);
    if (!out || out->at("Users").as_array().size() != 100) state.SkipWithError("bad page");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_ListUsersPage)->Arg(0)->Arg(50)->Unit(benchmark::kMicrosecond);

void BM_CreateUser(benchmark::State& state) {
  static Fixture* fixture = new Fixture("create-user");
  static std::atomic<std::int64_t> counter{0};
  for (auto _ : state) {
    boost::json::object in{{"UserName", "u" + std::to_string(counter.fetch_add(1))}};
    Result<boost::json::object> out = fixture->Call("CreateUser", in);
    if (!out) state.SkipWithError(out.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateUser)->Threads(8)->Threads(16)->Threads(32)->UseRealTime()->MinTime(3.0);

// The same, counted directly: range(0) threads each create 200 users; creates_per_s is the
// total over the wall time of the whole burst (no reliance on the library's per-thread rates).
void BM_CreateUserBurst(benchmark::State& state) {
  static Fixture* fixture = new Fixture("create-user-burst");
  static std::atomic<std::int64_t> counter{0};
  const int threads = static_cast<int>(state.range(0));
  constexpr int kPerThread = 200;
  double total_seconds = 0;
  std::int64_t total = 0;
  for (auto _ : state) {
    std::atomic<int> failures{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int i = 0; i < kPerThread; ++i) {
          boost::json::object in{{"UserName", "b" + std::to_string(counter.fetch_add(1))}};
          if (!fixture->Call("CreateUser", in)) failures.fetch_add(1);
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    total_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    total += static_cast<std::int64_t>(threads) * kPerThread;
    if (failures.load() > 0) state.SkipWithError("CreateUser failed");
  }
  state.counters["creates_per_s"] = static_cast<double>(total) / total_seconds;
}
BENCHMARK(BM_CreateUserBurst)->Arg(8)->Arg(16)->Arg(32)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rampart::services::iam

BENCHMARK_MAIN();
