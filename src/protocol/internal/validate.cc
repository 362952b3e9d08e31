#include "protocol/internal/validate.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "protocol/internal/pattern.h"
#include "protocol/internal/text.h"

namespace rampart::protocol::internal {
namespace {

namespace json = boost::json;

bool IsScalar(ShapeType type) {
  return type != ShapeType::kStructure && type != ShapeType::kList && type != ShapeType::kMap;
}

std::optional<double> AsNumber(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

// The constraint clauses a scalar `value` of `shape` breaks, in the order AWS lists them
// (max length, min length, pattern, enum; recorded/errors.json UntagPolicy and
// CreateOpenIDConnectProvider).
std::vector<std::string> ScalarFailures(const ServiceModel& service, const Shape& shape,
                                        const json::value& value) {
  std::vector<std::string> failures;
  switch (shape.type) {
    case ShapeType::kString:
    case ShapeType::kBlob: {
      if (!value.is_string()) break;
      std::string_view text = value.get_string();
      // Smithy's @length counts Unicode scalar values for strings, bytes for blobs.
      std::int64_t length = static_cast<std::int64_t>(
          shape.type == ShapeType::kString ? CountCodePoints(text) : text.size());
      if (shape.max && length > *shape.max) {
        failures.push_back(fmt::format("Member must have length less than or equal to {}", *shape.max));
      }
      if (shape.min && length < *shape.min) {
        failures.push_back(
            fmt::format("Member must have length greater than or equal to {}", *shape.min));
      }
      if (shape.regex && !shape.regex->FullMatch(text)) {
        failures.push_back("Member must satisfy regular expression pattern: " + shape.pattern);
      }
      if (!shape.enum_values.empty() &&
          std::find(shape.enum_values.begin(), shape.enum_values.end(), text) ==
              shape.enum_values.end()) {
        // IAM prints no value set (recorded UpdateServiceSpecificCredential); others do.
        failures.push_back(service.redacts_values()
                               ? std::string("Member must satisfy enum value set")
                               : fmt::format("Member must satisfy enum value set: [{}]",
                                             fmt::join(shape.enum_values, ", ")));
      }
      break;
    }
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kDouble:
    case ShapeType::kFloat: {
      std::optional<double> number = AsNumber(value);
      if (!number) break;
      if (shape.max && *number > static_cast<double>(*shape.max)) {
        failures.push_back(fmt::format("Member must have value less than or equal to {}", *shape.max));
      }
      if (shape.min && *number < static_cast<double>(*shape.min)) {
        failures.push_back(
            fmt::format("Member must have value greater than or equal to {}", *shape.min));
      }
      break;
    }
    default:
      break;
  }
  return failures;
}

// Every constraint of an element shape, as AWS lists them when a list element or map
// key/value fails: "[Member must have length less than or equal to 128, Member must have
// length greater than or equal to 1, Member must satisfy regular expression pattern: P,
// Member must not be null]". The recordings show the trailing "must not be null" for
// element shapes with a pattern only (decisions.md).
std::string AllConstraints(const ServiceModel& service, const Shape& shape) {
  std::vector<std::string> parts;
  bool is_length = shape.type == ShapeType::kString || shape.type == ShapeType::kBlob;
  if (shape.max) {
    parts.push_back(fmt::format("Member must have {} less than or equal to {}",
                                is_length ? "length" : "value", *shape.max));
  }
  if (shape.min) {
    parts.push_back(fmt::format("Member must have {} greater than or equal to {}",
                                is_length ? "length" : "value", *shape.min));
  }
  if (!shape.pattern.empty()) {
    parts.push_back("Member must satisfy regular expression pattern: " + shape.pattern);
  }
  if (!shape.enum_values.empty()) {
    parts.push_back(service.redacts_values()
                        ? std::string("Member must satisfy enum value set")
                        : fmt::format("Member must satisfy enum value set: [{}]",
                                      fmt::join(shape.enum_values, ", ")));
  }
  if (!shape.pattern.empty()) parts.push_back("Member must not be null");
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

std::string JoinPath(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return LowerFirst(name);
  return prefix + "." + LowerFirst(name);
}

void CheckValue(const ServiceModel& service, const Shape& shape, const json::value& value,
                const std::string& path, std::vector<Violation>& out);

void CheckList(const ServiceModel& service, const Shape& shape, const json::array& items,
               const json::value& whole, const std::string& path, std::vector<Violation>& out) {
  const Shape& element = *shape.list_member->shape;
  bool echo = EchoesValues(service, element) && IsScalar(element.type);
  std::string rendered = echo ? RenderValue(whole) : std::string();
  auto count = static_cast<std::int64_t>(items.size());
  if (shape.max && count > *shape.max) {
    out.push_back(MakeViolation(path, echo ? &rendered : nullptr,
                                fmt::format("Member must have length less than or equal to {}", *shape.max)));
  }
  if (shape.min && count < *shape.min) {
    out.push_back(MakeViolation(
        path, echo ? &rendered : nullptr,
        fmt::format("Member must have length greater than or equal to {}", *shape.min)));
  }
  if (IsScalar(element.type)) {
    // A failing scalar element is reported once, on the list, with all the element's
    // constraints (recorded CreateOpenIDConnectProvider clientIDList / thumbprintList).
    for (const json::value& item : items) {
      if (item.is_null() || !ScalarFailures(service, element, item).empty()) {
        out.push_back(MakeViolation(path, echo ? &rendered : nullptr,
                                    "Member must satisfy constraint: " + AllConstraints(service, element)));
        break;
      }
    }
    return;
  }
  for (std::size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
    std::string item_path = fmt::format("{}.{}.member", path, item_idx + 1);
    if (items[item_idx].is_null()) {
      out.push_back(MakeViolation(item_path, nullptr, "Member must not be null"));
      continue;
    }
    CheckValue(service, element, items[item_idx], item_path, out);
  }
}

void CheckMap(const ServiceModel& service, const Shape& shape, const json::object& entries,
              const json::value& whole, const std::string& path, std::vector<Violation>& out) {
  const Shape& key_shape = *shape.map_key->shape;
  const Shape& value_shape = *shape.map_value->shape;
  bool echo = EchoesValues(service, value_shape) && EchoesValues(service, key_shape) &&
              IsScalar(value_shape.type);
  std::string rendered = echo ? RenderValue(whole) : std::string();
  auto count = static_cast<std::int64_t>(entries.size());
  if (shape.max && count > *shape.max) {
    out.push_back(MakeViolation(path, echo ? &rendered : nullptr,
                                fmt::format("Member must have length less than or equal to {}", *shape.max)));
  }
  if (shape.min && count < *shape.min) {
    out.push_back(MakeViolation(
        path, echo ? &rendered : nullptr,
        fmt::format("Member must have length greater than or equal to {}", *shape.min)));
  }
  for (const auto& entry : entries) {
    if (!ScalarFailures(service, key_shape, json::value(entry.key())).empty()) {
      out.push_back(MakeViolation(path, echo ? &rendered : nullptr,
                                  "Map keys must satisfy constraint: " + AllConstraints(service, key_shape)));
      break;
    }
  }
  if (IsScalar(value_shape.type)) {
    for (const auto& entry : entries) {
      if (entry.value().is_null() || !ScalarFailures(service, value_shape, entry.value()).empty()) {
        out.push_back(MakeViolation(path, echo ? &rendered : nullptr,
                                    "Map value must satisfy constraint: " + AllConstraints(service, value_shape)));
        break;
      }
    }
    return;
  }
  for (const auto& entry : entries) {
    if (entry.value().is_null()) continue;
    CheckValue(service, value_shape, entry.value(), fmt::format("{}.{}", path, std::string_view(entry.key())), out);
  }
}

void CheckValue(const ServiceModel& service, const Shape& shape, const json::value& value,
                const std::string& path, std::vector<Violation>& out) {
  switch (shape.type) {
    case ShapeType::kStructure:
      if (value.is_object()) CollectViolations(service, shape, value.get_object(), path, out);
      return;
    case ShapeType::kList:
      if (value.is_array()) CheckList(service, shape, value.get_array(), value, path, out);
      return;
    case ShapeType::kMap:
      if (value.is_object()) CheckMap(service, shape, value.get_object(), value, path, out);
      return;
    default:
      break;
  }
  std::vector<std::string> failures = ScalarFailures(service, shape, value);
  if (failures.empty()) return;
  bool echo = EchoesValues(service, shape);
  std::string rendered = echo ? RenderValue(value) : std::string();
  for (const std::string& failure : failures) {
    out.push_back(MakeViolation(path, echo ? &rendered : nullptr, failure));
  }
}

// INVARIANT: mirrors java.util.HashMap's iteration order for String keys inserted in
// model order, which is the order AWS lists several violations in (two recordings in
// recorded/errors.json, UpdateAccountPasswordPolicy and CreateOpenIDConnectProvider,
// neither in model nor alphabetical order, both in HashMap order of the member paths).
std::size_t HashMapCapacity(std::size_t distinct_keys) {
  std::size_t capacity = 16;
  while (distinct_keys > capacity * 3 / 4) capacity *= 2;
  return capacity;
}

std::uint32_t HashMapBucket(const std::string& key, std::size_t capacity) {
  auto hash = static_cast<std::uint32_t>(JavaStringHash(key));
  hash ^= hash >> 16;
  return hash & static_cast<std::uint32_t>(capacity - 1);
}

}  // namespace

bool EchoesValues(const ServiceModel& service, const Shape& shape) {
  return !service.redacts_values() && !shape.sensitive;
}

Violation MakeViolation(const std::string& path, const std::string* echo,
                        std::string_view constraint) {
  Violation violation;
  violation.path = path;
  if (echo != nullptr) {
    violation.text = fmt::format("Value '{}' at '{}' failed to satisfy constraint: {}", *echo,
                                 path, constraint);
  } else {
    violation.text =
        fmt::format("Value at '{}' failed to satisfy constraint: {}", path, constraint);
  }
  return violation;
}

std::string RenderValue(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return std::string(value.get_string());
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_:
      return fmt::format("{}", value.get_double());
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case json::kind::null:
      return "null";
    case json::kind::array: {
      std::vector<std::string> parts;
      for (const json::value& item : value.get_array()) parts.push_back(RenderValue(item));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    case json::kind::object: {
      std::vector<std::string> parts;
      for (const auto& entry : value.get_object()) {
        parts.push_back(fmt::format("{}={}", std::string_view(entry.key()), RenderValue(entry.value())));
      }
      return fmt::format("{{{}}}", fmt::join(parts, ", "));
    }
  }
  return {};
}

void CollectViolations(const ServiceModel& service, const Shape& shape,
                       const json::object& tree, const std::string& prefix,
                       std::vector<Violation>& out) {
  for (const Member& member : shape.members) {
    std::string path = JoinPath(prefix, member.name);
    const json::value* value = tree.if_contains(member.name);
    if (value == nullptr || value->is_null()) {
      if (member.required) {
        Violation violation;
        violation.path = path;
        violation.text = fmt::format(
            "Value null at '{}' failed to satisfy constraint: Member must not be null", path);
        out.push_back(std::move(violation));
      }
      continue;
    }
    CheckValue(service, *member.shape, *value, path, out);
  }
}

Error ValidationFailure(const ServiceModel& service, std::vector<Violation> violations) {
  // Group by path (first occurrence order), then order the groups as a HashMap would.
  std::vector<std::string> keys;
  for (const Violation& violation : violations) {
    if (std::find(keys.begin(), keys.end(), violation.path) == keys.end()) {
      keys.push_back(violation.path);
    }
  }
  std::size_t capacity = HashMapCapacity(keys.size());
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    return HashMapBucket(a, capacity) < HashMapBucket(b, capacity);
  });
  std::vector<std::string> texts;
  texts.reserve(violations.size());
  for (const std::string& key : keys) {
    for (const Violation& violation : violations) {
      if (violation.path == key) texts.push_back(violation.text);
    }
  }
  std::string message = fmt::format("{} validation error{} detected: {}", texts.size(),
                                    texts.size() == 1 ? "" : "s", fmt::join(texts, "; "));
  return Error(service.kind() == Kind::kQuery ? "ValidationError" : "ValidationException",
               std::move(message), 400);
}

}  // namespace rampart::protocol::internal
