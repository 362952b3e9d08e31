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

}  // namespace rampart::cli
