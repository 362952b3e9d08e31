#include "server/app.h"

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <optional>
#include <mutex>
#include <cstdlib>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "audit/audit.h"
#include "auth/master_key.h"
#include "auth/password.h"
#include "auth/sigv4/verifier.h"
#include "authz/store_policy_source.h"
#include "common/arn.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/strings.h"
#include "net/server.h"
#include "protocol/protocol.h"
#include "server/credential_source.h"
#include "server/dispatcher.h"
#include "server/worker_pool.h"
#include "services/cloudtrail/cloudtrail.h"
#include "services/iam/iam.h"
#include "services/sts/sts.h"
#include "store/store.h"

namespace rampart::server {
namespace {

constexpr const char* kAdministratorAccessArn = "arn:aws:iam::aws:policy/AdministratorAccess";

Result<std::unique_ptr<store::Store>> OpenStore(const std::filesystem::path& data_dir,
                                                std::string* page_token_key = nullptr,
                                                std::string* master_key = nullptr) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Fail("InvalidConfiguration",
                fmt::format("cannot create data directory `{}`: {}", data_dir.string(), ec.message()));
  }
  Result<std::string> key = auth::LoadOrCreateMasterKey(data_dir, std::getenv("RAMPART_MASTER_KEY"));
  if (!key) return Fail(key.error());
  if (page_token_key != nullptr) {
    // Pagination tokens are bound by an HMAC key derived from the master key, so every node
    // of one installation accepts the others' tokens, and they survive a restart.
    crypto::Sha256Digest derived = crypto::HmacSha256(*key, "rampart page tokens v1");
    page_token_key->assign(reinterpret_cast<const char*>(derived.data()), derived.size());
  }
  if (master_key != nullptr) *master_key = *key;
  return store::OpenSqliteStore(DatabasePath(data_dir), std::move(*key));
}

// The alert rules of the configuration: the built-ins (unless turned off) plus those of
// `audit_rules_file`; a rule of the file replaces a built-in of the same name.
Result<std::vector<audit::AlertRule>> AlertRules(const Config& config) {
  std::vector<audit::AlertRule> rules;
  if (config.audit_builtin_rules) rules = audit::BuiltinAlertRules();
  if (!config.audit_rules_file.empty()) {
    std::ifstream in(config.audit_rules_file, std::ios::binary);
    if (!in) {
      return Fail("InvalidConfiguration",
                  fmt::format("cannot read audit_rules_file `{}`", config.audit_rules_file));
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<std::vector<audit::AlertRule>> extra = audit::ParseAlertRules(text);
    if (!extra) return Fail(extra.error());
    for (audit::AlertRule& rule : *extra) {
      std::erase_if(rules, [&](const audit::AlertRule& r) { return r.name == rule.name; });
      rules.push_back(std::move(rule));
    }
  }
  return rules;
}

std::vector<std::string> WebhookUrls(const Config& config) {
  std::vector<std::string> urls;
  for (std::string_view url : Split(config.audit_webhook_urls, ',')) {
    url = Trim(url);
    if (!url.empty()) urls.emplace_back(url);
  }
  return urls;
}

// A background loop that runs `tick` every `period` until `stop` is set; wakes at once on
// stop.
class Ticker {
 public:
  Ticker(std::chrono::milliseconds period, std::function<void()> tick)
      : thread_([this, period, tick = std::move(tick)] {
          std::unique_lock lock(mutex_);
          while (!stop_) {
            lock.unlock();
            tick();
            lock.lock();
            wake_.wait_for(lock, period, [this] { return stop_; });
          }
        }) {}
  ~Ticker() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// A random root password that meets AWS's root rules (8-128 characters, three of four
// character classes): 24 characters drawn from all four classes, each class present.
std::string RandomRootPassword() {
  static constexpr std::string_view kClasses[] = {
      "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!@#$%^&*()-_=+"};
  std::string password;
  for (std::string_view chars : kClasses) {
    password.push_back(chars[crypto::RandomBelow(static_cast<std::uint32_t>(chars.size()))]);
  }
  std::string all;
  for (std::string_view chars : kClasses) all.append(chars);
  while (password.size() < 24) {
    password.push_back(all[crypto::RandomBelow(static_cast<std::uint32_t>(all.size()))]);
  }
  // Shuffle so the class order is not fixed (Fisher-Yates over the CSPRNG).
  for (std::size_t i = password.size() - 1; i > 0; --i) {
    std::swap(password[i], password[crypto::RandomBelow(static_cast<std::uint32_t>(i + 1))]);
  }
  return password;
}

void SetUpLogging(const Config& config) {
  auto logger = spdlog::stderr_logger_mt("rampart");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_default_logger(logger);
}

}  // namespace

void RegisterServices(services::HandlerRegistry& handlers) {
  RegisterServices(handlers, services::cloudtrail::CloudTrailOptions{});
}

void RegisterServices(services::HandlerRegistry& handlers,
                      const services::cloudtrail::CloudTrailOptions& cloudtrail) {
  services::sts::Register(handlers);
  services::iam::Register(handlers, services::iam::IamOptions{});
  services::cloudtrail::Register(handlers, cloudtrail);
}

std::filesystem::path DatabasePath(const std::filesystem::path& data_dir) {
  return data_dir / "rampart.db";
}

int RunServer(const Config& config) {
  // Block the shutdown signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  SetUpLogging(config);
  std::string page_token_key;
  std::string master_key;
  auto store = OpenStore(config.data_dir, &page_token_key, &master_key);
  if (!store) {
    spdlog::error("cannot open the store: {}", store.error().message);
    return 1;
  }
  const protocol::ModelRegistry& models = protocol::Models();
  SystemClock clock;
  // Session tokens are sealed under a key derived from the same master-key material.
  StoreCredentialSource credentials(**store, page_token_key);
  auth::SigV4Verifier verifier(credentials, clock);
  authz::StorePolicySource policies(**store);
  authz::Authorizer authorizer(policies);
  services::Environment env{.store = store->get(),
                            .policies = &policies,
                            .clock = &clock,
                            .page_token_key = page_token_key};
  // The audit trail: events, alerts, log files with signed digests, retention.
  auto rules = AlertRules(config);
  if (!rules) {
    spdlog::error("{}", rules.error().message);
    return 1;
  }
  const std::filesystem::path audit_dir = config.data_dir / "audit";
  // An existing trail signing key is loaded now (a damaged one stops the start). A first start
  // generates it on a thread of its own: RSA key generation takes tens to hundreds of
  // milliseconds, and nothing but log-file delivery needs the key, so requests are served
  // meanwhile and the first delivery waits for it.
  using KeyResult = Result<std::shared_ptr<const audit::SigningKey>>;
  std::future<KeyResult> pending_key;
  std::shared_ptr<const audit::SigningKey> signing_key;
  if (KeyResult loaded = audit::SigningKey::Load(audit_dir, master_key)) {
    signing_key = std::move(*loaded);
  } else if (loaded.error().code == "NoSigningKey") {
    pending_key = std::async(std::launch::async, [&audit_dir, &master_key] {
      return audit::SigningKey::LoadOrCreate(audit_dir, master_key);
    });
  } else {
    spdlog::error("cannot load the audit signing key: {}", loaded.error().message);
    return 1;
  }
  audit::AlertEngine alerts(std::move(*rules), WebhookUrls(config));
  audit::Recorder recorder(**store, alerts, clock);
  audit::TrailOptions trail_options;
  trail_options.audit_dir = audit_dir;
  trail_options.bucket = config.audit_bucket;
  trail_options.digest_interval = std::chrono::seconds(config.audit_digest_interval_s);
  std::optional<audit::Trail> trail;  // built once the signing key is there
  audit::WebhookOptions webhook_options;
  webhook_options.secret = config.audit_webhook_secret;
  webhook_options.backoff_base = std::chrono::milliseconds(config.audit_webhook_retry_base_ms);
  webhook_options.backoff_max = std::chrono::milliseconds(config.audit_webhook_retry_max_ms);
  audit::WebhookDeliverer webhooks(**store, webhook_options, clock);
  const auto retention = std::chrono::hours(24 * config.audit_retention_days);
  std::mutex trail_mutex;  // the Trail is driven by one thread at a time
  auto deliver = [&](bool force) {
    std::lock_guard lock(trail_mutex);
    if (!trail) {
      if (!signing_key && pending_key.valid()) {
        KeyResult made = pending_key.get();
        if (!made) {
          spdlog::error("cannot create the audit signing key: {}", made.error().message);
          return;
        }
        signing_key = std::move(*made);
      }
      if (!signing_key) return;
      trail.emplace(**store, &recorder, signing_key, trail_options, clock);
    }
    if (auto delivered = trail->DeliverLogs(); !delivered) {
      spdlog::error("audit: log file delivery failed: {}", delivered.error().message);
    }
    if (auto digests = trail->WriteDigests(force); !digests) {
      spdlog::error("audit: digest delivery failed: {}", digests.error().message);
    }
  };

  services::HandlerRegistry handlers;
  RegisterServices(handlers, services::cloudtrail::CloudTrailOptions{
                                 .flush_events = [&recorder] { recorder.Flush(); },
                                 .retention = retention});
  Dispatcher dispatcher(models, verifier, authorizer, handlers, env, &recorder);
  dispatcher.set_encode_authorization_messages(config.encode_authorization_messages);
  Ticker delivery_ticker(std::chrono::seconds(config.audit_delivery_interval_s),
                         [&] { deliver(false); });
  Ticker retention_ticker(std::chrono::minutes(1), [&] {
    // Small batches, each its own short write, so requests never wait long behind pruning.
    const TimePoint cutoff = clock.Now() - retention;
    for (int batch = 0; batch < 100; ++batch) {
      std::int64_t deleted = 0;
      Result<void> pruned = (*store)->Write([&](store::WriteTransaction& tx) -> Result<void> {
        auto n = tx.AuditEvents().DeleteBefore(cutoff, 500);
        if (!n) return Fail(n.error());
        deleted = *n;
        auto m = tx.Outbox().DeleteDeliveredBefore(cutoff, 500);
        if (!m) return Fail(m.error());
        return Ok();
      });
      if (!pruned || deleted < 500) break;
    }
  });
  Ticker webhook_ticker(std::chrono::milliseconds(config.audit_webhook_interval_ms), [&] {
    if (auto sent = webhooks.DeliverDue(); !sent) {
      spdlog::warn("audit: alert delivery: {}", sent.error().message);
    }
  });

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  WorkerPool workers(config.worker_threads ? config.worker_threads : 2 * cores);

  net::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.io_threads = static_cast<int>(config.io_threads ? config.io_threads : cores);
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  options.tls_cert_file = config.tls_cert_file;
  options.tls_key_file = config.tls_key_file;
  options.clock = &clock;
  if (config.access_log) {
    options.access_logger = spdlog::default_logger();
  } else {
    options.access_logger = spdlog::null_logger_mt("access-null");
  }

  auto handler = [&dispatcher, &workers](HttpRequest request, net::Responder respond) {
    workers.Submit([&dispatcher, request = std::move(request), respond = std::move(respond)]() {
      respond(dispatcher.Handle(request));
    });
  };
  auto formatter = [&models](const Error& error) {
    // Errors of the HTTP layer itself (413, 431, 400 malformed HTTP) in the query shape.
    return protocol::EncodeError(models.Find("sts"), error, ids::NewRequestId());
  };
  auto server = net::Server::Start(options, handler, formatter);
  if (!server) {
    spdlog::error("cannot listen on {}:{}: {}", config.listen_host, config.listen_port,
                  server.error().message);
    return 1;
  }
  const char* scheme = config.tls_cert_file.empty() ? "http" : "https";
  std::string host = config.listen_host.find(':') != std::string::npos
                         ? "[" + config.listen_host + "]"
                         : config.listen_host;
  spdlog::info("rampart listening on {}://{}:{} (data {})", scheme, host, (*server)->port(),
               config.data_dir.string());
  Result<void> any_account = (*store)->Read([](const store::ReadTransaction& tx) -> Result<void> {
    auto count = tx.Accounts().Count();
    if (!count) return Fail(count.error());
    if (*count == 0) return Fail("NoAccount", "");
    return Ok();
  });
  if (!any_account && any_account.error().code == "NoAccount") {
    spdlog::info("no account yet; create the first one with: rampart dev-init --data {} --json",
                 config.data_dir.string());
  }

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, draining", received == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(std::chrono::milliseconds(config.drain_timeout_ms));
  (*server)->Wait();
  // Deliver everything recorded and close the chain with a digest, so that a stopped trail
  // verifies completely.
  delivery_ticker.Stop();
  retention_ticker.Stop();
  webhook_ticker.Stop();
  recorder.Stop();
  deliver(true);
  // A last attempt for the alerts raised just before the stop (recorder.Stop wrote them to
  // the outbox); those that fail stay there for the next start.
  if (auto sent = webhooks.DeliverDueWithin(std::chrono::seconds(5)); !sent) {
    spdlog::warn("audit: alert delivery at shutdown: {}", sent.error().message);
  }
  spdlog::info("stopped");
  return 0;
}

Result<boost::json::object> DevInit(const DevInitOptions& options) {
  std::string account_id = options.account_id.empty() ? ids::NewAccountId() : options.account_id;
  if (!IsAccountId(account_id)) {
    return Fail("InvalidInput", fmt::format("account id `{}` is not 12 digits", account_id));
  }
  std::string email =
      options.email.empty() ? fmt::format("root@{}.rampart.test", account_id) : options.email;
  std::string password = RandomRootPassword();
  if (auto check = auth::CheckRootPassword(password, email); !check) return Fail(check.error());
  auth::PasswordHasher hasher;
  Result<std::string> hash = hasher.Hash(password);
  if (!hash) return Fail(hash.error());

  auto store = OpenStore(options.data_dir);
  if (!store) return Fail(store.error());

  SystemClock clock;
  TimePoint now = clock.Now();
  store::UserRow admin;
  admin.account_id = account_id;
  admin.id = ids::NewUniqueId("AIDA");
  admin.name = "admin";
  admin.path = "/";
  admin.created = now;
  store::AccessKeyRow key;
  key.id = ids::NewUniqueId("AKIA");
  key.account_id = account_id;
  key.user_id = admin.id;
  key.secret_access_key = ids::NewSecretAccessKey();
  key.created = now;
  store::AccessKeyRow root_key;
  if (options.root_access_key) {
    root_key.id = ids::NewUniqueId("AKIA");
    root_key.account_id = account_id;
    root_key.secret_access_key = ids::NewSecretAccessKey();
    root_key.created = now;
  }

  Result<void> written = (*store)->Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (tx.Accounts().Get(account_id)) {
      return Fail("EntityAlreadyExists", fmt::format("account {} already exists", account_id));
    }
    store::AccountRow account;
    account.id = account_id;
    account.name = fmt::format("rampart-{}", account_id);
    account.email = email;
    account.created = now;
    if (auto r = tx.Accounts().Create(account); !r) return r;
    store::RootUserRow root;
    root.account_id = account_id;
    root.email = email;
    root.password_hash = *hash;
    root.created = now;
    root.password_last_changed = now;
    if (auto r = tx.RootUsers().Create(root); !r) return r;
    if (auto r = tx.Users().Create(admin); !r) return r;
    if (auto r = tx.Attachments().Attach(account_id, store::EntityRef::User(admin.id),
                                         kAdministratorAccessArn);
        !r) {
      return r;
    }
    if (auto r = tx.AccessKeys().Create(key); !r) return r;
    if (options.root_access_key) {
      if (auto r = tx.AccessKeys().Create(root_key); !r) return r;
    }
    return Ok();
  });
  if (!written) return Fail(written.error());

  boost::json::object out;
  out["AccountId"] = account_id;
  out["RootEmail"] = email;
  out["RootPassword"] = password;
  out["AdminUserName"] = admin.name;
  out["AdminUserArn"] = IamArn(account_id, "user", "/", admin.name);
  out["AccessKeyId"] = key.id;
  out["SecretAccessKey"] = key.secret_access_key;
  if (options.root_access_key) {
    out["RootAccessKeyId"] = root_key.id;
    out["RootSecretAccessKey"] = root_key.secret_access_key;
  }
  return out;
}

}  // namespace rampart::server
