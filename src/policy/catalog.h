// The service catalog: for every AWS service prefix, its actions (access level, resource types,
// action-specific condition keys), resource types (ARN templates) and condition keys, plus the
// global `aws:` condition keys. Generated from the Service Authorization Reference by
// scripts/gen_service_catalog.py into data/aws/service-reference/catalog.json.
//
// The linter uses it to flag actions and condition keys no service defines; the IAM authorizer
// uses it to map an action to its resource types and condition keys.
// Ownership: ServiceCatalog owns its data (it does not borrow the JSON text).
// Thread-safety: immutable after Parse; share it as std::shared_ptr<const ServiceCatalog>.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace rampart::policy {

class ServiceCatalog {
 public:
  struct Action {
    std::string name;          // as AWS spells it, e.g. "GetObject"
    std::string name_lower;
    std::string access_level;  // "Read", "Write", "List", "Tagging", "Permissions management"
    std::vector<std::string> resource_types;
    std::vector<std::string> condition_keys;
  };
  struct ConditionKey {
    std::string name;  // as AWS spells it; may hold a template such as "aws:RequestTag/${TagKey}"
    std::string type;  // "String", "ArrayOfString", "Numeric", "Date", "Bool", "ARN", "IPAddress"...
  };
  struct Service {
    std::string prefix;  // lower case, e.g. "s3"
    std::string name;    // e.g. "Amazon S3"
    std::vector<Action> actions;  // sorted by name_lower
    std::vector<std::pair<std::string, std::string>> resource_types;  // name -> ARN template
    std::vector<ConditionKey> condition_keys;
  };

  ServiceCatalog() = default;

  // Parses catalog JSON (format 1). Error code "InvalidInput" with a description.
  static Result<ServiceCatalog> Parse(std::string_view json_text);

  // Case-insensitive lookups; nullptr when unknown.
  const Service* FindService(std::string_view prefix) const;
  const Action* FindAction(std::string_view service_prefix, std::string_view action_name) const;
  // "service:Action" form.
  const Action* FindAction(std::string_view qualified_action) const;

  // True when at least one defined action matches `pattern` ("s3:Get*", "*", "iam:?etUser").
  bool AnyActionMatches(std::string_view pattern) const;

  // The key's declared type when the catalog defines it (globally or for its service),
  // matching templates such as `aws:ResourceTag/${TagKey}` or `s3:ExistingObjectTag/<key>`
  // case-insensitively; nullopt otherwise.
  std::optional<std::string> ConditionKeyType(std::string_view key) const;

  const std::vector<Service>& services() const { return services_; }
  const std::vector<ConditionKey>& global_condition_keys() const { return global_keys_; }

 private:
  std::vector<Service> services_;  // sorted by prefix
  std::vector<ConditionKey> global_keys_;
};

// The catalog generated from the Service Authorization Reference, linked into the binary
// (target rp_policy_catalog). The view is valid for the life of the process.
std::string_view EmbeddedServiceCatalogJson();

}  // namespace rampart::policy
