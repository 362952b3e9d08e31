#include "services/sts/sts.h"

namespace rampart::services::sts {

Result<boost::json::object> GetCallerIdentity(CallContext& call, const boost::json::object&) {
  boost::json::object out;
  out["UserId"] = call.caller().principal_id;
  out["Account"] = call.caller().account_id;
  out["Arn"] = call.caller().arn;
  return out;
}

}  // namespace rampart::services::sts
