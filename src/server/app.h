// The composition root: wires configuration, the master key, the store, the models, the
// verifier, the handlers and the HTTP server together, and the dev-init bootstrap.
#pragma once

#include <filesystem>
#include <string>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "server/config.h"
#include "services/cloudtrail/cloudtrail.h"
#include "services/service.h"

namespace rampart::server {

// Runs `rampart serve` until SIGTERM or SIGINT, then drains in-flight requests and
// returns the process exit status (0 after a clean drain).
int RunServer(const Config& config);

struct DevInitOptions {
  std::filesystem::path data_dir;
  std::string account_id;  // "" = random
  std::string email;       // "" = root@ACCOUNT.rampart.test
  bool root_access_key = false;
};

// DESIGN.md §7 dev-init: creates an account, its root user with a random password, an IAM
// user `admin` with AdministratorAccess and one access key (and a root key if asked), in
// one durable transaction; works whether or not a server runs on the same data directory.
// Returns the JSON object to print (it holds secrets: it goes to stdout only).
Result<boost::json::object> DevInit(const DevInitOptions& options);

// Registers every implemented operation of every service.
void RegisterServices(services::HandlerRegistry& handlers);
// Same, with the audit hooks LookupEvents needs (the server passes them).
void RegisterServices(services::HandlerRegistry& handlers,
                      const services::cloudtrail::CloudTrailOptions& cloudtrail);

// The data directory's database file and master key, shared by serve and dev-init.
std::filesystem::path DatabasePath(const std::filesystem::path& data_dir);

}  // namespace rampart::server
