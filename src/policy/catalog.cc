#include "policy/catalog.h"

#include <algorithm>
#include <exception>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "policy/internal/glob.h"
#include "policy/internal/text.h"

namespace rampart::policy {
namespace {

namespace json = boost::json;

std::string Str(const json::value& value) {
  if (!value.is_string()) return "";
  return std::string(value.as_string().data(), value.as_string().size());
}

// A catalog key name becomes a glob: `${TagKey}` and `<key>` stand for any text, and so does a
// placeholder spelled as a word after the last slash (`secretsmanager:ResourceTag/tag-key`).
bool KeyMatches(std::string_view defined, std::string_view key) {
  std::size_t slash = defined.rfind('/');
  if (slash != std::string_view::npos && defined.find_first_of("$<", slash) == std::string_view::npos &&
      internal::ToLower(defined.substr(slash + 1)).find("key") != std::string::npos) {
    std::string_view head = defined.substr(0, slash + 1);
    return key.size() > head.size() && internal::EqualsIgnoreCase(key.substr(0, head.size()), head);
  }
  std::string pattern;
  pattern.reserve(defined.size());
  for (std::size_t i = 0; i < defined.size(); ++i) {
    char c = defined[i];
    if (c == '$' && i + 1 < defined.size() && defined[i + 1] == '{') {
      std::size_t close = defined.find('}', i);
      if (close == std::string_view::npos) break;
      pattern += internal::kGlobStar;
      i = close;
    } else if (c == '<') {
      std::size_t close = defined.find('>', i);
      if (close == std::string_view::npos) break;
      pattern += internal::kGlobStar;
      i = close;
    } else {
      pattern += c;
    }
  }
  return internal::GlobMatch(pattern, key, true);
}

}  // namespace

Result<ServiceCatalog> ServiceCatalog::Parse(std::string_view json_text) {
  ServiceCatalog catalog;
  try {
    json::error_code ec;
    json::value root = json::parse(json::string_view(json_text.data(), json_text.size()), ec);
    if (ec) return Fail("InvalidInput", fmt::format("service catalog: invalid JSON: {}", ec.message()));
    if (!root.is_object()) return Fail("InvalidInput", "service catalog: not a JSON object");
    const json::object& object = root.as_object();
    const json::value* format = object.if_contains("format");
    if (format == nullptr || !format->is_int64() || format->as_int64() != 1) {
      return Fail("InvalidInput", "service catalog: unsupported format");
    }
    if (const json::value* keys = object.if_contains("global_condition_keys"); keys && keys->is_object()) {
      for (const auto& member : keys->as_object()) {
        catalog.global_keys_.push_back({std::string(member.key()), Str(member.value())});
      }
    }
    const json::value* services = object.if_contains("services");
    if (services == nullptr || !services->is_object()) {
      return Fail("InvalidInput", "service catalog: missing `services`");
    }
    for (const auto& member : services->as_object()) {
      if (!member.value().is_object()) {
        return Fail("InvalidInput", fmt::format("service catalog: service `{}` is not an object",
                                                std::string(member.key())));
      }
      const json::object& entry = member.value().as_object();
      Service service;
      service.prefix = internal::ToLower(std::string(member.key()));
      if (const json::value* name = entry.if_contains("name")) service.name = Str(*name);
      if (const json::value* keys = entry.if_contains("condition_keys"); keys && keys->is_object()) {
        for (const auto& key : keys->as_object()) {
          service.condition_keys.push_back({std::string(key.key()), Str(key.value())});
        }
      }
      if (const json::value* types = entry.if_contains("resource_types"); types && types->is_object()) {
        for (const auto& type : types->as_object()) {
          service.resource_types.emplace_back(std::string(type.key()), Str(type.value()));
        }
      }
      if (const json::value* actions = entry.if_contains("actions"); actions && actions->is_object()) {
        for (const auto& item : actions->as_object()) {
          Action action;
          action.name = std::string(item.key());
          action.name_lower = internal::ToLower(action.name);
          if (item.value().is_array()) {
            const json::array& fields = item.value().as_array();
            if (fields.size() > 0) action.access_level = Str(fields[0]);
            if (fields.size() > 1 && fields[1].is_array()) {
              for (const json::value& type : fields[1].as_array()) action.resource_types.push_back(Str(type));
            }
            if (fields.size() > 2 && fields[2].is_array()) {
              for (const json::value& key : fields[2].as_array()) action.condition_keys.push_back(Str(key));
            }
          }
          service.actions.push_back(std::move(action));
        }
      }
      std::sort(service.actions.begin(), service.actions.end(),
                [](const Action& a, const Action& b) { return a.name_lower < b.name_lower; });
      catalog.services_.push_back(std::move(service));
    }
    std::sort(catalog.services_.begin(), catalog.services_.end(),
              [](const Service& a, const Service& b) { return a.prefix < b.prefix; });
  } catch (const std::exception& e) {
    return Fail("InvalidInput", fmt::format("service catalog: {}", e.what()));
  }
  return catalog;
}

const ServiceCatalog::Service* ServiceCatalog::FindService(std::string_view prefix) const {
  std::string lower = internal::ToLower(prefix);
  auto it = std::lower_bound(services_.begin(), services_.end(), lower,
                             [](const Service& s, const std::string& p) { return s.prefix < p; });
  return it != services_.end() && it->prefix == lower ? &*it : nullptr;
}

const ServiceCatalog::Action* ServiceCatalog::FindAction(std::string_view service_prefix,
                                                        std::string_view action_name) const {
  const Service* service = FindService(service_prefix);
  if (service == nullptr) return nullptr;
  std::string lower = internal::ToLower(action_name);
  auto it = std::lower_bound(service->actions.begin(), service->actions.end(), lower,
                             [](const Action& a, const std::string& n) { return a.name_lower < n; });
  return it != service->actions.end() && it->name_lower == lower ? &*it : nullptr;
}

const ServiceCatalog::Action* ServiceCatalog::FindAction(std::string_view qualified_action) const {
  std::size_t colon = qualified_action.find(':');
  if (colon == std::string_view::npos) return nullptr;
  return FindAction(qualified_action.substr(0, colon), qualified_action.substr(colon + 1));
}

bool ServiceCatalog::AnyActionMatches(std::string_view pattern) const {
  std::string encoded = internal::EncodeGlob(internal::ToLower(pattern));
  if (encoded.size() == 1 && encoded[0] == internal::kGlobStar) return true;
  std::size_t colon = encoded.find(':');
  if (colon == std::string::npos) return false;
  std::string_view service_pattern = std::string_view(encoded).substr(0, colon);
  std::string_view action_pattern = std::string_view(encoded).substr(colon + 1);
  for (const Service& service : services_) {
    if (!internal::GlobMatch(service_pattern, service.prefix, false)) continue;
    for (const Action& action : service.actions) {
      if (internal::GlobMatch(action_pattern, action.name_lower, false)) return true;
    }
  }
  return false;
}

std::optional<std::string> ServiceCatalog::ConditionKeyType(std::string_view key) const {
  for (const ConditionKey& defined : global_keys_) {
    if (KeyMatches(defined.name, key)) return defined.type;
  }
  std::size_t colon = key.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view prefix = key.substr(0, colon);
  // Keys of federation providers (accounts.google.com:aud, cognito-identity.amazonaws.com:sub,
  // saml:aud) are not in the reference; they belong to sts:AssumeRoleWith*.
  const Service* service = FindService(prefix);
  if (service == nullptr) return std::nullopt;
  for (const ConditionKey& defined : service->condition_keys) {
    if (KeyMatches(defined.name, key)) return defined.type;
  }
  // Some keys are only listed on actions.
  for (const Action& action : service->actions) {
    for (const std::string& name : action.condition_keys) {
      if (KeyMatches(name, key)) return std::string("String");
    }
  }
  return std::nullopt;
}

}  // namespace rampart::policy
