// Routing and input decoding for the query, JSON 1.1 and REST-JSON protocols.
#include <charconv>
#include <map>
#include <optional>

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <fmt/format.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/strings.h"
#include "protocol/internal/text.h"
#include "protocol/internal/validate.h"
#include "protocol/protocol.h"

namespace rampart::protocol {
namespace {

namespace json = boost::json;
using internal::Violation;

// Nesting deeper than this in a query key or JSON body is not decoded: no model nests
// its inputs this deep, and the bound keeps recursion off hostile input.
constexpr int kMaxDepth = 32;

using ParamMap = std::map<std::string, std::string, std::less<>>;

tl::unexpected<Error> MalformedQuery() {
  // AWS documents MalformedQueryString with HTTP 404; a malformed body is the client's
  // fault, so rampart answers the documented 400 `InvalidQueryParameter` (decisions.md).
  return Fail("InvalidQueryParameter",
              "The AWS query string is malformed or does not adhere to AWS standards.", 400);
}

// Parses `text` as application/x-www-form-urlencoded ("+" is a space) into `out`; the
// first occurrence of a key wins. Boost.URL rejects bad percent-escapes and characters a
// query may not contain.
Result<void> ParseForm(std::string_view text, ParamMap& out) {
  if (text.empty()) return Ok();
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return MalformedQuery();
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  for (const auto& param : *parsed) {
    std::string key = param.key.decode(options);
    if (key.empty()) continue;
    std::string value = param.has_value ? param.value.decode(options) : std::string();
    out.emplace(std::move(key), std::move(value));
  }
  return Ok();
}

bool IsFormContentType(const HttpRequest& request) {
  std::optional<std::string_view> type = request.Header("Content-Type");
  if (!type) return request.method == "POST";
  return StartsWith(AsciiLower(Trim(*type)), "application/x-www-form-urlencoded");
}

Result<ParamMap> QueryParams(const HttpRequest& request) {
  ParamMap params;
  if (request.method != "GET" && IsFormContentType(request)) {
    if (Result<void> r = ParseForm(request.body, params); !r) return Fail(r.error());
  }
  if (Result<void> r = ParseForm(request.Query(), params); !r) return Fail(r.error());
  return params;
}

bool HasPrefix(const ParamMap& params, const std::string& prefix_with_dot) {
  auto it = params.lower_bound(prefix_with_dot);
  return it != params.end() && StartsWith(it->first, prefix_with_dot);
}

std::string Join(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string out;
  out.reserve(prefix.size() + 1 + name.size());
  out.append(prefix).push_back('.');
  out.append(name);
  return out;
}

std::string TreeTimestamp(TimePoint t) {
  return t.time_since_epoch().count() % 1000 == 0 ? FormatIso8601(t) : FormatIso8601Millis(t);
}

std::optional<TimePoint> EpochToTime(double seconds) {
  if (!(seconds > -1e11 && seconds < 1e11)) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + (seconds < 0 ? -0.5 : 0.5))));
}

// Converts the text form of a scalar (query values, REST labels, headers) into the tree
// value for `shape`; nullopt names the type the text failed to be.
struct ScalarResult {
  std::optional<json::value> value;
  const char* expected = nullptr;  // set when value is empty
};

ScalarResult ScalarFromText(const Shape& shape, std::string_view text) {
  ScalarResult result;
  switch (shape.type) {
    case ShapeType::kString:
      result.value = json::value(json::string_view(internal::SanitizeUtf8(text)));
      return result;
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      std::int64_t number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      bool in_range = shape.type == ShapeType::kLong ||
                      (number >= INT32_MIN && number <= INT32_MAX);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty() && in_range) {
        result.value = json::value(number);
      } else {
        result.expected = shape.type == ShapeType::kLong ? "Member must be a long"
                                                         : "Member must be an integer";
      }
      return result;
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat: {
      double number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
        result.value = json::value(number);
      } else {
        result.expected = "Member must be a number";
      }
      return result;
    }
    case ShapeType::kBoolean:
      if (EqualsIgnoreCase(text, "true")) {
        result.value = json::value(true);
      } else if (EqualsIgnoreCase(text, "false")) {
        result.value = json::value(false);
      } else {
        result.expected = "Member must be a boolean";
      }
      return result;
    case ShapeType::kTimestamp: {
      if (Result<TimePoint> t = ParseIso8601(text)) {
        result.value = json::value(json::string_view(TreeTimestamp(*t)));
        return result;
      }
      if (Result<TimePoint> t = ParseHttpDate(text)) {
        result.value = json::value(json::string_view(TreeTimestamp(*t)));
        return result;
      }
      double seconds = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
        if (std::optional<TimePoint> t = EpochToTime(seconds)) {
          result.value = json::value(json::string_view(TreeTimestamp(*t)));
          return result;
        }
      }
      result.expected = "Member must be a timestamp";
      return result;
    }
    case ShapeType::kBlob: {
      Result<std::string> bytes = crypto::Base64Decode(text);
      if (bytes) {
        result.value = json::value(json::string_view(*bytes));
      } else {
        result.expected = "Member must be base64-encoded";
      }
      return result;
    }
    default:
      result.expected = "Member must be a scalar";
      return result;
  }
}

// ---------------------------------------------------------------------------------------
// Query protocol: `Name`, `Name.member.N`, `Name.N` (flattened), `Name.entry.N.key`.

class QueryDecoder {
 public:
  QueryDecoder(const ServiceModel& service, const ParamMap& params)
      : service_(service), params_(params) {}

  json::object Structure(const Shape& shape, const std::string& prefix,
                         const std::string& path, int depth) {
    json::object out;
    for (const Member& member : shape.members) {
      std::string key = Join(prefix, member.wire_name);
      std::string member_path = path.empty() ? internal::LowerFirst(member.name)
                                             : path + "." + internal::LowerFirst(member.name);
      std::optional<json::value> value = Value(member, *member.shape, key, member_path, depth);
      if (value) out.emplace(member.name, std::move(*value));
    }
    return out;
  }

  std::vector<Violation>& violations() { return violations_; }

 private:
  std::optional<json::value> Value(const Member& member, const Shape& shape,
                                   const std::string& key, const std::string& path, int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    switch (shape.type) {
      case ShapeType::kStructure: {
        if (!HasPrefix(params_, key + ".")) return std::nullopt;
        return json::value(Structure(shape, key, path, depth + 1));
      }
      case ShapeType::kList:
        return List(member, shape, key, path, depth);
      case ShapeType::kMap:
        return Map(member, shape, key, path, depth);
      default: {
        auto found = params_.find(key);
        if (found == params_.end()) return std::nullopt;
        ScalarResult scalar = ScalarFromText(shape, found->second);
        if (!scalar.value) {
          bool echo = internal::EchoesValues(service_, shape);
          violations_.push_back(
              internal::MakeViolation(path, echo ? &found->second : nullptr, scalar.expected));
          // Keep the raw text so the member does not also count as missing.
          return json::value(json::string_view(internal::SanitizeUtf8(found->second)));
        }
        return std::move(scalar.value);
      }
    }
  }

  std::optional<json::value> List(const Member& member, const Shape& shape,
                                  const std::string& key, const std::string& path, int depth) {
    const Member& element = *shape.list_member;
    bool flattened = member.flattened || shape.flattened;
    // botocore sends an empty list as `Name=` with no members.
    auto exact = params_.find(key);
    std::string element_prefix;
    if (flattened) {
      element_prefix = key;
      // A flattened list whose member has its own locationName uses that name.
      if (element.wire_name != "member") {
        std::size_t dot = key.rfind('.');
        element_prefix = dot == std::string::npos ? element.wire_name
                                                  : key.substr(0, dot + 1) + element.wire_name;
      }
    } else {
      element_prefix = key + "." + element.wire_name;
    }
    if (!HasPrefix(params_, element_prefix + ".")) {
      if (exact != params_.end() && exact->second.empty()) return json::value(json::array());
      return std::nullopt;
    }
    json::array items;
    // Indices run from 1 and must be contiguous: decoding stops at the first gap, so
    // `member.1` and `member.3` make a one-element list (decisions.md).
    for (std::size_t index = 1;; ++index) {
      std::string item_key = fmt::format("{}.{}", element_prefix, index);
      std::string item_path = fmt::format("{}.{}.member", path, index);
      std::optional<json::value> item =
          Value(element, *element.shape, item_key, item_path, depth + 1);
      if (!item) break;
      items.push_back(std::move(*item));
    }
    if (items.empty()) return std::nullopt;  // `Name.member.2` without `.1` sends no list
    return json::value(std::move(items));
  }

  std::optional<json::value> Map(const Member& member, const Shape& shape, const std::string& key,
                                 const std::string& path, int depth) {
    bool flattened = member.flattened || shape.flattened;
    std::string entry_prefix = flattened ? key : key + ".entry";
    if (!HasPrefix(params_, entry_prefix + ".")) return std::nullopt;
    json::object entries;
    for (std::size_t index = 1;; ++index) {
      std::string base = fmt::format("{}.{}.", entry_prefix, index);
      auto key_param = params_.find(base + shape.map_key->wire_name);
      if (key_param == params_.end()) break;
      std::optional<json::value> value =
          Value(*shape.map_value, *shape.map_value->shape, base + shape.map_value->wire_name,
                fmt::format("{}.{}", path, key_param->second), depth + 1);
      entries[internal::SanitizeUtf8(key_param->second)] = value ? std::move(*value) : json::value();
    }
    return json::value(std::move(entries));
  }

  const ServiceModel& service_;
  const ParamMap& params_;
  std::vector<Violation> violations_;
};

// ---------------------------------------------------------------------------------------
// JSON bodies (JSON 1.1 and REST-JSON).

tl::unexpected<Error> SerializationError(std::string message) {
  return Fail("SerializationException", std::move(message), 400);
}

const char* TypeWord(ShapeType type) {
  switch (type) {
    case ShapeType::kStructure: return "an object";
    case ShapeType::kList: return "an array";
    case ShapeType::kMap: return "an object";
    case ShapeType::kString: return "a string";
    case ShapeType::kInteger: return "an integer";
    case ShapeType::kLong: return "a long";
    case ShapeType::kBoolean: return "a boolean";
    case ShapeType::kDouble:
    case ShapeType::kFloat: return "a number";
    case ShapeType::kTimestamp: return "a timestamp";
    case ShapeType::kBlob: return "a base64-encoded string";
  }
  return "a value";
}

Result<json::value> FromJson(const Shape& shape, const json::value& in, const std::string& path,
                             int depth);

Result<json::object> StructureFromJson(const Shape& shape, const json::object& in,
                                       const std::string& path, int depth, bool body_only) {
  json::object out;
  for (const Member& member : shape.members) {
    if (body_only && member.location != Location::kBody) continue;
    const json::value* value = in.if_contains(member.wire_name);
    if (value == nullptr || value->is_null()) continue;
    std::string member_path = path.empty() ? internal::LowerFirst(member.name)
                                           : path + "." + internal::LowerFirst(member.name);
    Result<json::value> converted = FromJson(*member.shape, *value, member_path, depth + 1);
    if (!converted) return Fail(converted.error());
    out.emplace(member.name, std::move(*converted));
  }
  return out;
}

Result<json::value> FromJson(const Shape& shape, const json::value& in, const std::string& path,
                             int depth) {
  auto wrong_type = [&]() {
    return SerializationError(fmt::format("Value at '{}' must be {}", path, TypeWord(shape.type)));
  };
  if (depth > kMaxDepth) return SerializationError("request body is nested too deeply");
  switch (shape.type) {
    case ShapeType::kStructure: {
      if (!in.is_object()) return wrong_type();
      Result<json::object> out = StructureFromJson(shape, in.get_object(), path, depth, false);
      if (!out) return Fail(out.error());
      return json::value(std::move(*out));
    }
    case ShapeType::kList: {
      if (!in.is_array()) return wrong_type();
      json::array out;
      std::size_t index = 0;
      for (const json::value& item : in.get_array()) {
        ++index;
        if (item.is_null()) {
          out.push_back(nullptr);
          continue;
        }
        Result<json::value> converted = FromJson(*shape.list_member->shape, item,
                                                 fmt::format("{}.{}.member", path, index), depth + 1);
        if (!converted) return Fail(converted.error());
        out.push_back(std::move(*converted));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kMap: {
      if (!in.is_object()) return wrong_type();
      json::object out;
      for (const auto& entry : in.get_object()) {
        if (entry.value().is_null()) continue;
        Result<json::value> converted =
            FromJson(*shape.map_value->shape, entry.value(),
                     fmt::format("{}.{}", path, std::string_view(entry.key())), depth + 1);
        if (!converted) return Fail(converted.error());
        out[internal::SanitizeUtf8(entry.key())] = std::move(*converted);
      }
      return json::value(std::move(out));
    }
    case ShapeType::kString:
      if (!in.is_string()) return wrong_type();
      return json::value(json::string_view(internal::SanitizeUtf8(in.get_string())));
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      std::int64_t number = 0;
      if (in.is_int64()) {
        number = in.get_int64();
      } else if (in.is_uint64() && in.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        number = static_cast<std::int64_t>(in.get_uint64());
      } else {
        return wrong_type();
      }
      if (shape.type == ShapeType::kInteger && (number < INT32_MIN || number > INT32_MAX)) {
        return wrong_type();
      }
      return json::value(number);
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (in.is_double()) return json::value(in.get_double());
      if (in.is_int64()) return json::value(static_cast<double>(in.get_int64()));
      if (in.is_uint64()) return json::value(static_cast<double>(in.get_uint64()));
      return wrong_type();
    case ShapeType::kBoolean:
      if (!in.is_bool()) return wrong_type();
      return json::value(in.get_bool());
    case ShapeType::kTimestamp: {
      if (in.is_number()) {
        double seconds = in.is_double() ? in.get_double()
                         : in.is_int64() ? static_cast<double>(in.get_int64())
                                         : static_cast<double>(in.get_uint64());
        std::optional<TimePoint> t = EpochToTime(seconds);
        if (!t) return wrong_type();
        return json::value(json::string_view(TreeTimestamp(*t)));
      }
      if (in.is_string()) {
        ScalarResult scalar = ScalarFromText(shape, in.get_string());
        if (scalar.value) return std::move(*scalar.value);
      }
      return wrong_type();
    }
    case ShapeType::kBlob: {
      if (!in.is_string()) return wrong_type();
      Result<std::string> bytes = crypto::Base64Decode(in.get_string());
      if (!bytes) return wrong_type();
      return json::value(json::string_view(*bytes));
    }
  }
  return wrong_type();
}

Result<json::object> ParseJsonBody(const Shape* input, std::string_view body) {
  if (Trim(body).empty()) return json::object();
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = kMaxDepth;
  json::value parsed = json::parse(body, ec, {}, options);
  if (ec) return SerializationError(fmt::format("request body is not valid JSON: {}", ec.message()));
  if (!parsed.is_object()) return SerializationError("request body must be a JSON object");
  if (input == nullptr) return json::object();
  return StructureFromJson(*input, parsed.get_object(), "", 0, true);
}

// ---------------------------------------------------------------------------------------
// REST-JSON URI templates.

std::vector<std::string> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return segments;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  auto view = boost::urls::make_pct_string_view(text);
  if (!view) return std::nullopt;
  return view->decode();
}

// Matches `request`'s path and query against `operation`'s template, filling `labels`.
bool MatchUri(const Operation& operation, const std::vector<std::string>& segments,
              const ParamMap& query, std::map<std::string, std::string>& labels) {
  labels.clear();
  std::size_t seg_idx = 0;
  for (std::size_t tpl_idx = 0; tpl_idx < operation.uri_path.size(); ++tpl_idx) {
    const UriSegment& tpl = operation.uri_path[tpl_idx];
    if (tpl.greedy) {
      std::size_t remaining_tpl = operation.uri_path.size() - tpl_idx - 1;
      if (segments.size() < seg_idx + 1 + remaining_tpl) return false;
      std::size_t take = segments.size() - seg_idx - remaining_tpl;
      std::string joined;
      for (std::size_t k = 0; k < take; ++k) {
        std::optional<std::string> decoded = PercentDecode(segments[seg_idx + k]);
        if (!decoded) return false;
        if (k > 0) joined.push_back('/');
        joined += *decoded;
      }
      labels[tpl.text] = std::move(joined);
      seg_idx += take;
      continue;
    }
    if (seg_idx >= segments.size()) return false;
    std::optional<std::string> decoded = PercentDecode(segments[seg_idx]);
    if (!decoded) return false;
    if (tpl.is_label) {
      if (decoded->empty()) return false;
      labels[tpl.text] = std::move(*decoded);
    } else if (*decoded != tpl.text) {
      return false;
    }
    ++seg_idx;
  }
  if (seg_idx != segments.size()) return false;
  for (const auto& [name, value] : operation.uri_query) {
    auto found = query.find(name);
    if (found == query.end()) return false;
    if (!value.empty() && found->second != value) return false;
  }
  return true;
}

}  // namespace

Result<RoutedRequest> Route(const ServiceModel& service, const HttpRequest& request) {
  switch (service.kind()) {
    case Kind::kQuery: {
      Result<ParamMap> params = QueryParams(request);
      if (!params) return Fail(params.error());
      auto action = params->find("Action");
      if (action == params->end() || action->second.empty()) {
        return Fail("MissingAction",
                    "The request is missing an action or a required parameter.", 400);
      }
      auto version = params->find("Version");
      const Operation* operation = service.FindOperation(action->second);
      // Coral's query front end: "Could not find operation GetSendStatistics for version
      // 2012-12-01" (aws/aws-cli#37); an operation asked for under another API version is
      // equally unknown. A request without Version is matched against the model's.
      bool version_ok = version == params->end() || version->second == service.api_version();
      if (operation == nullptr || !version_ok) {
        return Fail("InvalidAction",
                    fmt::format("Could not find operation {} for version {}", action->second,
                                version == params->end() ? service.api_version() : version->second),
                    400);
      }
      return RoutedRequest{&service, operation};
    }
    case Kind::kJson: {
      std::optional<std::string_view> target = request.Header("X-Amz-Target");
      if (target) {
        std::string_view value = Trim(*target);
        std::string_view prefix = service.target_prefix();
        if (value.size() > prefix.size() + 1 && StartsWith(value, prefix) &&
            value[prefix.size()] == '.') {
          if (const Operation* operation =
                  service.FindOperation(value.substr(prefix.size() + 1))) {
            return RoutedRequest{&service, operation};
          }
        }
      }
      // AWS answers an unknown target with a bare {"__type":"UnknownOperationException"},
      // HTTP 400 (aws/aws-sdk-net#1536, aws/aws-sdk-js#425).
      return Fail("UnknownOperationException", "", 400);
    }
    case Kind::kRestJson: {
      ParamMap query;
      if (Result<void> r = ParseForm(request.Query(), query); !r) return Fail(r.error());
      std::vector<std::string> segments = PathSegments(request.Path());
      std::map<std::string, std::string> labels;
      for (const Operation* operation : service.operations()) {
        if (operation->http_method != request.method) continue;
        if (MatchUri(*operation, segments, query, labels)) {
          return RoutedRequest{&service, operation};
        }
      }
      // The service framework's answer when no operation claims a request
      // (smithy-lang/smithy#1368, maintainer's comment): UnknownOperationException, 404.
      return Fail("UnknownOperationException", "", 404);
    }
  }
  return Fail("InternalFailure", "unknown protocol", 500);
}

Result<json::object> DecodeInput(const ServiceModel& service, const Operation& operation,
                                 const HttpRequest& request) {
  std::vector<Violation> violations;
  json::object tree;
  switch (service.kind()) {
    case Kind::kQuery: {
      Result<ParamMap> params = QueryParams(request);
      if (!params) return Fail(params.error());
      if (operation.input == nullptr) return tree;
      QueryDecoder decoder(service, *params);
      tree = decoder.Structure(*operation.input, "", "", 0);
      violations = std::move(decoder.violations());
      break;
    }
    case Kind::kJson: {
      Result<json::object> body = ParseJsonBody(operation.input, request.body);
      if (!body) return Fail(body.error());
      tree = std::move(*body);
      break;
    }
    case Kind::kRestJson: {
      Result<json::object> body = ParseJsonBody(operation.input, request.body);
      if (!body) return Fail(body.error());
      tree = std::move(*body);
      if (operation.input == nullptr) break;
      ParamMap query;
      if (Result<void> r = ParseForm(request.Query(), query); !r) return Fail(r.error());
      std::map<std::string, std::string> labels;
      MatchUri(operation, PathSegments(request.Path()), query, labels);
      for (const Member& member : operation.input->members) {
        std::optional<std::string> text;
        if (member.location == Location::kUri) {
          if (auto found = labels.find(member.wire_name); found != labels.end()) text = found->second;
        } else if (member.location == Location::kQueryString) {
          if (auto found = query.find(member.wire_name); found != query.end()) text = found->second;
        } else if (member.location == Location::kHeader) {
          if (auto header = request.Header(member.wire_name)) text = std::string(*header);
        }
        if (!text) continue;
        ScalarResult scalar = ScalarFromText(*member.shape, *text);
        std::string path = internal::LowerFirst(member.name);
        if (!scalar.value) {
          return SerializationError(
              fmt::format("Value at '{}' must be {}", path, TypeWord(member.shape->type)));
        }
        tree[member.name] = std::move(*scalar.value);
      }
      break;
    }
  }
  if (operation.input != nullptr) {
    internal::CollectViolations(service, *operation.input, tree, "", violations);
  }
  if (!violations.empty()) return Fail(internal::ValidationFailure(service, std::move(violations)));
  return tree;
}

Result<void> Validate(const ServiceModel& service, const Shape& shape, const json::object& tree) {
  std::vector<Violation> violations;
  internal::CollectViolations(service, shape, tree, "", violations);
  if (!violations.empty()) return Fail(internal::ValidationFailure(service, std::move(violations)));
  return Ok();
}

}  // namespace rampart::protocol
