// GetAccessKeyInfo: the account an access key id belongs to.
#include <fmt/format.h>

#include "common/strings.h"
#include "services/sts/internal.h"

namespace rampart::services::sts {

Result<json::object> GetAccessKeyInfo(CallContext& call, const json::object& in) {
  if (auto scope = CheckTemporaryCredentialScope(call.caller(), "sts", "GetAccessKeyInfo"); !scope) {
    return Fail(scope.error());
  }
  const std::string key_id = OptString(in, "AccessKeyId").value_or("");
  // The API reference: "Providing a deleted access key might return an error that the key
  // doesn't exist." rampart answers so for every key it cannot place (docs/decisions.md, STS).
  const Error unknown = InvalidParameterValue(
      fmt::format("The access key ID {} does not exist in our records.", key_id));
  std::optional<std::string> account;
  if (StartsWith(key_id, "ASIA")) {
    // Session key ids carry their account (auth/session_token.h); sessions are not stored.
    account = auth::AccountOfSessionKeyId(key_id);
  } else {
    Result<void> read = call.Read([&](const store::ReadTransaction& tx) -> Result<void> {
      Result<store::AccessKeyRow> key = tx.AccessKeys().Get(key_id);
      if (!key) {
        if (store::IsNotFound(key.error())) return Ok();
        return Fail(key.error());
      }
      account = key->account_id;
      return Ok();
    });
    if (!read) return Fail(FromStore(read.error()));
  }
  if (!account) return Fail(unknown);
  json::object out;
  out["Account"] = *account;
  return out;
}

}  // namespace rampart::services::sts
