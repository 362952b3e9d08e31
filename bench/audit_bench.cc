// Audit trail benchmarks on real SQLite files (the system temp directory, or
// $RAMPART_BENCH_DIR):
//   BM_CreateUser/recorded:0|1   the iam CreateUser handler through a CallContext, without and
//                                with the audit record as the dispatcher writes it (the
//                                dispatcher's own CallRecording: the complete record appended
//                                in the handler's transaction); 1 and 8 concurrent
//                                writers on one store. Counter p50_us = median latency per call.
//   BM_CreateUserAlternating     the same two, alternating every 250 ms within one run: the
//                                robust ratio on a noisy machine (overhead_pct).
//   BM_CreateUserRequest         a whole CreateUser request, alternating the same way: a
//                                SigV4-signed HttpRequest through the server's Dispatcher
//                                (route, decode, verify, authorize, handler, encode), one
//                                dispatcher without and one with the server's audit Recorder,
//                                on a data directory made by dev-init; the caller is dev-init's
//                                admin. Only the network and HTTP parsing are left out.
//   BM_LookupEvents/<attribute>  the LookupEvents handler (input checks, NextToken, store
//                                query, output tree) for one page of 50 filtered by one
//                                attribute, over 1,000,000 events of one account
//                                ($RAMPART_BENCH_EVENTS overrides the count; the event database
//                                is kept and reused between runs).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "audit/audit.h"
#include "auth/master_key.h"
#include "auth/sigv4/signer.h"
#include "auth/sigv4/verifier.h"
#include "authz/authz.h"
#include "authz/store_policy_source.h"
#include "protocol/protocol.h"
#include "server/app.h"
#include "server/call_recording.h"
#include "server/credential_source.h"
#include "server/dispatcher.h"
#include "services/cloudtrail/cloudtrail.h"
#include "services/iam/iam.h"
#include "services/sts/sts.h"
#include "store/store.h"

namespace rampart {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr char kAcct[] = "111122223333";

fs::path BenchDir() {
  const char* env = std::getenv("RAMPART_BENCH_DIR");
  return fs::path(env != nullptr ? env : fs::temp_directory_path().string()) /
         "rampart-audit-bench";
}

std::unique_ptr<store::Store> Open(const fs::path& file, bool fresh) {
  if (fresh) fs::remove_all(file.parent_path());
  auto store = store::OpenSqliteStore(file, std::string(32, 'k'));
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    std::abort();
  }
  return std::move(*store);
}

void CreateAccount(store::Store& store) {
  Result<void> made = store.Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (tx.Accounts().Get(kAcct)) return Ok();
    store::AccountRow row;
    row.id = kAcct;
    row.name = "bench";
    row.email = "root@bench.test";
    return tx.Accounts().Create(row);
  });
  if (!made) std::abort();
}

Principal Admin() {
  Principal admin;
  admin.type = PrincipalType::kIAMUser;
  admin.account_id = kAcct;
  admin.name = "admin";
  admin.arn = std::string("arn:aws:iam::") + kAcct + ":user/admin";
  admin.principal_id = "AIDAADMINBENCH";
  admin.access_key_id = "AKIAADMINBENCH";
  return admin;
}

// One store, handler registry and recorder shared by every thread of every CreateUser run.
struct WriteFixture {
  std::unique_ptr<store::Store> store;
  SystemClock clock;
  services::Environment env;
  services::HandlerRegistry registry;
  std::unique_ptr<audit::AlertEngine> alerts;
  std::unique_ptr<audit::Recorder> recorder;
  Principal admin = Admin();
  std::atomic<std::int64_t> next_user{0};

  WriteFixture() {
    store = Open(BenchDir() / "writes" / "rampart.db", /*fresh=*/true);
    CreateAccount(*store);
    env.store = store.get();
    env.clock = &clock;
    env.page_token_key = std::string(32, 'p');
    // Tens of thousands of users in one account: lift IAM's 5,000-user quota.
    services::iam::IamOptions iam_options;
    iam_options.quotas.users_per_account = 100'000'000;
    services::iam::RegisterUsers(registry, iam_options);
    alerts = std::make_unique<audit::AlertEngine>(audit::BuiltinAlertRules(),
                                                  std::vector<std::string>{});
    recorder = std::make_unique<audit::Recorder>(*store, *alerts, clock);
  }
};

WriteFixture& Writes() {
  static WriteFixture* fixture = new WriteFixture();
  return *fixture;
}

// What the dispatcher knows of a CreateUser call by `f.admin` (borrows `event_id`, `input`).
audit::ApiCall CreateUserFacts(WriteFixture& f, const std::string& event_id,
                               const json::object& input) {
  static const protocol::ServiceModel* model = protocol::Models().Find("iam");
  static const protocol::Operation* op = model->FindOperation("CreateUser");
  audit::ApiCall facts;
  facts.caller = &f.admin;
  facts.service = "iam";
  facts.operation = "CreateUser";
  facts.region = "us-east-1";
  facts.source_ip = "127.0.0.1";
  facts.user_agent = "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12";
  facts.request_id = event_id;
  facts.event_id = event_id;
  facts.time = f.clock.Now();
  facts.model = model;
  facts.op = op;
  facts.input = &input;
  return facts;
}

// The dispatcher's step 6 for one CreateUser call, with or without the audit record.
bool CreateUserCall(WriteFixture& f, bool recorded) {
  const services::OperationSpec* spec = f.registry.Find("iam", "CreateUser");
  json::object input{{"UserName", "u" + std::to_string(f.next_user++)}};
  services::CallContext call(f.env, f.admin);
  call.service = "iam";
  call.operation = "CreateUser";
  call.region = "us-east-1";
  call.now = f.clock.Now();
  auto report = [](const Result<json::object>& r) {
    if (!r) std::fprintf(stderr, "CreateUser: %s: %s\n", r.error().code.c_str(),
                         r.error().message.c_str());
    return static_cast<bool>(r);
  };
  if (!recorded) return report(spec->handler(call, input));

  const std::string event_id = audit::NewEventId();
  audit::ApiCall facts = CreateUserFacts(f, event_id, input);
  server::CallRecording recording(*f.recorder, facts);
  recording.Attach(call);
  Result<json::object> output = spec->handler(call, input);
  recording.Finish(output);
  return report(output);
}

void BM_CreateUser(benchmark::State& state) {
  WriteFixture& f = Writes();
  const bool recorded = state.range(0) != 0;
  std::vector<double> micros;
  micros.reserve(4096);
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    if (!CreateUserCall(f, recorded)) {
      state.SkipWithError("CreateUser failed");
      break;
    }
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    // Per-thread medians, averaged over the threads.
    state.counters["p50_us"] = benchmark::Counter(micros[micros.size() / 2],
                                                  benchmark::Counter::kAvgThreads);
    state.counters["p99_us"] = benchmark::Counter(micros[micros.size() * 99 / 100],
                                                  benchmark::Counter::kAvgThreads);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateUser)
    ->ArgName("recorded")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(8)
    ->MinTime(3.0)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The CPU the recorded path adds on the calling thread: a CreateUser record built with its
// response, turned into its store row, and matched against the built-in alert rules.
void BM_PrepareRecord(benchmark::State& state) {
  WriteFixture& f = Writes();
  json::object input{{"UserName", "alice"}, {"Path", "/team/"}};
  json::object output{{"User", json::object{{"Path", "/team/"},
                                            {"UserName", "alice"},
                                            {"UserId", "AIDAEXAMPLEEXAMPLE01"},
                                            {"Arn", "arn:aws:iam::111122223333:user/team/alice"},
                                            {"CreateDate", "2026-12-08T00:00:00Z"}}}};
  for (auto _ : state) {
    const std::string event_id = audit::NewEventId();
    audit::ApiCall facts = CreateUserFacts(f, event_id, input);
    server::RecordArena arena;  // as CallRecording builds it
    audit::Recorder::Prepared prepared = f.recorder->Prepare(
        audit::BuildApiCallRecord(facts, audit::Outcome{&output, nullptr}, arena.storage()),
        audit::ResourcesOf(facts, &output));
    benchmark::DoNotOptimize(prepared);
  }
}
BENCHMARK(BM_PrepareRecord)->Unit(benchmark::kMicrosecond);

// Whether calls starting at `start` are recorded: slices of 250 ms of wall time alternate.
bool RecordedSlice(std::chrono::steady_clock::time_point start) {
  return (std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch())
              .count() /
          250) % 2 == 1;
}

// The counters of an alternating run from each side's latencies (0 unrecorded, 1 recorded).
void ReportAlternating(benchmark::State& state, std::vector<double> (&micros)[2]) {
  double p50[2] = {0, 0};
  for (int side = 0; side < 2; ++side) {
    std::sort(micros[side].begin(), micros[side].end());
    if (!micros[side].empty()) p50[side] = micros[side][micros[side].size() / 2];
  }
  state.counters["plain_p50_us"] = benchmark::Counter(p50[0], benchmark::Counter::kAvgThreads);
  state.counters["recorded_p50_us"] =
      benchmark::Counter(p50[1], benchmark::Counter::kAvgThreads);
  state.counters["overhead_pct"] = benchmark::Counter(
      p50[0] > 0 ? 100.0 * (p50[1] / p50[0] - 1.0) : 0.0, benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}

// Recorded and unrecorded calls alternate in slices of 250 ms of wall time (every thread in
// the same slice), so that the shared machine's slow drifts (disk flush latency, other load)
// weigh on both sides alike; the counters are the medians of each side (per-thread medians
// averaged over the threads) and overhead_pct = recorded / unrecorded - 1.
void BM_CreateUserAlternating(benchmark::State& state) {
  WriteFixture& f = Writes();
  std::vector<double> micros[2];
  micros[0].reserve(8192);
  micros[1].reserve(8192);
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    const bool recorded = RecordedSlice(start);
    if (!CreateUserCall(f, recorded)) {
      state.SkipWithError("CreateUser failed");
      break;
    }
    micros[recorded ? 1 : 0].push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  ReportAlternating(state, micros);
}
BENCHMARK(BM_CreateUserAlternating)
    ->Threads(1)
    ->Threads(8)
    ->MinTime(10.0)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The server's pipeline on a dev-init data directory: two dispatchers over one store, one
// without a recorder and one with the server's Recorder, sharing everything else.
struct RequestFixture {
  std::unique_ptr<store::Store> store;
  SystemClock clock;
  std::string access_key_id;
  std::string secret_access_key;
  std::unique_ptr<server::StoreCredentialSource> credentials;
  std::unique_ptr<auth::SigV4Verifier> verifier;
  std::unique_ptr<authz::StorePolicySource> policies;
  std::unique_ptr<authz::Authorizer> authorizer;
  services::Environment env;
  services::HandlerRegistry handlers;
  std::unique_ptr<audit::AlertEngine> alerts;
  std::unique_ptr<audit::Recorder> recorder;
  std::unique_ptr<server::Dispatcher> plain;
  std::unique_ptr<server::Dispatcher> recorded;
  std::atomic<std::int64_t> next_user{0};

  RequestFixture() {
    const fs::path data = BenchDir() / "requests";
    fs::remove_all(data);
    server::DevInitOptions init;
    init.data_dir = data;
    init.account_id = kAcct;
    Result<json::object> made = server::DevInit(init);
    if (!made) {
      std::fprintf(stderr, "dev-init: %s\n", made.error().message.c_str());
      std::abort();
    }
    access_key_id = json::value_to<std::string>(made->at("AccessKeyId"));
    secret_access_key = json::value_to<std::string>(made->at("SecretAccessKey"));
    Result<std::string> key = auth::LoadOrCreateMasterKey(data, std::getenv("RAMPART_MASTER_KEY"));
    if (!key) std::abort();
    auto opened = store::OpenSqliteStore(server::DatabasePath(data), std::move(*key));
    if (!opened) std::abort();
    store = std::move(*opened);
    env.page_token_key = std::string(32, 'p');
    credentials = std::make_unique<server::StoreCredentialSource>(*store, env.page_token_key);
    verifier = std::make_unique<auth::SigV4Verifier>(*credentials, clock);
    policies = std::make_unique<authz::StorePolicySource>(*store);
    authorizer = std::make_unique<authz::Authorizer>(*policies);
    env.store = store.get();
    env.policies = policies.get();
    env.clock = &clock;
    // As server::RegisterServices, with IAM's 5,000-user quota lifted.
    services::iam::IamOptions iam_options;
    iam_options.quotas.users_per_account = 100'000'000;
    services::sts::Register(handlers);
    services::iam::Register(handlers, iam_options);
    services::cloudtrail::Register(handlers);
    alerts = std::make_unique<audit::AlertEngine>(audit::BuiltinAlertRules(),
                                                  std::vector<std::string>{});
    recorder = std::make_unique<audit::Recorder>(*store, *alerts, clock);
    plain = std::make_unique<server::Dispatcher>(protocol::Models(), *verifier, *authorizer,
                                                 handlers, env, nullptr);
    recorded = std::make_unique<server::Dispatcher>(protocol::Models(), *verifier, *authorizer,
                                                    handlers, env, recorder.get());
  }

  // A CreateUser request for a new user name, signed now as the AWS CLI signs it.
  HttpRequest SignedCreateUser() {
    HttpRequest request;
    request.method = "POST";
    request.target = "/";
    request.remote_ip = "127.0.0.1";
    request.body = "Action=CreateUser&Version=2010-05-08&UserName=r" +
                   std::to_string(next_user++);
    request.headers = {
        {"Host", "127.0.0.1:8080"},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12"},
        {"Content-Length", std::to_string(request.body.size())}};
    auth::sigv4::SigningParams params;
    params.access_key_id = access_key_id;
    params.secret_access_key = secret_access_key;
    params.region = "us-east-1";
    params.service = "iam";
    params.time = clock.Now();
    if (!auth::sigv4::SignRequest(request, params)) std::abort();
    return request;
  }
};

RequestFixture& Requests() {
  static RequestFixture* fixture = new RequestFixture();
  return *fixture;
}

// Like BM_CreateUserAlternating, for whole requests; signing is outside the timed part.
void BM_CreateUserRequest(benchmark::State& state) {
  RequestFixture& f = Requests();
  std::vector<double> micros[2];
  micros[0].reserve(8192);
  micros[1].reserve(8192);
  for (auto _ : state) {
    HttpRequest request = f.SignedCreateUser();
    auto start = std::chrono::steady_clock::now();
    const bool recorded = RecordedSlice(start);
    HttpResponse response = (recorded ? f.recorded : f.plain)->Handle(request);
    const double took =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count();
    if (response.status != 200) {
      std::fprintf(stderr, "CreateUser: %d %s\n", response.status, response.body.c_str());
      state.SkipWithError("CreateUser failed");
      break;
    }
    micros[recorded ? 1 : 0].push_back(took);
  }
  ReportAlternating(state, micros);
}
BENCHMARK(BM_CreateUserRequest)
    ->Threads(1)
    ->Threads(8)
    ->MinTime(10.0)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Events spread over 60 days (inside the 90-day window), 1,000 users, 5,000 target users.
std::unique_ptr<store::Store>& Events(TimePoint& newest) {
  static std::unique_ptr<store::Store> store;
  static TimePoint last{};
  if (store) {
    newest = last;
    return store;
  }
  const char* env = std::getenv("RAMPART_BENCH_EVENTS");
  const int events = env != nullptr ? std::atoi(env) : 1000000;
  const fs::path file = BenchDir() / ("events-" + std::to_string(events)) / "rampart.db";
  const bool reuse = fs::exists(file);
  store = Open(file, !reuse);
  CreateAccount(*store);
  const TimePoint base = SystemClock().Now() - std::chrono::hours(24 * 60);
  const auto step = std::chrono::milliseconds(24LL * 60 * 60 * 1000 * 60 / std::max(events, 1));
  if (!reuse) {
    const char* names[] = {"CreateUser", "GetUser", "ListUsers", "AttachUserPolicy",
                           "CreateAccessKey", "AssumeRole", "GetCallerIdentity", "DeleteUser"};
    constexpr int kPerWrite = 20000;
    for (int first = 0; first < events; first += kPerWrite) {
      Result<void> wrote = store->Write([&](store::WriteTransaction& tx) -> Result<void> {
        for (int idx = first; idx < std::min(events, first + kPerWrite); ++idx) {
          store::AuditEventRow row;
          row.event_id = "evt-" + std::to_string(idx);
          row.account_id = kAcct;
          row.event_time = base + step * idx;
          row.event_name = names[idx % 8];
          row.event_source = idx % 8 >= 5 ? "sts.amazonaws.com" : "iam.amazonaws.com";
          row.username = "user-" + std::to_string(idx % 1000);
          row.access_key_id = "AKIA" + std::to_string(idx % 1000);
          row.read_only = idx % 3 == 0;
          row.resources = {{"AWS::IAM::User", "target-" + std::to_string(idx % 5000)}};
          row.record = "{\"eventVersion\":\"1.11\",\"eventID\":\"evt-" + std::to_string(idx) +
                       "\",\"eventName\":\"" + row.event_name +
                       "\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"" +
                       row.username + "\"},\"sourceIPAddress\":\"127.0.0.1\",\"readOnly\":" +
                       (row.read_only ? "true" : "false") + "}";
          auto appended = tx.AuditEvents().Append(row);
          if (!appended) return Fail(appended.error());
        }
        return Ok();
      });
      if (!wrote) {
        std::fprintf(stderr, "generate: %s\n", wrote.error().message.c_str());
        std::abort();
      }
    }
  }
  // Index what is not yet indexed (all of a database generated, or reused from an older
  // schema), as the audit recorder's thread does in batches.
  while (true) {
    std::int64_t indexed = 0;
    Result<void> wrote = store->Write([&](store::WriteTransaction& tx) -> Result<void> {
      Result<std::int64_t> n = tx.AuditEvents().IndexPending(20000);
      if (!n) return Fail(n.error());
      indexed = *n;
      return Ok();
    });
    if (!wrote) {
      std::fprintf(stderr, "index: %s\n", wrote.error().message.c_str());
      std::abort();
    }
    if (indexed == 0) break;
  }
  last = base + step * (events - 1);
  newest = last;
  return store;
}

void BM_LookupEvents(benchmark::State& state) {
  TimePoint newest;
  std::unique_ptr<store::Store>& store = Events(newest);
  SystemClock clock;
  services::Environment env;
  env.store = store.get();
  env.clock = &clock;
  env.page_token_key = std::string(32, 'p');
  Principal admin = Admin();
  static const char* kKeys[] = {"Username", "EventName", "ReadOnly", "ResourceName",
                                "AccessKeyId", "EventSource", "None"};
  const std::string key = kKeys[state.range(0)];
  state.SetLabel(key);
  std::vector<double> micros;
  int round = 0;
  for (auto _ : state) {
    json::object input;
    std::string value;
    if (key == "Username") value = "user-" + std::to_string(round % 1000);
    if (key == "EventName") value = round % 2 ? "CreateUser" : "DeleteUser";
    if (key == "ReadOnly") value = round % 2 ? "true" : "false";
    if (key == "ResourceName") value = "target-" + std::to_string(round % 5000);
    if (key == "AccessKeyId") value = "AKIA" + std::to_string(round % 1000);
    if (key == "EventSource") value = round % 2 ? "iam.amazonaws.com" : "sts.amazonaws.com";
    ++round;
    if (!value.empty()) {
      input["LookupAttributes"] =
          json::array{json::object{{"AttributeKey", key}, {"AttributeValue", value}}};
    }
    input["MaxResults"] = 50;
    services::CallContext call(env, admin);
    call.service = "cloudtrail";
    call.operation = "LookupEvents";
    call.now = newest + std::chrono::seconds(1);
    auto start = std::chrono::steady_clock::now();
    Result<json::object> out = services::cloudtrail::LookupEvents(call, input, {});
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    // ResourceName pages hold 200 events each: 50 is always reachable.
    if (!out || out->at("Events").as_array().size() != 50) {
      state.SkipWithError(out ? "short page" : out.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out->size());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  }
}
BENCHMARK(BM_LookupEvents)->DenseRange(0, 6)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
