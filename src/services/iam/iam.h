// IAM operation handlers (iam.amazonaws.com, query protocol, API 2010-05-08), one file per
// resource family. Each family registers the operations it implements, with the
// authorization target of each (action iam:<Operation>, resource ARNs and condition keys as
// data/aws/service-reference/actions/iam.json defines them).
#pragma once

#include "services/iam/iam_common.h"
#include "services/service.h"

namespace rampart::services::iam {

// Registers every implemented IAM operation.
void Register(HandlerRegistry& registry, const IamOptions& options);

// Families (users.cc, groups.cc, access_keys.cc, login.cc, mfa.cc, roles.cc,
// instance_profiles.cc, managed_policies.cc, attachments.cc, inline_policies.cc,
// account.cc, simulation.cc).
void RegisterUsers(HandlerRegistry& registry, const IamOptions& options);
void RegisterGroups(HandlerRegistry& registry, const IamOptions& options);
void RegisterAccessKeys(HandlerRegistry& registry, const IamOptions& options);
void RegisterLogin(HandlerRegistry& registry, const IamOptions& options);
void RegisterMfa(HandlerRegistry& registry, const IamOptions& options);
void RegisterRoles(HandlerRegistry& registry, const IamOptions& options);
void RegisterInstanceProfiles(HandlerRegistry& registry, const IamOptions& options);
void RegisterManagedPolicies(HandlerRegistry& registry, const IamOptions& options);
void RegisterAttachments(HandlerRegistry& registry, const IamOptions& options);
void RegisterInlinePolicies(HandlerRegistry& registry, const IamOptions& options);
void RegisterAccountViews(HandlerRegistry& registry, const IamOptions& options);
void RegisterSimulation(HandlerRegistry& registry, const IamOptions& options);

}  // namespace rampart::services::iam
