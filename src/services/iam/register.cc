#include "services/iam/iam.h"

namespace rampart::services::iam {

void Register(HandlerRegistry& registry, const IamOptions& options) {
  RegisterUsers(registry, options);
  RegisterGroups(registry, options);
  RegisterAccessKeys(registry, options);
  RegisterLogin(registry, options);
  RegisterMfa(registry, options);
  RegisterRoles(registry, options);
  RegisterInstanceProfiles(registry, options);
  RegisterManagedPolicies(registry, options);
  RegisterAttachments(registry, options);
  RegisterInlinePolicies(registry, options);
  RegisterAccountViews(registry, options);
  RegisterSimulation(registry, options);
}

}  // namespace rampart::services::iam
