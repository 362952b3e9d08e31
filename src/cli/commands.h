// The bodies of the `rampart` subcommands. Each returns the process exit status and
// prints its own errors (never a secret) to stderr.
#pragma once

#include <string>

#include "server/config.h"

namespace rampart::cli {

const char* Version();

// `rampart serve`: runs until SIGTERM or SIGINT, drains, returns 0.
int Serve(const server::Config& config);

struct DevInitArgs {
  std::string data_dir = "rampart-data";
  std::string account_id;  // empty: random
  std::string email;       // empty: root@ACCOUNT.rampart.test
  bool root_access_key = false;
  bool json = false;
};
// `rampart dev-init`: DESIGN.md §7.
int DevInit(const DevInitArgs& args);

// `rampart policy simulate --input FILE` / `rampart policy validate FILE --type T`.
int PolicySimulate(const std::string& input);
int PolicyValidate(const std::string& file, const std::string& type);

// `rampart audit verify --data DIR [--account ID] [--start T] [--end T] [--public-key PEM]`:
// checks the log files and digest chains under DATA/audit and prints one line per file
// (valid, modified, deleted, inserted, not yet covered). Trusted key: the trail's own, opened
// with the master key (RAMPART_MASTER_KEY or DATA/master.key), else the PEM given, else the
// keys in DATA/audit/public-keys. Returns 0 when nothing is modified, deleted or inserted, 1
// on any finding, 2 on a usage or read error.
struct AuditVerifyArgs {
  std::string data_dir = "rampart-data";
  std::string account_id;
  std::string start, end;  // ISO 8601
  std::string public_key_file;
  bool json = false;
};
int AuditVerify(const AuditVerifyArgs& args);
// `rampart audit public-key --data DIR`: prints the trail's public key (PEM).
int AuditPublicKey(const std::string& data_dir);
// `rampart audit alerts --data DIR [--limit N] [--json]`: recent alerts, newest first, with
// their delivery state.
int AuditAlerts(const std::string& data_dir, int limit, bool json);

}  // namespace rampart::cli
