// The service-handler layer: each AWS operation is a function from a decoded, validated
// input tree (the model's member names as keys, see protocol/) to an output tree or an
// AWS error. Handlers never see HTTP, XML or JSON text.
//
// A HandlerRegistry is filled once at start-up and then only read: thread-safe for reads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "common/clock.h"
#include "common/principal.h"
#include "common/result.h"

namespace rampart::services {

// What a handler knows of the call besides its input. Borrowed for the call only.
struct CallContext {
  const Principal& caller;
  std::string_view service;     // SigV4 signing name: "iam", "sts", ...
  std::string_view operation;   // model operation name: "CreateUser"
  std::string_view request_id;
  std::string_view region;      // from the credential scope
  std::string_view source_ip;
  std::string_view user_agent;
  bool secure_transport = false;
  TimePoint now;
};

using Handler =
    std::function<Result<boost::json::object>(CallContext&, const boost::json::object& input)>;

struct OperationSpec {
  Handler handler;
  // False only for the operations AWS lets every authenticated caller perform whatever
  // the policies say (sts:GetCallerIdentity).
  bool requires_authorization = true;
};

class HandlerRegistry {
 public:
  void Add(std::string service, std::string operation, OperationSpec spec);
  // nullptr when the operation is not implemented (it may still be in the model).
  const OperationSpec* Find(std::string_view service, std::string_view operation) const;
  // (service, operation) pairs that are implemented, sorted.
  std::vector<std::pair<std::string, std::string>> Implemented() const;

 private:
  std::map<std::pair<std::string, std::string>, OperationSpec, std::less<>> operations_;
};

}  // namespace rampart::services
