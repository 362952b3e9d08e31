#include "auth/sigv4/canonical.h"

#include <algorithm>
#include <cstring>

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth::sigv4 {
namespace {

// Percent-encodes everything but RFC 3986 unreserved characters, upper-case hex: the
// SigV4 "UriEncode" of the AWS documentation.
std::string UriEncode(std::string_view bytes) {
  return boost::urls::encode(bytes, boost::urls::unreserved_chars);
}

// Decodes one query name or value; input that is not valid percent-encoding is taken as
// raw bytes (it is then encoded whole, so it still canonicalises deterministically).
std::string QueryDecode(std::string_view piece) {
  auto pct = boost::urls::make_pct_string_view(piece);
  if (!pct) return std::string(piece);
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return pct->decode(opts);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string ToStr(const crypto::Sha256Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

std::string CanonicalUri(std::string_view raw_path) {
  std::vector<std::string_view> kept;
  for (std::string_view segment : Split(raw_path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out = "/";
  for (std::size_t idx = 0; idx < kept.size(); ++idx) {
    if (idx > 0) out += '/';
    out += UriEncode(kept[idx]);
  }
  if (!kept.empty() && !raw_path.empty() && raw_path.back() == '/') out += '/';
  return out;
}

std::string CanonicalQuery(std::string_view raw_query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!raw_query.empty()) {
    for (std::string_view pair : Split(raw_query, '&')) {
      if (pair.empty()) continue;
      std::size_t eq = pair.find('=');
      std::string_view name = eq == std::string_view::npos ? pair : pair.substr(0, eq);
      std::string_view value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      std::string decoded_name = QueryDecode(name);
      if (drop_signature && decoded_name == "X-Amz-Signature") continue;
      params.emplace_back(UriEncode(decoded_name), UriEncode(QueryDecode(value)));
    }
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

namespace {

// Appends `value` trimmed, with each run of spaces collapsed to one; the runs between spaces
// are copied whole (a session token is one run of several hundred bytes).
void AppendCanonicalHeaderValue(std::string& out, std::string_view value) {
  // Most values (dates, hashes, tokens) hold no whitespace at all: four vectorised scans
  // are cheaper than testing every byte against four characters.
  if (std::memchr(value.data(), ' ', value.size()) == nullptr &&
      std::memchr(value.data(), '\t', value.size()) == nullptr &&
      std::memchr(value.data(), '\r', value.size()) == nullptr &&
      std::memchr(value.data(), '\n', value.size()) == nullptr) {
    out.append(value);
    return;
  }
  std::size_t i = 0;
  const std::size_t n = value.size();
  while (i < n && IsSpace(value[i])) ++i;
  bool separate = false;
  while (i < n) {
    std::size_t end = i;
    while (end < n && !IsSpace(value[end])) ++end;
    if (separate) out += ' ';
    out.append(value.data() + i, end - i);
    i = end;
    while (i < n && IsSpace(value[i])) ++i;
    separate = true;
  }
}

}  // namespace

std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  AppendCanonicalHeaderValue(out, value);
  return out;
}

std::string CanonicalHeaders(const HeaderList& headers,
                             const std::vector<std::string>& signed_headers) {
  std::size_t size = 0;
  for (const auto& [key, value] : headers) size += key.size() + value.size() + 2;
  std::string out;
  out.reserve(size);
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [key, value] : headers) {
      if (!EqualsIgnoreCase(key, name)) continue;
      if (!first) out += ',';
      AppendCanonicalHeaderValue(out, value);
      first = false;
    }
    out += '\n';
  }
  return out;
}

std::string JoinSignedHeaders(const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const CanonicalRequestInput& input) {
  static const HeaderList kNoHeaders;
  static const std::vector<std::string> kNoNames;
  const HeaderList& headers = input.headers ? *input.headers : kNoHeaders;
  const std::vector<std::string>& names = input.signed_headers ? *input.signed_headers : kNoNames;
  std::string out;
  out.reserve(256 + input.raw_query.size());
  out += input.method;
  out += '\n';
  out += CanonicalUri(input.raw_path);
  out += '\n';
  out += CanonicalQuery(input.raw_query, input.presigned);
  out += '\n';
  out += CanonicalHeaders(headers, names);
  out += '\n';
  out += JoinSignedHeaders(names);
  out += '\n';
  out += input.payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 68);
  out += kAlgorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += crypto::Sha256Hex(canonical_request);
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + kTerminator.size() + 3);
  out += date;
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += '/';
  out += kTerminator;
  return out;
}

std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service) {
  std::string key = "AWS4";
  key += secret;
  std::string k_date = ToStr(crypto::HmacSha256(key, date));
  std::fill(key.begin(), key.end(), '\0');
  std::string k_region = ToStr(crypto::HmacSha256(k_date, region));
  std::string k_service = ToStr(crypto::HmacSha256(k_region, service));
  return ToStr(crypto::HmacSha256(k_service, kTerminator));
}

std::string Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return crypto::HexEncode(crypto::HmacSha256(signing_key, string_to_sign));
}

}  // namespace rampart::auth::sigv4
