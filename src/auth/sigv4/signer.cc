#include "auth/sigv4/signer.h"

#include <algorithm>
#include <vector>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>

#include "auth/sigv4/canonical.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth::sigv4 {
namespace {

void SetHeader(HttpRequest& request, std::string_view name, std::string value) {
  for (auto& [key, existing] : request.headers) {
    if (EqualsIgnoreCase(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  request.headers.emplace_back(std::string(name), std::move(value));
}

std::string PayloadHash(const HttpRequest& request) {
  if (auto declared = request.Header("x-amz-content-sha256")) return std::string(Trim(*declared));
  return crypto::Sha256Hex(request.body);
}

std::string QueryEncode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

SigningResult Finish(const HttpRequest& request, const SigningParams& params,
                     const std::vector<std::string>& signed_headers, bool presigned,
                     std::string_view amz_date, std::string_view payload_hash) {
  std::string date = FormatDateStamp(params.time);
  CanonicalRequestInput input;
  input.method = request.method;
  input.raw_path = request.Path();
  input.raw_query = request.Query();
  input.presigned = presigned;
  input.headers = &request.headers;
  input.signed_headers = &signed_headers;
  input.payload_hash = payload_hash;
  SigningResult result;
  result.canonical_request = CanonicalRequest(input);
  std::string scope = CredentialScope(date, params.region, params.service);
  result.string_to_sign = StringToSign(amz_date, scope, result.canonical_request);
  result.signature = Signature(
      DeriveSigningKey(params.secret_access_key, date, params.region, params.service),
      result.string_to_sign);
  return result;
}

}  // namespace

Result<SigningResult> SignRequest(HttpRequest& request, const SigningParams& params) {
  if (!request.Header("Host")) return Fail("InvalidRequest", "a signed request needs a Host header");
  std::string amz_date = FormatAmzDate(params.time);
  SetHeader(request, "X-Amz-Date", amz_date);
  if (params.session_token && params.sign_session_token) {
    SetHeader(request, "X-Amz-Security-Token", *params.session_token);
  }
  std::vector<std::string> names;
  for (const auto& [key, value] : request.headers) {
    std::string name = AsciiLower(key);
    if (name != "authorization") names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  SigningResult result =
      Finish(request, params, names, /*presigned=*/false, amz_date, PayloadHash(request));
  result.authorization = fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}",
                                     kAlgorithm, params.access_key_id,
                                     CredentialScope(FormatDateStamp(params.time), params.region,
                                                     params.service),
                                     JoinSignedHeaders(names), result.signature);
  SetHeader(request, "Authorization", result.authorization);
  if (params.session_token && !params.sign_session_token) {
    SetHeader(request, "X-Amz-Security-Token", *params.session_token);
  }
  return result;
}

Result<SigningResult> PresignRequest(HttpRequest& request, const SigningParams& params,
                                     std::chrono::seconds expires) {
  if (!request.Header("Host")) return Fail("InvalidRequest", "a signed request needs a Host header");
  if (expires.count() < 1 || expires.count() > 604800) {
    return Fail("InvalidRequest", "X-Amz-Expires must be between 1 and 604800 seconds");
  }
  std::string amz_date = FormatAmzDate(params.time);
  std::string credential =
      params.access_key_id + "/" +
      CredentialScope(FormatDateStamp(params.time), params.region, params.service);
  std::string query(request.Query());
  auto append = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query += '&';
    query += QueryEncode(name);
    query += '=';
    query += QueryEncode(value);
  };
  append("X-Amz-Algorithm", kAlgorithm);
  append("X-Amz-Credential", credential);
  append("X-Amz-Date", amz_date);
  append("X-Amz-Expires", std::to_string(expires.count()));
  append("X-Amz-SignedHeaders", "host");
  if (params.session_token) append("X-Amz-Security-Token", *params.session_token);
  request.target = std::string(request.Path()) + "?" + query;
  const std::vector<std::string> names = {"host"};
  SigningResult result =
      Finish(request, params, names, /*presigned=*/true, amz_date, PayloadHash(request));
  append("X-Amz-Signature", result.signature);
  request.target = std::string(request.Path()) + "?" + query;
  return result;
}

}  // namespace rampart::auth::sigv4
