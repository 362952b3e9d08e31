// The shared repository test suite: every Store backend instantiates it with a factory, so
// SQLite today and PostgreSQL later are held to the same contract (store.h).
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(MySqliteBackend()),
//                            [](const auto& info) { return info.param.name; });
//
// Link store_suite.cc into the backend's test binary (not through a static library: the
// test registrations would be dropped by the linker).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "store/store.h"

namespace rampart::store::testing {

struct SuiteOptions {
  // Runs after the writes of a batch and before the commit; an error must abort the commit.
  std::function<Result<void>()> before_commit_for_test;
};

struct StoreBackend {
  std::string name;
  // A fresh, empty store for one test.
  std::function<Result<std::unique_ptr<Store>>(const SuiteOptions&)> open;
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

class StoreSuite : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override { store_.reset(); }
  // Reopens the store with `options` (the previous one is closed first).
  void Reopen(const SuiteOptions& options);

  // Runs `work` in a write transaction and expects success.
  void MustWrite(const WriteWork& work);
  // Runs a write and returns its result.
  Result<void> TryWrite(const WriteWork& work) { return store_->Write(work); }
  void MustRead(const ReadWork& work);
  // Runs `f` in a read transaction and returns what it returned (or the Read's failure).
  template <typename F>
  auto Get(F f) -> decltype(f(std::declval<const ReadTransaction&>())) {
    using R = decltype(f(std::declval<const ReadTransaction&>()));
    std::optional<R> out;
    Result<void> read = store_->Read([&](const ReadTransaction& tx) -> Result<void> {
      out.emplace(f(tx));
      return Ok();
    });
    if (!read) return Fail(read.error());
    return std::move(*out);
  }
  Result<void> Put(const WriteWork& work) { return store_->Write(work); }
  // Accounts 111122223333 and 444455556666.
  void SeedAccounts();
  void SeedUser(const std::string& id, const std::string& name, const std::string& path = "/",
                const std::string& account = "111122223333");

  std::unique_ptr<Store> store_;
};

}  // namespace rampart::store::testing
