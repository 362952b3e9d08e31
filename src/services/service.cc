#include "services/service.h"

namespace rampart::services {

Result<void> CallContext::Write(const store::WriteWork& work) {
  if (env_.store == nullptr) return Fail("ServiceFailure", "no store is configured", 500);
  for (const std::function<void()>& hook : before_write_) hook();
  Result<void> written = env_.store->Write([&](store::WriteTransaction& tx) -> Result<void> {
    if (Result<void> done = work(tx); !done) return done;
    for (const store::WriteWork& hook : write_hooks_) {
      if (Result<void> hooked = hook(tx); !hooked) return hooked;
    }
    return Ok();
  });
  if (written) ++committed_writes_;
  return written;
}

Result<void> CallContext::Read(const store::ReadWork& work) const {
  if (env_.store == nullptr) return Fail("ServiceFailure", "no store is configured", 500);
  return env_.store->Read(work);
}

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
