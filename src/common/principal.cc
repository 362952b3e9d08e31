#include "common/principal.h"

namespace rampart {

const char* PrincipalTypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kRoot: return "Root";
    case PrincipalType::kIAMUser: return "IAMUser";
    case PrincipalType::kAssumedRole: return "AssumedRole";
    case PrincipalType::kFederatedUser: return "FederatedUser";
    case PrincipalType::kAWSService: return "AWSService";
    case PrincipalType::kAnonymous: return "Anonymous";
  }
  return "Anonymous";
}

}  // namespace rampart
