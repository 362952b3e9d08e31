// SqliteStore: the Store over one SQLite database file.
//
// Writes: one writer connection owned by one writer thread. Write() queues its callback
// and blocks; the writer drains the queue in batches (group commit): BEGIN IMMEDIATE, each
// callback inside its own SAVEPOINT (a failing one rolls back to it alone), one COMMIT --
// one WAL fsync under synchronous=FULL -- for the whole batch, then every caller is
// answered. While a batch commits, new callers queue up for the next one, so the commit
// rate adapts to the load without a timer.
//
// Reads: a pool of query_only connections, each in its own deferred transaction (a WAL
// snapshot), so readers never wait for the writer.
//
// PolicyVersion: a counter in `store_meta`, bumped inside the batch transaction when any
// write of the batch changed principals, credentials or policies, and mirrored in an
// atomic. A poller thread notices commits by other processes through PRAGMA data_version
// and re-reads the counter.

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/transaction.h"
#include "store/store.h"

namespace rampart::store {
namespace {

using sqlite::Connection;
using sqlite::TxContext;

// Set while a Read or Write callback runs on this thread: a nested call would deadlock.
thread_local bool in_store_callback = false;

class CallbackScope {
 public:
  CallbackScope() { in_store_callback = true; }
  ~CallbackScope() { in_store_callback = false; }
};

Error NestedCallError() {
  return MakeError(StoreError::kInvalidArgument,
                   "store Read/Write called from inside a store callback");
}

template <typename Work, typename Tx>
Result<void> RunCallback(const Work& work, Tx& tx) {
  CallbackScope scope;
  try {
    return work(tx);
  } catch (const std::exception& e) {
    return Fail("InternalFailure", std::string("store callback threw: ") + e.what());
  } catch (...) {
    return Fail("InternalFailure", "store callback threw");
  }
}

Result<std::int64_t> ReadPolicyCounter(Connection& connection) {
  Result<sqlite::Statement> stmt =
      connection.Prepare("SELECT value FROM store_meta WHERE key = 'policy_version'");
  if (!stmt) return Fail(stmt.error());
  Result<bool> row = stmt->Step();
  if (!row) return Fail(row.error());
  return *row ? stmt->Int(0) : 0;
}

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& db_file,
                                                   std::string master_key,
                                                   const SqliteOptions& options);
  ~SqliteStore() override;

  Result<void> Write(const WriteWork& work) override;
  Result<void> Read(const ReadWork& work) override;
  std::uint64_t PolicyVersion() const override { return policy_version_.load(); }
  StoreStats Stats() const override;

 private:
  struct Job {
    const WriteWork* work;
    std::promise<Result<void>> done;
    Result<void> result;
  };

  SqliteStore(std::string master_key, SqliteOptions options)
      : master_key_(std::move(master_key)), options_(std::move(options)) {}

  void WriterLoop();
  // Runs jobs[begin, end) in as many transactions as needed and sets each job's result.
  void RunBatch(std::vector<Job*>& jobs, std::size_t begin);
  void PollerLoop();
  void RaisePolicyVersion(std::uint64_t seen);

  std::unique_ptr<Connection> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> reader);

  const std::string master_key_;
  const SqliteOptions options_;
  std::string path_;

  std::unique_ptr<Connection> writer_;  // used by the writer thread only (after Open)
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;  // GUARDED_BY(queue_mutex_)
  bool stopping_ = false;   // GUARDED_BY(queue_mutex_)
  std::thread writer_thread_;

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // GUARDED_BY(readers_mutex_)

  std::unique_ptr<Connection> poller_;  // used by the poller thread only
  std::mutex poller_mutex_;
  std::condition_variable poller_cv_;
  bool poller_stopping_ = false;  // GUARDED_BY(poller_mutex_)
  std::thread poller_thread_;

  std::atomic<std::uint64_t> policy_version_{0};
  std::atomic<std::uint64_t> writes_committed_{0};
  std::atomic<std::uint64_t> writes_failed_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> reads_{0};
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path& db_file,
                                                       std::string master_key,
                                                       const SqliteOptions& options) {
  if (master_key.size() != crypto::kSealKeySize) {
    return Fail(MakeError(StoreError::kInvalidArgument, "master key must be 32 bytes"));
  }
  std::error_code ec;
  if (db_file.has_parent_path()) std::filesystem::create_directories(db_file.parent_path(), ec);
  if (ec) {
    return Fail(MakeError(
        StoreError::kUnavailable,
        "cannot create directory `" + db_file.parent_path().string() + "`: " + ec.message()));
  }
  const bool existed = std::filesystem::exists(db_file, ec);

  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(master_key), options));
  store->path_ = db_file.string();
  Result<std::unique_ptr<Connection>> writer = Connection::Open(
      store->path_, Connection::Mode::kWriter, options.busy_timeout, options.writer_cache_kib);
  if (!writer) return Fail(writer.error());
  store->writer_ = std::move(*writer);
  if (!existed) {
    // The file holds no secret in the clear, but names and policies are nobody else's
    // business. SQLite gives the -wal and -shm files the database file's permissions.
    ::chmod(store->path_.c_str(), S_IRUSR | S_IWUSR);
  }
  if (Result<void> migrated = sqlite::Migrate(*store->writer_, SystemClock().Now()); !migrated) {
    return Fail(migrated.error());
  }
  Result<std::int64_t> version = ReadPolicyCounter(*store->writer_);
  if (!version) return Fail(version.error());
  store->policy_version_.store(static_cast<std::uint64_t>(*version));

  for (int reader_idx = 0; reader_idx < std::max(1, options.reader_connections); ++reader_idx) {
    Result<std::unique_ptr<Connection>> reader = Connection::Open(
        store->path_, Connection::Mode::kReader, options.busy_timeout, options.reader_cache_kib);
    if (!reader) return Fail(reader.error());
    store->idle_readers_.push_back(std::move(*reader));
  }
  Result<std::unique_ptr<Connection>> poller =
      Connection::Open(store->path_, Connection::Mode::kReader, options.busy_timeout, 256);
  if (!poller) return Fail(poller.error());
  store->poller_ = std::move(*poller);

  store->writer_thread_ = std::thread([raw = store.get()] { raw->WriterLoop(); });
  store->poller_thread_ = std::thread([raw = store.get()] { raw->PollerLoop(); });
  return store;
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard<std::mutex> lock(poller_mutex_);
    poller_stopping_ = true;
  }
  poller_cv_.notify_all();
  if (poller_thread_.joinable()) poller_thread_.join();
}

Result<void> SqliteStore::Write(const WriteWork& work) {
  if (in_store_callback) return Fail(NestedCallError());
  Job job{&work, {}, Ok()};
  std::future<Result<void>> done = job.done.get_future();
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) return Fail(MakeError(StoreError::kUnavailable, "store is closing"));
    queue_.push_back(&job);
  }
  queue_cv_.notify_one();
  return done.get();
}

void SqliteStore::WriterLoop() {
  std::vector<Job*> batch;
  while (true) {
    batch.clear();
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued write has been answered
      const std::size_t take =
          std::min(queue_.size(), static_cast<std::size_t>(std::max(1, options_.max_batch)));
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    }
    RunBatch(batch, 0);
    for (Job* job : batch) {
      (job->result ? writes_committed_ : writes_failed_).fetch_add(1);
      job->done.set_value(std::move(job->result));  // `job` may be gone after this
    }
  }
}

void SqliteStore::RunBatch(std::vector<Job*>& jobs, std::size_t begin) {
  auto fail_range = [&](std::size_t from, std::size_t to, const Error& error) {
    for (std::size_t job_idx = from; job_idx < to; ++job_idx) {
      if (jobs[job_idx]->result) jobs[job_idx]->result = Fail(error);
    }
  };
  if (Result<void> begun = writer_->Run("BEGIN IMMEDIATE"); !begun) {
    fail_range(begin, jobs.size(), begun.error());
    return;
  }
  bool policy_changed = false;
  for (std::size_t job_idx = begin; job_idx < jobs.size(); ++job_idx) {
    Job& job = *jobs[job_idx];
    if (Result<void> saved = writer_->Run("SAVEPOINT write"); !saved) {
      job.result = Fail(saved.error());
      continue;
    }
    TxContext context{writer_.get(), &master_key_, false};
    std::unique_ptr<WriteTransaction> tx = sqlite::NewTransaction(context);
    job.result = RunCallback(*job.work, *tx);
    tx.reset();
    if (!writer_->in_transaction()) {
      // SQLite abandoned the whole transaction (disk full, I/O error): the writes before
      // this one are lost with it. Fail them, and carry on with the rest in a new one.
      Error lost = MakeError(StoreError::kUnavailable, "write transaction aborted by the database");
      if (job.result) job.result = Fail(lost);
      fail_range(begin, job_idx, lost);
      RunBatch(jobs, job_idx + 1);
      return;
    }
    if (job.result) {
      if (Result<void> released = writer_->Run("RELEASE write"); !released) {
        job.result = Fail(released.error());
        (void)writer_->Exec("ROLLBACK TO write; RELEASE write");
      } else if (context.policy_changed) {
        policy_changed = true;
      }
    } else {
      (void)writer_->Exec("ROLLBACK TO write; RELEASE write");
    }
  }

  auto abandon = [&](const Error& error) {
    (void)writer_->Run("ROLLBACK");
    fail_range(begin, jobs.size(), error);
  };
  if (options_.before_commit_for_test) {
    if (Result<void> hook = options_.before_commit_for_test(); !hook) return abandon(hook.error());
  }
  std::uint64_t new_version = 0;
  if (policy_changed) {
    Result<sqlite::Statement> bump =
        writer_->Prepare("UPDATE store_meta SET value = value + 1 WHERE key = 'policy_version'");
    if (!bump) return abandon(bump.error());
    if (Result<std::int64_t> ran = bump->Run(); !ran) return abandon(ran.error());
    Result<std::int64_t> counter = ReadPolicyCounter(*writer_);
    if (!counter) return abandon(counter.error());
    new_version = static_cast<std::uint64_t>(*counter);
  }
  if (Result<void> committed = writer_->Run("COMMIT"); !committed) {
    return abandon(committed.error());
  }
  commits_.fetch_add(1);
  // Visible before any caller of the batch is answered.
  if (policy_changed) RaisePolicyVersion(new_version);
}

void SqliteStore::RaisePolicyVersion(std::uint64_t seen) {
  std::uint64_t current = policy_version_.load();
  while (current < seen && !policy_version_.compare_exchange_weak(current, seen)) {
  }
}

void SqliteStore::PollerLoop() {
  std::int64_t last_data_version = -1;
  std::unique_lock<std::mutex> lock(poller_mutex_);
  while (!poller_stopping_) {
    poller_cv_.wait_for(lock, options_.version_poll_interval, [&] { return poller_stopping_; });
    if (poller_stopping_) break;
    lock.unlock();
    // data_version changes whenever another connection (of any process) commits.
    Result<sqlite::Statement> stmt = poller_->Prepare("PRAGMA data_version");
    std::int64_t data_version = last_data_version;
    if (stmt) {
      if (Result<bool> row = stmt->Step(); row && *row) data_version = stmt->Int(0);
    }
    if (data_version != last_data_version) {
      if (Result<std::int64_t> counter = ReadPolicyCounter(*poller_); counter) {
        RaisePolicyVersion(static_cast<std::uint64_t>(*counter));
        last_data_version = data_version;
      }
    }
    lock.lock();
  }
}

std::unique_ptr<Connection> SqliteStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mutex_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
  std::unique_ptr<Connection> reader = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  return reader;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> reader) {
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    idle_readers_.push_back(std::move(reader));
  }
  readers_cv_.notify_one();
}

Result<void> SqliteStore::Read(const ReadWork& work) {
  if (in_store_callback) return Fail(NestedCallError());
  std::unique_ptr<Connection> reader = AcquireReader();
  reads_.fetch_add(1);
  Result<void> result = reader->Run("BEGIN");
  if (result) {
    TxContext context{reader.get(), &master_key_, false};
    std::unique_ptr<WriteTransaction> tx = sqlite::NewTransaction(context);
    const ReadTransaction& read_only = *tx;
    result = RunCallback(work, read_only);
    tx.reset();
    if (reader->in_transaction()) (void)reader->Run("COMMIT");
  }
  ReleaseReader(std::move(reader));
  return result;
}

StoreStats SqliteStore::Stats() const {
  StoreStats stats;
  stats.writes_committed = writes_committed_.load();
  stats.writes_failed = writes_failed_.load();
  stats.commits = commits_.load();
  stats.reads = reads_.load();
  return stats;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& db_file,
                                               std::string master_key,
                                               const SqliteOptions& options) {
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(db_file, std::move(master_key), options);
  if (!store) return Fail(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

std::int64_t SqliteSchemaVersion() { return sqlite::Migrations().back().version; }

}  // namespace rampart::store
