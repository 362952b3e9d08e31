// Syntax tree -> CompiledPolicy, with the per-type validation rules of IAM and Organizations.
// Internal to the policy module (the front header exposes CompilePolicy).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "policy/compile/compiled_policy.h"
#include "policy/document/document.h"

namespace rampart::policy::internal {

// Why a document was rejected: AWS's wording, a precise description for the linter, and the
// byte offset of the offending element.
struct CompileFailure {
  std::string code;         // "MalformedPolicyDocument", "MalformedPolicyDocumentException", ...
  std::string aws_message;  // exactly what AWS says
  std::string detail;       // lower-case, precise ("statement 2: unknown element `Actions`")
  std::uint32_t offset = 0;
  int http_status = 400;
};

struct CompileRequest {
  std::string_view text;
  PolicyType type = PolicyType::kIdentity;
  std::string policy_id;
  bool enforce_size_quota = true;
};

// Compiles `request.text` (the tree is parsed here too). On failure returns the details.
tl::expected<std::shared_ptr<const CompiledPolicy>, CompileFailure> CompileDetailed(
    const CompileRequest& request);

}  // namespace rampart::policy::internal
