// The embedded service catalog (data/aws/service-reference/catalog.json, linked by rp_embed).
#include "common/embed.h"
#include "policy/catalog.h"

RP_DECLARE_EMBEDDED(rp_service_catalog);

namespace rampart::policy {

std::string_view EmbeddedServiceCatalogJson() { return RP_EMBEDDED(rp_service_catalog); }

}  // namespace rampart::policy
