#include "common/arn.h"

#include <fmt/format.h>

namespace rampart {

Result<Arn> Arn::Parse(std::string_view text) {
  Arn arn;
  std::string_view rest = text;
  std::string* fields[] = {nullptr, &arn.partition, &arn.service, &arn.region, &arn.account};
  for (int field_idx = 0; field_idx < 5; ++field_idx) {
    std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return Fail("InvalidArn", "not a valid ARN");
    std::string_view piece = rest.substr(0, colon);
    if (field_idx == 0) {
      if (piece != "arn") return Fail("InvalidArn", "not a valid ARN");
    } else {
      fields[field_idx]->assign(piece);
    }
    rest.remove_prefix(colon + 1);
  }
  if (arn.partition.empty() || arn.service.empty()) return Fail("InvalidArn", "not a valid ARN");
  arn.resource.assign(rest);
  return arn;
}

std::string Arn::ToString() const {
  return fmt::format("arn:{}:{}:{}:{}:{}", partition, service, region, account, resource);
}

std::string RootArn(std::string_view account_id) {
  return fmt::format("arn:aws:iam::{}:root", account_id);
}

std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name) {
  if (path.empty()) path = "/";
  return fmt::format("arn:aws:iam::{}:{}{}{}", account_id, kind, path, name);
}

bool IsAccountId(std::string_view text) {
  if (text.size() != 12) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace rampart
