// Store benchmarks on a real file (the system temp directory, or $RAMPART_BENCH_DIR):
//   BM_CreateUserDurable  CreateUser-like durable writes (user row + a tag), from 1, 8 and
//                         32 concurrent writers; group commit batches the concurrent ones.
//   BM_ListUsersPage      one ListUsers page of 100 out of 100,000 users in one account,
//                         reported as median and p99 per page.
//   BM_LookupEventsPage   one LookupEvents page of 50 filtered by Username, out of 1,000,000
//                         events in one account ($RAMPART_BENCH_EVENTS overrides the count).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace rampart::store {
namespace {

constexpr char kAcct[] = "111122223333";

std::filesystem::path BenchDir() {
  const char* env = std::getenv("RAMPART_BENCH_DIR");
  std::filesystem::path base = env != nullptr ? env : std::filesystem::temp_directory_path();
  return base / ("rampart-store-bench-" + std::to_string(::getpid()));
}

std::unique_ptr<Store> OpenFresh(const std::string& name) {
  std::filesystem::path dir = BenchDir() / name;
  std::filesystem::remove_all(dir);
  Result<std::unique_ptr<Store>> store =
      OpenSqliteStore(dir / "rampart.db", std::string(32, 'k'), SqliteOptions{});
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    std::abort();
  }
  Result<void> made = (*store)->Write([](WriteTransaction& tx) {
    AccountRow account;
    account.id = kAcct;
    account.name = "bench";
    account.email = "bench@example.com";
    return tx.Accounts().Create(account);
  });
  if (!made) std::abort();
  return std::move(*store);
}

UserRow NewUser(const std::string& id) {
  UserRow user;
  user.account_id = kAcct;
  user.id = id;
  user.name = "user-" + id;
  user.path = "/bench/";
  return user;
}

std::unique_ptr<Store> write_store;  // shared by the threads of one BM_CreateUserDurable run
std::atomic<std::uint64_t> next_user{0};

void BM_CreateUserDurable(benchmark::State& state) {
  if (state.thread_index() == 0) {
    write_store = OpenFresh("writes-" + std::to_string(state.threads()));
  }
  for (auto _ : state) {
    std::string id = "AIDA" + std::to_string(next_user.fetch_add(1));
    Result<void> result = write_store->Write([&](WriteTransaction& tx) -> Result<void> {
      UserRow user = NewUser(id);
      if (auto r = tx.Users().Create(user); !r) return r;
      return tx.Tags().Put(kAcct, {TaggableType::kUser, id}, {{"team", "bench"}});
    });
    if (!result) state.SkipWithError(result.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    StoreStats stats = write_store->Stats();
    state.counters["writes_per_commit"] =
        stats.commits == 0
            ? 0.0
            : static_cast<double>(stats.writes_committed) / static_cast<double>(stats.commits);
    // The other threads have finished their loops when thread 0 leaves its own.
    write_store.reset();
  }
}
BENCHMARK(BM_CreateUserDurable)->Threads(1)->Threads(8)->Threads(32)->UseRealTime()->MinTime(3.0);

void BM_ListUsersPage(benchmark::State& state) {
  static std::unique_ptr<Store> store = [] {
    std::unique_ptr<Store> fresh = OpenFresh("list");
    constexpr int kUsers = 100000;
    constexpr int kPerWrite = 5000;
    for (int first = 0; first < kUsers; first += kPerWrite) {
      Result<void> wrote = fresh->Write([&](WriteTransaction& tx) -> Result<void> {
        for (int user_idx = first; user_idx < first + kPerWrite; ++user_idx) {
          if (auto r = tx.Users().Create(NewUser("AIDA" + std::to_string(user_idx))); !r) {
            return r;
          }
        }
        return Ok();
      });
      if (!wrote) std::abort();
    }
    return fresh;
  }();
  // Start positions spread over the whole list: the first page, and pages resumed from
  // markers taken every 10,000 users.
  static std::vector<std::string> markers = [] {
    std::vector<std::string> out = {""};
    ListQuery query;
    query.max_items = 1000;
    for (int page_idx = 0; page_idx < 100; ++page_idx) {
      Result<void> read = store->Read([&](const ReadTransaction& tx) -> Result<void> {
        Result<Page<UserRow>> page = tx.Users().List(kAcct, query);
        if (!page) return Fail(page.error());
        query.marker = page->next_marker.value_or("");
        return Ok();
      });
      if (!read || query.marker.empty()) break;
      if (page_idx % 10 == 9) out.push_back(query.marker);
    }
    return out;
  }();
  std::vector<double> micros;
  std::size_t position = 0;
  for (auto _ : state) {
    ListQuery query;
    query.marker = markers[position++ % markers.size()];
    query.max_items = static_cast<int>(state.range(0));
    auto start = std::chrono::steady_clock::now();
    Result<void> read = store->Read([&](const ReadTransaction& tx) -> Result<void> {
      Result<Page<UserRow>> page = tx.Users().List(kAcct, query);
      if (!page) return Fail(page.error());
      benchmark::DoNotOptimize(page->items.data());
      if (page->items.size() != static_cast<std::size_t>(query.max_items)) {
        return Fail("Short", "short page");
      }
      return Ok();
    });
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    if (!read) state.SkipWithError(read.error().message.c_str());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ListUsersPage)->Arg(100)->Unit(benchmark::kMicrosecond);

void BM_LookupEventsPage(benchmark::State& state) {
  static std::unique_ptr<Store> store = [] {
    std::unique_ptr<Store> fresh = OpenFresh("events");
    const char* env = std::getenv("RAMPART_BENCH_EVENTS");
    const int events = env != nullptr ? std::atoi(env) : 1000000;
    constexpr int kPerWrite = 20000;
    const char* names[] = {"CreateUser",      "GetUser",    "ListUsers",         "AttachUserPolicy",
                           "CreateAccessKey", "AssumeRole", "GetCallerIdentity", "DeleteUser"};
    for (int first = 0; first < events; first += kPerWrite) {
      Result<void> wrote = fresh->Write([&](WriteTransaction& tx) -> Result<void> {
        for (int event_idx = first; event_idx < std::min(events, first + kPerWrite); ++event_idx) {
          AuditEventRow row;
          row.event_id = "evt-" + std::to_string(event_idx);
          row.account_id = kAcct;
          row.event_time =
              TimePoint(std::chrono::milliseconds(1'700'000'000'000LL + event_idx * 100LL));
          row.event_name = names[event_idx % 8];
          row.event_source = "iam.amazonaws.com";
          row.username = "user-" + std::to_string(event_idx % 1000);
          row.access_key_id = "AKIA" + std::to_string(event_idx % 1000);
          row.read_only = event_idx % 3 == 0;
          row.resources = {{"AWS::IAM::User", "target-" + std::to_string(event_idx % 5000)}};
          row.record = "{\"eventVersion\":\"1.08\",\"eventID\":\"evt-" + std::to_string(event_idx) +
                       "\",\"eventName\":\"" + row.event_name +
                       "\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"" + row.username +
                       "\"},\"sourceIPAddress\":\"127.0.0.1\",\"readOnly\":false}";
          if (Result<std::int64_t> r = tx.AuditEvents().Append(row); !r) return Fail(r.error());
        }
        // As the audit recorder's thread does after each batch.
        if (Result<std::int64_t> r = tx.AuditEvents().IndexPending(kPerWrite); !r) {
          return Fail(r.error());
        }
        return Ok();
      });
      if (!wrote) std::abort();
    }
    return fresh;
  }();
  std::vector<double> micros;
  int user = 0;
  for (auto _ : state) {
    AuditEventQuery query;
    query.account_id = kAcct;
    query.attribute = AuditAttribute::kUsername;
    query.attribute_value = "user-" + std::to_string(user++ % 1000);
    query.max_results = 50;
    auto start = std::chrono::steady_clock::now();
    Result<void> read = store->Read([&](const ReadTransaction& tx) -> Result<void> {
      Result<Page<AuditEventRow>> page = tx.AuditEvents().Lookup(query);
      if (!page) return Fail(page.error());
      benchmark::DoNotOptimize(page->items.data());
      return page->items.size() == 50 ? Ok() : Fail("Short", "short page");
    });
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    if (!read) state.SkipWithError(read.error().message.c_str());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  }
}
BENCHMARK(BM_LookupEventsPage)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart::store

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(rampart::store::BenchDir());
  return 0;
}
