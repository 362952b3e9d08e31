#include "services/iam/iam.h"

namespace rampart::services::iam {

// No operation of this family is implemented yet: each answers NotImplemented (501).
void RegisterMfa(HandlerRegistry&, const IamOptions&) {}

}  // namespace rampart::services::iam
