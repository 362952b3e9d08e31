#include "services/service.h"

namespace rampart::services {

void HandlerRegistry::Add(std::string service, std::string operation, OperationSpec spec) {
  operations_[{std::move(service), std::move(operation)}] = std::move(spec);
}

const OperationSpec* HandlerRegistry::Find(std::string_view service,
                                           std::string_view operation) const {
  auto it = operations_.find(std::make_pair(std::string(service), std::string(operation)));
  return it == operations_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, std::string>> HandlerRegistry::Implemented() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(operations_.size());
  for (const auto& [key, spec] : operations_) out.push_back(key);
  return out;
}

}  // namespace rampart::services
