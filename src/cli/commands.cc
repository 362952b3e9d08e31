#include "cli/commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <optional>
#include <filesystem>
#include <fmt/format.h>

#include <boost/json.hpp>

#include "audit/audit.h"
#include "auth/master_key.h"
#include "policy/catalog.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "policy/simulate.h"
#include "server/app.h"
#include "store/store.h"

namespace rampart::cli {

const char* Version() { return "0.1.0"; }

int Serve(const server::Config& config) { return server::RunServer(config); }

int DevInit(const DevInitArgs& args) {
  server::DevInitOptions options;
  options.data_dir = args.data_dir;
  options.account_id = args.account_id;
  options.email = args.email;
  options.root_access_key = args.root_access_key;
  Result<boost::json::object> result = server::DevInit(options);
  if (!result) {
    std::fprintf(stderr, "rampart dev-init: %s\n", result.error().message.c_str());
    return 1;
  }
  if (args.json) {
    std::cout << boost::json::serialize(*result) << "\n";
  } else {
    for (const auto& [key, value] : *result) {
      std::cout << key << ": " << (value.is_string() ? std::string(value.as_string()) : "")
                << "\n";
    }
  }
  return 0;
}

int PolicySimulate(const std::string& input) {
  std::ios::sync_with_stdio(false);
  if (input == "-") return policy::RunSimulate(std::cin, std::cout);
  std::ifstream file(input);
  if (!file) {
    std::fprintf(stderr, "rampart policy simulate: cannot open `%s`\n", input.c_str());
    return 2;
  }
  return policy::RunSimulate(file, std::cout);
}

int PolicyValidate(const std::string& path, const std::string& type_name) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "rampart policy validate: cannot open `%s`\n", path.c_str());
      return 2;
    }
    text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  Result<policy::PolicyType> type = policy::ParsePolicyType(type_name);
  if (!type) {
    std::fprintf(stderr, "rampart policy validate: %s\n", type.error().message.c_str());
    return 2;
  }
  static const Result<policy::ServiceCatalog> catalog =
      policy::ServiceCatalog::Parse(policy::EmbeddedServiceCatalogJson());
  if (!catalog) {
    std::fprintf(stderr, "rampart policy validate: %s\n", catalog.error().message.c_str());
    return 2;
  }
  return policy::RunValidate(text, *type, *catalog, std::cout);
}

namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The trail's own public key, opened with the master key, when the master key is available
// (without creating one).
std::optional<std::string> TrailPublicKey(const fs::path& data_dir) {
  const char* env = std::getenv("RAMPART_MASTER_KEY");
  if ((env == nullptr || *env == '\0') && !fs::exists(data_dir / "master.key")) return std::nullopt;
  Result<std::string> master = auth::LoadOrCreateMasterKey(data_dir, env);
  if (!master) return std::nullopt;
  auto key = audit::SigningKey::Load(data_dir / "audit", *master);
  if (!key) return std::nullopt;
  return (*key)->public_key_pem();
}

}  // namespace

int AuditVerify(const AuditVerifyArgs& args) {
  audit::VerifyOptions options;
  const fs::path data_dir = args.data_dir;
  options.audit_dir = data_dir / "audit";
  options.account_id = args.account_id;
  for (const auto& [text, target] : {std::pair{&args.start, &options.start},
                                     std::pair{&args.end, &options.end}}) {
    if (text->empty()) continue;
    Result<TimePoint> t = ParseIso8601(*text);
    if (!t) {
      std::fprintf(stderr, "rampart audit verify: `%s` is not an ISO 8601 time\n", text->c_str());
      return 2;
    }
    *target = *t;
  }
  if (!args.public_key_file.empty()) {
    std::optional<std::string> pem = ReadText(args.public_key_file);
    if (!pem) {
      std::fprintf(stderr, "rampart audit verify: cannot read `%s`\n", args.public_key_file.c_str());
      return 2;
    }
    options.public_keys_pem.push_back(*pem);
  } else if (std::optional<std::string> own = TrailPublicKey(data_dir)) {
    options.public_keys_pem.push_back(*own);
  } else {
    std::fprintf(stderr,
                 "rampart audit verify: no master key; trusting the keys in %s/public-keys\n",
                 options.audit_dir.c_str());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options.audit_dir / "public-keys", ec)) {
      if (auto pem = ReadText(entry.path())) options.public_keys_pem.push_back(*pem);
    }
  }
  if (!fs::is_directory(options.audit_dir)) {
    std::fprintf(stderr, "rampart audit verify: no audit trail under `%s`\n",
                 options.audit_dir.c_str());
    return 2;
  }
  Result<audit::VerifyReport> report = audit::VerifyTrail(options);
  if (!report) {
    std::fprintf(stderr, "rampart audit verify: %s\n", report.error().message.c_str());
    return 2;
  }
  int not_covered = 0;
  if (args.json) {
    boost::json::array files;
    for (const audit::VerifiedFile& file : report->files) {
      files.push_back(boost::json::object{{"kind", file.kind},
                                          {"path", file.path},
                                          {"state", audit::FileStateName(file.state)},
                                          {"detail", file.detail}});
    }
    std::cout << boost::json::serialize(boost::json::object{
                     {"files", std::move(files)}, {"findings", report->findings()}})
              << "\n";
  } else {
    for (const audit::VerifiedFile& file : report->files) {
      if (file.state == audit::FileState::kNotYetCovered) ++not_covered;
      std::cout << audit::FileStateName(file.state) << "\t" << file.kind << "\t" << file.path;
      if (!file.detail.empty()) std::cout << "\t(" << file.detail << ")";
      std::cout << "\n";
    }
    std::cout << fmt::format(
        "{} log files valid, {} digest files valid, {} not yet covered, {} findings\n",
        report->log_files_valid, report->digests_valid, not_covered, report->findings());
  }
  return report->findings() == 0 ? 0 : 1;
}

int AuditPublicKey(const std::string& data_dir) {
  if (std::optional<std::string> own = TrailPublicKey(data_dir)) {
    std::cout << *own;
    return 0;
  }
  std::fprintf(stderr, "rampart audit public-key: no signing key under `%s/audit` (start the "
                       "server once) or no master key\n", data_dir.c_str());
  return 1;
}

int AuditAlerts(const std::string& data_dir, int limit, bool json) {
  if (!fs::exists(server::DatabasePath(data_dir))) {
    std::fprintf(stderr, "rampart audit alerts: no database under `%s`\n", data_dir.c_str());
    return 2;
  }
  const char* env = std::getenv("RAMPART_MASTER_KEY");
  Result<std::string> master = auth::LoadOrCreateMasterKey(data_dir, env);
  if (!master) {
    std::fprintf(stderr, "rampart audit alerts: %s\n", master.error().message.c_str());
    return 2;
  }
  auto store = store::OpenSqliteStore(server::DatabasePath(data_dir), *master);
  if (!store) {
    std::fprintf(stderr, "rampart audit alerts: %s\n", store.error().message.c_str());
    return 2;
  }
  std::vector<store::OutboxMessage> messages;
  Result<void> read = (*store)->Read([&](const store::ReadTransaction& tx) -> Result<void> {
    store::ListQuery query;
    query.max_items = std::max(1, std::min(limit, 1000));
    auto page = tx.Outbox().List(audit::kAlertTopic, query);
    if (!page) return Fail(page.error());
    messages = std::move(page->items);
    return Ok();
  });
  if (!read) {
    std::fprintf(stderr, "rampart audit alerts: %s\n", read.error().message.c_str());
    return 2;
  }
  boost::json::array out;
  for (const store::OutboxMessage& message : messages) {
    boost::system::error_code ec;
    boost::json::value payload = boost::json::parse(message.payload, ec);
    std::string url, rule, event_name, event_id, account;
    if (!ec && payload.is_object()) {
      if (auto u = payload.get_object().if_contains("url"); u && u->is_string()) {
        url = std::string(u->get_string());
      }
      if (auto b = payload.get_object().if_contains("body"); b && b->is_string()) {
        boost::json::value body = boost::json::parse(b->get_string(), ec);
        if (!ec && body.is_object()) {
          auto text = [&](std::string_view key) {
            auto v = body.get_object().if_contains(key);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
          };
          rule = text("rule");
          event_name = text("eventName");
          event_id = text("eventID");
          account = text("accountId");
        }
      }
    }
    std::string state;
    if (url.empty()) {
      state = "no webhook configured";
    } else if (message.delivered) {
      state = "delivered " + FormatIso8601(*message.delivered);
    } else if (message.attempts > 0) {
      state = fmt::format("retrying (attempts {}, next {}, last error: {})", message.attempts,
                          FormatIso8601(message.next_attempt), message.last_error);
    } else {
      state = "pending";
    }
    if (json) {
      out.push_back(boost::json::object{{"id", message.id},
                                        {"created", FormatIso8601(message.created)},
                                        {"rule", rule},
                                        {"accountId", account},
                                        {"eventName", event_name},
                                        {"eventID", event_id},
                                        {"url", url},
                                        {"delivered", message.delivered.has_value()},
                                        {"attempts", message.attempts},
                                        {"lastError", message.last_error},
                                        {"state", state}});
    } else {
      std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", message.id,
                               FormatIso8601(message.created), rule, account, event_name,
                               url.empty() ? "-" : url, state);
    }
  }
  if (json) std::cout << boost::json::serialize(out) << "\n";
  return 0;
}

}  // namespace rampart::cli
