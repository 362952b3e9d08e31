#include "protocol/model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/embed.h"
#include "protocol/internal/pattern.h"

RP_DECLARE_EMBEDDED(rp_model_iam);
RP_DECLARE_EMBEDDED(rp_model_sts);
RP_DECLARE_EMBEDDED(rp_model_organizations);
RP_DECLARE_EMBEDDED(rp_model_cloudtrail);
RP_DECLARE_EMBEDDED(rp_model_account);
RP_DECLARE_EMBEDDED(rp_model_support);

namespace rampart::protocol {
namespace {

namespace json = boost::json;

tl::unexpected<Error> ModelError(std::string message) {
  return Fail("InvalidModel", std::move(message));
}

std::string GetString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

bool GetBool(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_bool() && value->get_bool();
}

std::optional<std::int64_t> GetInt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value->get_uint64(), INT64_MAX));
  }
  if (value->is_double()) return static_cast<std::int64_t>(value->get_double());
  return std::nullopt;
}

Result<ShapeType> ParseShapeType(std::string_view type) {
  if (type == "structure") return ShapeType::kStructure;
  if (type == "list") return ShapeType::kList;
  if (type == "map") return ShapeType::kMap;
  if (type == "string") return ShapeType::kString;
  if (type == "integer") return ShapeType::kInteger;
  if (type == "long") return ShapeType::kLong;
  if (type == "boolean") return ShapeType::kBoolean;
  if (type == "double") return ShapeType::kDouble;
  if (type == "float") return ShapeType::kFloat;
  if (type == "timestamp") return ShapeType::kTimestamp;
  if (type == "blob") return ShapeType::kBlob;
  return ModelError(fmt::format("unknown shape type `{}`", type));
}

Location ParseLocation(std::string_view location) {
  if (location == "uri") return Location::kUri;
  if (location == "querystring") return Location::kQueryString;
  if (location == "header") return Location::kHeader;
  if (location == "headers") return Location::kHeaders;
  if (location == "statusCode") return Location::kStatusCode;
  return Location::kBody;
}

TimestampFormat ParseTimestampFormat(std::string_view format) {
  if (format == "iso8601") return TimestampFormat::kIso8601;
  if (format == "unixTimestamp") return TimestampFormat::kUnixTimestamp;
  if (format == "rfc822") return TimestampFormat::kRfc822;
  return TimestampFormat::kDefault;
}

void ParseRequestUri(Operation& operation) {
  std::string_view uri = operation.request_uri;
  std::string_view path = uri;
  std::string_view query;
  if (std::size_t question = uri.find('?'); question != std::string_view::npos) {
    path = uri.substr(0, question);
    query = uri.substr(question + 1);
  }
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    UriSegment parsed;
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      parsed.is_label = true;
      segment = segment.substr(1, segment.size() - 2);
      if (!segment.empty() && segment.back() == '+') {
        parsed.greedy = true;
        segment.remove_suffix(1);
      }
    }
    parsed.text = std::string(segment);
    operation.uri_path.push_back(std::move(parsed));
    pos = end;
  }
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    operation.uri_query.emplace_back(
        std::string(item.substr(0, eq)),
        eq == std::string_view::npos ? std::string() : std::string(item.substr(eq + 1)));
  }
}

}  // namespace

const Member* Shape::FindMember(std::string_view member_name) const {
  for (const Member& member : members) {
    if (member.name == member_name) return &member;
  }
  return nullptr;
}

Result<std::unique_ptr<ServiceModel>> ServiceModel::Load(std::string_view json_text) {
  boost::system::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec || !root.is_object()) return ModelError("model is not a JSON object");
  const json::object& top = root.get_object();
  const json::value* metadata_value = top.if_contains("metadata");
  const json::value* shapes_value = top.if_contains("shapes");
  const json::value* operations_value = top.if_contains("operations");
  if (metadata_value == nullptr || !metadata_value->is_object() || shapes_value == nullptr ||
      !shapes_value->is_object() || operations_value == nullptr ||
      !operations_value->is_object()) {
    return ModelError("model lacks metadata, shapes or operations");
  }
  const json::object& metadata = metadata_value->get_object();

  std::unique_ptr<ServiceModel> model(new ServiceModel());
  std::string protocol = GetString(metadata, "protocol");
  if (protocol == "query") {
    model->kind_ = Kind::kQuery;
  } else if (protocol == "json") {
    model->kind_ = Kind::kJson;
  } else if (protocol == "rest-json") {
    model->kind_ = Kind::kRestJson;
  } else {
    return ModelError(fmt::format("unsupported protocol `{}`", protocol));
  }
  model->endpoint_prefix_ = GetString(metadata, "endpointPrefix");
  model->signing_name_ = GetString(metadata, "signingName");
  if (model->signing_name_.empty()) model->signing_name_ = model->endpoint_prefix_;
  model->service_id_ = GetString(metadata, "serviceId");
  model->api_version_ = GetString(metadata, "apiVersion");
  model->xml_namespace_ = GetString(metadata, "xmlNamespace");
  if (const json::value* ns = metadata.if_contains("xmlNamespace"); ns && ns->is_object()) {
    model->xml_namespace_ = GetString(ns->get_object(), "uri");
  }
  model->target_prefix_ = GetString(metadata, "targetPrefix");
  model->json_version_ = GetString(metadata, "jsonVersion");
  // Recorded IAM validation errors (2025-2026) never echo the offending value, whatever
  // the member: "Value at 'path' failed to satisfy constraint: ..." (recorded/errors.json).
  // STS's recordings do echo it. See docs/decisions.md (protocol).
  model->redacts_values_ = model->signing_name_ == "iam";

  // Pass 1: every shape with its own traits.
  const json::object& shapes = shapes_value->get_object();
  model->shapes_.reserve(shapes.size());
  for (const auto& [name, value] : shapes) {
    if (!value.is_object()) return ModelError(fmt::format("shape `{}` is not an object", name));
    const json::object& definition = value.get_object();
    auto shape = std::make_unique<Shape>();
    shape->name = std::string(name);
    Result<ShapeType> type = ParseShapeType(GetString(definition, "type"));
    if (!type) return Fail(type.error());
    shape->type = *type;
    shape->min = GetInt(definition, "min");
    shape->max = GetInt(definition, "max");
    shape->pattern = GetString(definition, "pattern");
    if (!shape->pattern.empty()) {
      Result<std::shared_ptr<const internal::Pattern>> compiled =
          internal::Pattern::Compile(shape->pattern);
      if (!compiled) {
        return ModelError(fmt::format("shape `{}`: {}", name, compiled.error().message));
      }
      shape->regex = std::move(*compiled);
    }
    if (const json::value* values = definition.if_contains("enum"); values && values->is_array()) {
      for (const json::value& item : values->get_array()) {
        if (item.is_string()) shape->enum_values.emplace_back(item.get_string());
      }
    }
    shape->sensitive = GetBool(definition, "sensitive");
    shape->is_union = GetBool(definition, "union");
    shape->flattened = GetBool(definition, "flattened");
    shape->timestamp_format = ParseTimestampFormat(GetString(definition, "timestampFormat"));
    if (GetBool(definition, "exception")) {
      ErrorTrait trait;
      trait.code = shape->name;
      trait.sender_fault = !GetBool(definition, "fault");
      if (const json::value* error = definition.if_contains("error"); error && error->is_object()) {
        const json::object& error_object = error->get_object();
        if (std::string code = GetString(error_object, "code"); !code.empty()) trait.code = code;
        if (auto status = GetInt(error_object, "httpStatusCode")) {
          trait.http_status = static_cast<int>(*status);
        }
        if (const json::value* sender = error_object.if_contains("senderFault");
            sender && sender->is_bool()) {
          trait.sender_fault = sender->get_bool();
        } else if (trait.http_status >= 500) {
          trait.sender_fault = false;
        }
      } else if (!trait.sender_fault) {
        trait.http_status = 500;
      }
      shape->error = std::move(trait);
    }
    model->shape_index_.emplace(shape->name, shape.get());
    model->shapes_.push_back(std::move(shape));
  }

  // Pass 2: links between shapes.
  auto make_member = [&](std::string_view member_name, const json::value& value,
                         std::string_view default_wire_name) -> Result<Member> {
    if (!value.is_object()) return ModelError(fmt::format("member `{}` is not an object", member_name));
    const json::object& definition = value.get_object();
    Member member;
    member.name = std::string(member_name);
    std::string target = GetString(definition, "shape");
    auto found = model->shape_index_.find(target);
    if (found == model->shape_index_.end()) {
      return ModelError(fmt::format("member `{}` refers to unknown shape `{}`", member_name, target));
    }
    member.shape = found->second;
    member.wire_name = GetString(definition, "locationName");
    if (member.wire_name.empty()) member.wire_name = std::string(default_wire_name);
    member.location = ParseLocation(GetString(definition, "location"));
    member.flattened = GetBool(definition, "flattened");
    return member;
  };
  for (auto& shape : model->shapes_) {
    const json::object& definition = shapes.at(shape->name).get_object();
    if (shape->type == ShapeType::kStructure) {
      if (const json::value* members = definition.if_contains("members");
          members && members->is_object()) {
        for (const auto& [member_name, member_value] : members->get_object()) {
          Result<Member> member = make_member(member_name, member_value, member_name);
          if (!member) return Fail(member.error());
          shape->members.push_back(std::move(*member));
        }
      }
      if (const json::value* required = definition.if_contains("required");
          required && required->is_array()) {
        for (const json::value& item : required->get_array()) {
          if (!item.is_string()) continue;
          for (Member& member : shape->members) {
            if (member.name == item.get_string()) member.required = true;
          }
        }
      }
    } else if (shape->type == ShapeType::kList) {
      const json::value* member = definition.if_contains("member");
      if (member == nullptr) return ModelError(fmt::format("list `{}` has no member", shape->name));
      Result<Member> parsed = make_member("member", *member, "member");
      if (!parsed) return Fail(parsed.error());
      shape->list_member = std::move(*parsed);
    } else if (shape->type == ShapeType::kMap) {
      const json::value* key = definition.if_contains("key");
      const json::value* value = definition.if_contains("value");
      if (key == nullptr || value == nullptr) {
        return ModelError(fmt::format("map `{}` lacks key or value", shape->name));
      }
      Result<Member> parsed_key = make_member("key", *key, "key");
      if (!parsed_key) return Fail(parsed_key.error());
      Result<Member> parsed_value = make_member("value", *value, "value");
      if (!parsed_value) return Fail(parsed_value.error());
      shape->map_key = std::move(*parsed_key);
      shape->map_value = std::move(*parsed_value);
    }
  }

  // Operations.
  for (const auto& [name, value] : operations_value->get_object()) {
    if (!value.is_object()) return ModelError(fmt::format("operation `{}` is not an object", name));
    const json::object& definition = value.get_object();
    auto operation = std::make_unique<Operation>();
    operation->name = std::string(name);
    const std::string& op_name = operation->name;  // clang 14 cannot capture bindings
    operation->http_method = "POST";
    operation->request_uri = "/";
    if (const json::value* http = definition.if_contains("http"); http && http->is_object()) {
      const json::object& http_object = http->get_object();
      if (std::string method = GetString(http_object, "method"); !method.empty()) {
        operation->http_method = method;
      }
      if (std::string uri = GetString(http_object, "requestUri"); !uri.empty()) {
        operation->request_uri = uri;
      }
      if (auto code = GetInt(http_object, "responseCode")) {
        operation->http_response_code = static_cast<int>(*code);
      }
    }
    ParseRequestUri(*operation);
    auto resolve = [&](std::string_view key, const Shape*& out,
                       std::string* wrapper) -> Result<void> {
      const json::value* ref = definition.if_contains(key);
      if (ref == nullptr || !ref->is_object()) return Ok();
      std::string target = GetString(ref->get_object(), "shape");
      auto found = model->shape_index_.find(target);
      if (found == model->shape_index_.end()) {
        return ModelError(fmt::format("operation `{}` refers to unknown shape `{}`", op_name, target));
      }
      out = found->second;
      if (wrapper != nullptr) *wrapper = GetString(ref->get_object(), "resultWrapper");
      return Ok();
    };
    if (Result<void> r = resolve("input", operation->input, nullptr); !r) return Fail(r.error());
    if (Result<void> r = resolve("output", operation->output, &operation->result_wrapper); !r) {
      return Fail(r.error());
    }
    if (const json::value* errors = definition.if_contains("errors"); errors && errors->is_array()) {
      for (const json::value& ref : errors->get_array()) {
        if (!ref.is_object()) continue;
        auto found = model->shape_index_.find(GetString(ref.get_object(), "shape"));
        if (found != model->shape_index_.end()) operation->errors.push_back(found->second);
      }
    }
    model->operation_index_.emplace(operation->name, operation.get());
    model->operation_list_.push_back(operation.get());
    model->operations_.push_back(std::move(operation));
  }
  std::sort(model->operation_list_.begin(), model->operation_list_.end(),
            [](const Operation* a, const Operation* b) { return a->name < b->name; });

  // Errors by wire code and by shape name; the message member's spelling in JSON bodies.
  int upper_message = 0;
  int lower_message = 0;
  for (const auto& shape : model->shapes_) {
    if (!shape->error) continue;
    model->error_index_.emplace(shape->error->code, shape.get());
    model->error_index_.emplace(shape->name, shape.get());
    if (shape->FindMember("Message") != nullptr) ++upper_message;
    if (shape->FindMember("message") != nullptr) ++lower_message;
  }
  // Organizations models "Message", Support/Account "message"; CloudTrail's exception shapes
  // have no members and CloudTrail, like Organizations, answers "Message" (decisions.md).
  model->json_message_key_ =
      upper_message > lower_message || (upper_message == 0 && lower_message == 0) ? "Message"
                                                                                  : "message";
  return model;
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto found = operation_index_.find(std::string(name));
  return found == operation_index_.end() ? nullptr : found->second;
}

const Shape* ServiceModel::FindShape(std::string_view name) const {
  auto found = shape_index_.find(std::string(name));
  return found == shape_index_.end() ? nullptr : found->second;
}

const Shape* ServiceModel::FindErrorShape(std::string_view code) const {
  auto found = error_index_.find(std::string(code));
  return found == error_index_.end() ? nullptr : found->second;
}

Result<std::unique_ptr<ModelRegistry>> ModelRegistry::LoadFromTexts(
    const std::vector<std::string_view>& json_texts) {
  auto registry = std::make_unique<ModelRegistry>();
  for (std::string_view text : json_texts) {
    Result<std::unique_ptr<ServiceModel>> model = ServiceModel::Load(text);
    if (!model) return Fail(model.error());
    registry->services_.push_back(std::move(*model));
  }
  return registry;
}

Result<std::unique_ptr<ModelRegistry>> ModelRegistry::LoadEmbedded() {
  return LoadFromTexts({RP_EMBEDDED(rp_model_iam), RP_EMBEDDED(rp_model_sts),
                        RP_EMBEDDED(rp_model_organizations), RP_EMBEDDED(rp_model_cloudtrail),
                        RP_EMBEDDED(rp_model_account), RP_EMBEDDED(rp_model_support)});
}

const ServiceModel* ModelRegistry::Find(std::string_view signing_name) const {
  for (const auto& service : services_) {
    if (service->signing_name() == signing_name) return service.get();
  }
  return nullptr;
}

const ModelRegistry& Models() {
  static const ModelRegistry* const registry = [] {
    Result<std::unique_ptr<ModelRegistry>> loaded = ModelRegistry::LoadEmbedded();
    if (!loaded) {
      std::fprintf(stderr, "rampart: embedded AWS models do not load: %s\n",
                   loaded.error().message.c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *registry;
}

}  // namespace rampart::protocol
