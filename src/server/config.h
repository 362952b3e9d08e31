// Server settings. Each setting is looked up, in order, in the command-line flags, then
// `rampart.toml` (the file named by --config, else DATA/rampart.toml if it exists), then
// the environment variable RAMPART_<NAME> (upper case), then its built-in default.
// Value type; the loaded Config is immutable and shared read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"

namespace rampart::server {

struct Config {
  std::filesystem::path data_dir = "rampart-data";
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned io_threads = 0;      // 0: one per core
  unsigned worker_threads = 0;  // 0: two per core
  std::uint64_t max_body_bytes = 1024 * 1024;
  std::uint64_t max_header_bytes = 16 * 1024;
  std::uint64_t request_timeout_ms = 10'000;  // whole request read deadline
  std::uint64_t idle_timeout_ms = 60'000;     // keep-alive idle limit
  std::uint64_t drain_timeout_ms = 30'000;    // SIGTERM drain deadline
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string log_level = "info";
  bool access_log = true;
  std::uint64_t argon2_opslimit = 0;  // 0: libsodium's INTERACTIVE
  std::uint64_t argon2_memlimit = 0;
  // Append an encoded, sealed explanation to authorization denials (off: AWS's exact texts).
  bool encode_authorization_messages = false;
  // Audit trail (issue 6).
  std::uint64_t audit_delivery_interval_s = 300;  // log files at least this often
  std::uint64_t audit_digest_interval_s = 3600;   // digest files (CloudTrail: hourly)
  std::uint64_t audit_retention_days = 90;        // LookupEvents window; older events pruned
  std::string audit_bucket = "rampart-audit";     // digestS3Bucket / s3Bucket in digests
  std::string audit_webhook_urls;                 // comma-separated http:// URLs for alerts
  std::string audit_webhook_secret;               // HMAC-SHA256 key of X-Rampart-Signature
  std::uint64_t audit_webhook_retry_base_ms = 1000;     // first retry delay, doubled each time
  std::uint64_t audit_webhook_retry_max_ms = 3'600'000;  // retry delay ceiling
  std::uint64_t audit_webhook_interval_ms = 1000;        // how often due alerts are sent
  std::string audit_rules_file;    // JSON alert rules added to (or replacing) the built-ins
  bool audit_builtin_rules = true;  // the built-in rules (root activity, ...) are on
};

// `flags` holds settings given on the command line by name ("listen", "data", ...).
// `getenv` is injectable for tests. Fails with "InvalidConfiguration" naming the setting
// and the source of a bad value, or an unknown key in the TOML file.
Result<Config> LoadConfig(const std::map<std::string, std::string>& flags,
                          const std::optional<std::filesystem::path>& config_file,
                          const char* (*getenv_fn)(const char*));

// Splits "HOST:PORT", "[v6]:PORT" into host and port.
Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view text);

}  // namespace rampart::server
