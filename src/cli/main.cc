// The `rampart` command: serve, dev-init, policy simulate/validate.
// CLI11 stays inside this file; everything it calls lives in server/ or policy/.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "server/config.h"

namespace {

// Adds `--name` to `cmd`, recording it in `flags` only when given, so that rampart.toml and
// RAMPART_* can supply what the command line leaves out.
void FlagSetting(CLI::App* cmd, std::map<std::string, std::string>& flags, const std::string& flag,
                 const std::string& key, const std::string& help) {
  cmd->add_option_function<std::string>(
      "--" + flag, [&flags, key](const std::string& value) { flags[key] = value; }, help);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rampart: a self-hosted, AWS-compatible account and identity control plane"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rampart ") + rampart::cli::Version());

  // serve
  std::map<std::string, std::string> serve_flags;
  std::string config_file;
  CLI::App* serve = app.add_subcommand("serve", "serve every service and the console on one port");
  FlagSetting(serve, serve_flags, "data", "data", "data directory (default ./rampart-data)");
  FlagSetting(serve, serve_flags, "listen", "listen", "HOST:PORT to listen on (default 127.0.0.1:8080)");
  FlagSetting(serve, serve_flags, "tls-cert", "tls_cert", "PEM certificate: serve HTTPS");
  FlagSetting(serve, serve_flags, "tls-key", "tls_key", "PEM private key for --tls-cert");
  FlagSetting(serve, serve_flags, "io-threads", "io_threads", "I/O threads (default: one per core)");
  FlagSetting(serve, serve_flags, "worker-threads", "worker_threads", "request worker threads");
  FlagSetting(serve, serve_flags, "max-body-bytes", "max_body_bytes", "request body limit");
  FlagSetting(serve, serve_flags, "log-level", "log_level", "trace|debug|info|warn|error|off");
  serve->add_option("--config", config_file, "settings file (default DATA/rampart.toml)");

  // dev-init
  rampart::cli::DevInitArgs dev;
  CLI::App* dev_init = app.add_subcommand(
      "dev-init", "create an account with a root user and an IAM user `admin` with one key");
  dev_init->add_option("--data", dev.data_dir, "data directory")->default_val("rampart-data");
  dev_init->add_option("--account-id", dev.account_id, "12-digit account id (default: random)");
  dev_init->add_option("--email", dev.email, "root user email (default: root@ACCOUNT.rampart.test)");
  dev_init->add_flag("--root-access-key", dev.root_access_key,
                     "also create an access key for the root user (discouraged)");
  dev_init->add_flag("--json", dev.json, "print one JSON object");

  // policy
  CLI::App* policy = app.add_subcommand("policy", "offline policy tools");
  policy->require_subcommand(1);
  std::string simulate_input;
  CLI::App* simulate = policy->add_subcommand("simulate", "evaluate JSON Lines cases offline");
  simulate->add_option("--input", simulate_input, "JSON Lines file, or - for stdin")->required();
  std::string validate_file;
  std::string validate_type = "identity";
  CLI::App* validate = policy->add_subcommand("validate", "check a policy document");
  validate->add_option("file", validate_file, "policy JSON file, or - for stdin")->required();
  validate->add_option("--type", validate_type, "identity|resource|trust|boundary|scp|rcp")
      ->check(CLI::IsMember({"identity", "resource", "trust", "boundary", "scp", "rcp"}));

  // audit
  CLI::App* audit = app.add_subcommand("audit", "the audit trail: verification, key, alerts");
  audit->require_subcommand(1);
  rampart::cli::AuditVerifyArgs verify_args;
  CLI::App* verify = audit->add_subcommand("verify", "check log files and signed digests");
  verify->add_option("--data", verify_args.data_dir, "data directory")->default_val("rampart-data");
  verify->add_option("--account", verify_args.account_id, "only this account");
  verify->add_option("--start", verify_args.start, "only files from this time (ISO 8601)");
  verify->add_option("--end", verify_args.end, "only files up to this time (ISO 8601)");
  verify->add_option("--public-key", verify_args.public_key_file, "trusted public key (PEM)");
  verify->add_flag("--json", verify_args.json, "print one JSON object");
  std::string key_data = "rampart-data";
  CLI::App* public_key = audit->add_subcommand("public-key", "print the trail's public key");
  public_key->add_option("--data", key_data, "data directory")->default_val("rampart-data");
  std::string alerts_data = "rampart-data";
  int alerts_limit = 100;
  bool alerts_json = false;
  CLI::App* alerts = audit->add_subcommand("alerts", "recent alerts and their delivery state");
  alerts->add_option("--data", alerts_data, "data directory")->default_val("rampart-data");
  alerts->add_option("--limit", alerts_limit, "at most this many (newest first)");
  alerts->add_flag("--json", alerts_json, "print a JSON array");

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) {
    std::optional<std::filesystem::path> file;
    if (!config_file.empty()) file = config_file;
    auto config = rampart::server::LoadConfig(serve_flags, file, +[](const char* name) -> const char* {
      return std::getenv(name);
    });
    if (!config) {
      std::fprintf(stderr, "rampart: %s\n", config.error().message.c_str());
      return 2;
    }
    return rampart::cli::Serve(*config);
  }
  if (dev_init->parsed()) return rampart::cli::DevInit(dev);
  if (simulate->parsed()) return rampart::cli::PolicySimulate(simulate_input);
  if (verify->parsed()) return rampart::cli::AuditVerify(verify_args);
  if (public_key->parsed()) return rampart::cli::AuditPublicKey(key_data);
  if (alerts->parsed()) return rampart::cli::AuditAlerts(alerts_data, alerts_limit, alerts_json);
  if (validate->parsed()) return rampart::cli::PolicyValidate(validate_file, validate_type);
  return 2;
}
