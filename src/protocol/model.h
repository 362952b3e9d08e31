// The AWS service models (botocore service-2.json) in a compact, immutable form.
//
// A ServiceModel is built once from a model's JSON text and never changes afterwards:
// every pointer it hands out (Shape, Member, Operation) stays valid for the model's
// lifetime, and all methods are const, so one instance may be read by any number of
// threads without locking. Regular expressions from the model's `pattern` traits are
// translated from Java syntax to RE2 and compiled at load time; RE2 matches in linear
// time, so hostile input cannot make validation hang.
//
// Included through protocol/protocol.h; other modules should include that header.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace rampart::protocol {

namespace internal {
class Pattern;
}

// The wire protocol of a service (model metadata `protocol`).
enum class Kind { kQuery, kJson, kRestJson };

enum class ShapeType {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kBoolean,
  kDouble,
  kFloat,
  kTimestamp,
  kBlob,
};

// Where a REST-JSON member travels (model `location`); kBody for everything else.
enum class Location { kBody, kUri, kQueryString, kHeader, kHeaders, kStatusCode };

// `timestampFormat` of a timestamp shape; kDefault means the protocol's default
// (query: ISO 8601, json/rest-json: epoch seconds).
enum class TimestampFormat { kDefault, kIso8601, kUnixTimestamp, kRfc822 };

struct Shape;

struct Member {
  std::string name;           // the model's member name, e.g. "UserName"
  std::string wire_name;      // `locationName` if given, else `name`
  const Shape* shape = nullptr;
  Location location = Location::kBody;
  bool required = false;
  bool flattened = false;     // member-level `flattened` (query/XML lists and maps)
};

// Error trait of an exception shape (`error` in the model).
struct ErrorTrait {
  std::string code;           // wire code: `error.code` if given, else the shape name
  int http_status = 400;      // `error.httpStatusCode` if given
  bool sender_fault = true;   // `error.senderFault`; false for server faults (`fault`)
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::kString;

  // Structures: members in model order.
  std::vector<Member> members;
  // Lists: the element member (its wire_name is the XML element name, "member" by default).
  std::optional<Member> list_member;
  // Maps: key and value members ("key"/"value" by default).
  std::optional<Member> map_key;
  std::optional<Member> map_value;
  bool flattened = false;

  // Constraints. For strings and blobs min/max bound the length (strings in Unicode code
  // points), for lists and maps the number of entries, for numbers the value.
  std::optional<std::int64_t> min;
  std::optional<std::int64_t> max;
  std::string pattern;                       // as written in the model (Java syntax)
  std::shared_ptr<const internal::Pattern> regex;  // compiled `pattern`, or null
  std::vector<std::string> enum_values;      // model order
  bool sensitive = false;
  bool is_union = false;
  TimestampFormat timestamp_format = TimestampFormat::kDefault;

  // Exceptions only.
  std::optional<ErrorTrait> error;

  // The member with this model name, or nullptr.
  const Member* FindMember(std::string_view member_name) const;
};

// One segment of a REST-JSON requestUri path template.
struct UriSegment {
  std::string text;        // literal text, or the label name for a label
  bool is_label = false;
  bool greedy = false;     // "{Key+}"
};

struct Operation {
  std::string name;                       // "CreateUser"
  std::string http_method;                // "POST"
  std::string request_uri;                // "/" or a REST-JSON template
  int http_response_code = 200;
  const Shape* input = nullptr;           // may be null: operation takes no input
  const Shape* output = nullptr;          // may be null: operation returns no output
  std::string result_wrapper;             // query protocol: "CreateUserResult"
  std::vector<const Shape*> errors;       // modeled error shapes

  // REST-JSON: requestUri split into path segments and literal query parameters.
  std::vector<UriSegment> uri_path;
  std::vector<std::pair<std::string, std::string>> uri_query;
};

// One service's model. Immutable after Load; thread-safe for concurrent reads.
class ServiceModel {
 public:
  // Parses a botocore service-2.json text. Returns `InvalidModel` if the text is not a
  // model this layer understands (unknown protocol, dangling shape reference, a pattern
  // RE2 cannot compile).
  static Result<std::unique_ptr<ServiceModel>> Load(std::string_view json_text);

  ServiceModel(const ServiceModel&) = delete;
  ServiceModel& operator=(const ServiceModel&) = delete;

  Kind kind() const { return kind_; }
  const std::string& signing_name() const { return signing_name_; }   // "iam"
  const std::string& endpoint_prefix() const { return endpoint_prefix_; }
  const std::string& service_id() const { return service_id_; }       // "IAM"
  const std::string& api_version() const { return api_version_; }     // "2010-05-08"
  const std::string& xml_namespace() const { return xml_namespace_; } // query only
  const std::string& target_prefix() const { return target_prefix_; } // json only
  const std::string& json_version() const { return json_version_; }   // "1.1"

  // Validation messages: whether values are echoed ("Value 'x' at 'userName'") or left
  // out ("Value at 'userName'"). IAM leaves every value out (recorded AWS errors); other
  // services echo values except for `sensitive` shapes.
  bool redacts_values() const { return redacts_values_; }
  // Name of the message member in JSON error bodies ("message" or "Message").
  const std::string& json_message_key() const { return json_message_key_; }

  // Operation by exact name, or nullptr.
  const Operation* FindOperation(std::string_view name) const;
  // Shape by model name, or nullptr.
  const Shape* FindShape(std::string_view name) const;
  // Exception shape whose wire code (or shape name) is `code`, or nullptr.
  const Shape* FindErrorShape(std::string_view code) const;
  // All operations, sorted by name.
  const std::vector<const Operation*>& operations() const { return operation_list_; }

 private:
  ServiceModel() = default;

  Kind kind_ = Kind::kQuery;
  std::string signing_name_, endpoint_prefix_, service_id_, api_version_, xml_namespace_,
      target_prefix_, json_version_;
  bool redacts_values_ = false;
  std::string json_message_key_ = "message";
  std::vector<std::unique_ptr<Shape>> shapes_;
  std::unordered_map<std::string, Shape*> shape_index_;
  std::vector<std::unique_ptr<Operation>> operations_;
  std::unordered_map<std::string, const Operation*> operation_index_;
  std::vector<const Operation*> operation_list_;
  std::unordered_map<std::string, const Shape*> error_index_;
};

// The set of loaded models, keyed by SigV4 signing name. Immutable after construction;
// thread-safe for concurrent reads.
class ModelRegistry {
 public:
  // Loads the models linked into the binary (iam, sts, organizations, cloudtrail, account,
  // support). Fails only if an embedded model is broken, which is a build defect.
  static Result<std::unique_ptr<ModelRegistry>> LoadEmbedded();
  // Builds a registry from model texts (tests and tools).
  static Result<std::unique_ptr<ModelRegistry>> LoadFromTexts(
      const std::vector<std::string_view>& json_texts);

  // The model for a SigV4 signing name ("iam", "sts", ...), or nullptr.
  const ServiceModel* Find(std::string_view signing_name) const;
  const std::vector<std::unique_ptr<ServiceModel>>& services() const { return services_; }

 private:
  std::vector<std::unique_ptr<ServiceModel>> services_;
};

// The embedded models, loaded on first use (thread-safe; C++ static initialisation) and
// kept for the life of the process. Call it once at start-up so the first request does
// not pay the load (about 25 ms in a release build; see docs/benchmarks.md). Aborts if an
// embedded model does not load, which can only be a build defect.
const ModelRegistry& Models();

}  // namespace rampart::protocol
