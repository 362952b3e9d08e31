// STS operation handlers (sts.amazonaws.com, query protocol, API 2011-06-15).
#pragma once

#include "services/service.h"

namespace rampart::services::sts {

// Registers the implemented STS operations.
void Register(HandlerRegistry& registry);

// GetCallerIdentity: the caller as AWS reports it — for the root user
// `arn:aws:iam::ID:root` with the account id as UserId; for IAM users their ARN and AIDA id;
// for role sessions `arn:aws:sts::ID:assumed-role/ROLE/SESSION` with `AROA...:SESSION`.
// Needs no permission (STS API reference: "No permissions are required").
Result<boost::json::object> GetCallerIdentity(CallContext& call, const boost::json::object& input);

}  // namespace rampart::services::sts
