#include "server/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/strings.h"
#include "net/server.h"

namespace rampart::server {
namespace {

struct Setting {
  const char* name;  // flag / TOML key / env suffix
  std::function<Result<void>(Config&, const std::string&)> apply;
};

Result<std::uint64_t> ParseUnsigned(const std::string& text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Fail("InvalidConfiguration", fmt::format("`{}` is not a non-negative integer", text));
  }
  return value;
}

Result<bool> ParseBool(const std::string& text) {
  std::string lower = AsciiLower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return Fail("InvalidConfiguration", fmt::format("`{}` is not a boolean", text));
}

std::function<Result<void>(Config&, const std::string&)> Unsigned(std::uint64_t Config::*field,
                                                                  std::uint64_t min = 0) {
  return [field, min](Config& config, const std::string& text) -> Result<void> {
    auto value = ParseUnsigned(text);
    if (!value) return Fail(value.error());
    if (*value < min) {
      return Fail("InvalidConfiguration", fmt::format("`{}` is below the minimum {}", text, min));
    }
    config.*field = *value;
    return Ok();
  };
}

std::function<Result<void>(Config&, const std::string&)> Threads(unsigned Config::*field) {
  return [field](Config& config, const std::string& text) -> Result<void> {
    auto value = ParseUnsigned(text);
    if (!value) return Fail(value.error());
    if (*value > 1024) return Fail("InvalidConfiguration", "thread count above 1024");
    config.*field = static_cast<unsigned>(*value);
    return Ok();
  };
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"data", [](Config& c, const std::string& v) -> Result<void> {
         if (v.empty()) return Fail("InvalidConfiguration", "empty data directory");
         c.data_dir = v;
         return Ok();
       }},
      {"listen", [](Config& c, const std::string& v) -> Result<void> {
         auto parsed = ParseListen(v);
         if (!parsed) return Fail(parsed.error());
         c.listen_host = parsed->first;
         c.listen_port = parsed->second;
         return Ok();
       }},
      {"io_threads", Threads(&Config::io_threads)},
      {"worker_threads", Threads(&Config::worker_threads)},
      {"max_body_bytes", Unsigned(&Config::max_body_bytes, 1024)},
      {"max_header_bytes", Unsigned(&Config::max_header_bytes, 1024)},
      {"request_timeout_ms", Unsigned(&Config::request_timeout_ms, 100)},
      {"idle_timeout_ms", Unsigned(&Config::idle_timeout_ms, 100)},
      {"drain_timeout_ms", Unsigned(&Config::drain_timeout_ms, 0)},
      {"tls_cert", [](Config& c, const std::string& v) -> Result<void> {
         c.tls_cert_file = v;
         return Ok();
       }},
      {"tls_key", [](Config& c, const std::string& v) -> Result<void> {
         c.tls_key_file = v;
         return Ok();
       }},
      {"log_level", [](Config& c, const std::string& v) -> Result<void> {
         static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
         for (const char* level : kLevels) {
           if (v == level) {
             c.log_level = v;
             return Ok();
           }
         }
         return Fail("InvalidConfiguration", fmt::format("unknown log level `{}`", v));
       }},
      {"access_log", [](Config& c, const std::string& v) -> Result<void> {
         auto b = ParseBool(v);
         if (!b) return Fail(b.error());
         c.access_log = *b;
         return Ok();
       }},
      {"encode_authorization_messages", [](Config& c, const std::string& v) -> Result<void> {
         auto b = ParseBool(v);
         if (!b) return Fail(b.error());
         c.encode_authorization_messages = *b;
         return Ok();
       }},
      {"argon2_opslimit", Unsigned(&Config::argon2_opslimit)},
      {"argon2_memlimit", Unsigned(&Config::argon2_memlimit)},
      {"audit_delivery_interval_s", Unsigned(&Config::audit_delivery_interval_s, 1)},
      {"audit_digest_interval_s", Unsigned(&Config::audit_digest_interval_s, 1)},
      {"audit_retention_days", Unsigned(&Config::audit_retention_days, 1)},
      {"audit_bucket", [](Config& c, const std::string& v) -> Result<void> {
         if (v.empty()) return Fail("InvalidConfiguration", "empty audit_bucket");
         c.audit_bucket = v;
         return Ok();
       }},
      {"audit_webhook_urls", [](Config& c, const std::string& v) -> Result<void> {
         for (std::string_view url : Split(v, ',')) {
           url = Trim(url);
           if (!url.empty() && !StartsWith(url, "http://")) {
             return Fail("InvalidConfiguration",
                         fmt::format("webhook URL `{}` is not an http:// URL", url));
           }
         }
         c.audit_webhook_urls = v;
         return Ok();
       }},
      {"audit_webhook_secret", [](Config& c, const std::string& v) -> Result<void> {
         c.audit_webhook_secret = v;
         return Ok();
       }},
      {"audit_webhook_retry_base_ms", Unsigned(&Config::audit_webhook_retry_base_ms, 1)},
      {"audit_webhook_retry_max_ms", Unsigned(&Config::audit_webhook_retry_max_ms, 1)},
      {"audit_webhook_interval_ms", Unsigned(&Config::audit_webhook_interval_ms, 10)},
      {"audit_rules_file", [](Config& c, const std::string& v) -> Result<void> {
         c.audit_rules_file = v;
         return Ok();
       }},
      {"audit_builtin_rules", [](Config& c, const std::string& v) -> Result<void> {
         auto b = ParseBool(v);
         if (!b) return Fail(b.error());
         c.audit_builtin_rules = *b;
         return Ok();
       }},
  };
  return kSettings;
}

// Reads the TOML file into name -> text. Nested tables are flattened with '_' is not done:
// the file uses the same flat names as the flags.
Result<std::map<std::string, std::string>> ReadToml(const std::filesystem::path& path) {
  std::map<std::string, std::string> values;
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    std::ostringstream where;
    where << error.source().begin;
    return Fail("InvalidConfiguration",
                fmt::format("{}: {}: {}", path.string(), where.str(), error.description()));
  }
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    bool known = false;
    for (const Setting& setting : Settings()) known = known || name == setting.name;
    if (!known) {
      return Fail("InvalidConfiguration",
                  fmt::format("{}: unknown setting `{}`", path.string(), name));
    }
    if (auto s = node.value<std::string>()) {
      values[name] = *s;
    } else if (auto i = node.value<std::int64_t>()) {
      if (*i < 0) {
        return Fail("InvalidConfiguration",
                    fmt::format("{}: `{}` must not be negative", path.string(), name));
      }
      values[name] = std::to_string(*i);
    } else if (auto b = node.value<bool>()) {
      values[name] = *b ? "true" : "false";
    } else {
      return Fail("InvalidConfiguration",
                  fmt::format("{}: `{}` must be a string, integer or boolean", path.string(), name));
    }
  }
  return values;
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view text) {
  // One parser for listen addresses: the HTTP layer's.
  Result<net::ListenAddress> parsed = net::ParseListenAddress(text);
  if (!parsed) {
    return Fail("InvalidConfiguration",
                fmt::format("bad listen address `{}`: {}", text, parsed.error().message));
  }
  return std::make_pair(parsed->host, parsed->port);
}

Result<Config> LoadConfig(const std::map<std::string, std::string>& flags,
                          const std::optional<std::filesystem::path>& config_file,
                          const char* (*getenv_fn)(const char*)) {
  for (const auto& [name, value] : flags) {
    bool known = false;
    for (const Setting& setting : Settings()) known = known || name == setting.name;
    if (!known) return Fail("InvalidConfiguration", fmt::format("unknown setting `{}`", name));
  }
  // The data directory decides where the default rampart.toml lives, so resolve it first.
  std::string data_dir = "rampart-data";
  if (auto it = flags.find("data"); it != flags.end()) {
    data_dir = it->second;
  } else if (const char* env = getenv_fn("RAMPART_DATA"); env != nullptr && *env != '\0') {
    data_dir = env;
  }
  std::map<std::string, std::string> file_values;
  std::optional<std::filesystem::path> file = config_file;
  if (!file && std::filesystem::exists(std::filesystem::path(data_dir) / "rampart.toml")) {
    file = std::filesystem::path(data_dir) / "rampart.toml";
  }
  if (file) {
    if (!std::filesystem::exists(*file)) {
      return Fail("InvalidConfiguration", fmt::format("config file `{}` not found", file->string()));
    }
    auto read = ReadToml(*file);
    if (!read) return Fail(read.error());
    file_values = std::move(*read);
  }

  Config config;
  for (const Setting& setting : Settings()) {
    std::string source;
    std::optional<std::string> value;
    if (auto it = flags.find(setting.name); it != flags.end()) {
      value = it->second;
      source = fmt::format("--{}", setting.name);
    } else if (auto ft = file_values.find(setting.name); ft != file_values.end()) {
      value = ft->second;
      source = file->string();
    } else {
      std::string env_name = "RAMPART_" + AsciiUpper(setting.name);
      if (const char* env = getenv_fn(env_name.c_str()); env != nullptr) {
        value = env;
        source = env_name;
      }
    }
    if (!value) continue;
    if (auto applied = setting.apply(config, *value); !applied) {
      return Fail("InvalidConfiguration",
                  fmt::format("setting `{}` from {}: {}", setting.name, source,
                              applied.error().message));
    }
  }
  return config;
}

}  // namespace rampart::server
