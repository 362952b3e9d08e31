// SigV4 canonicalisation: the canonical request and string to sign of AWS Signature
// Version 4, shared by the verifier and the signer so both sides agree byte for byte.
//
// Source: AWS General Reference / IAM User Guide, "Create a canonical request for Signature
// Version 4" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
// checked against every case of the AWS SigV4 test suite (tests/conformance/sigv4/).
// Percent-encoding is Boost.URL's; nothing here encodes or decodes by hand.
//
// Pure functions over borrowed input; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace rampart::auth::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
// SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Canonical URI of a request path as received on the wire (no decoding), following AWS's
// rules for every service but S3: dot segments are removed (RFC 3986 §5.2.4), empty
// segments are dropped, a trailing slash is kept, and each segment is percent-encoded once
// more with only unreserved characters left as they are (so a `%` on the wire becomes
// `%25`: AWS's "URI-encode each path segment twice" for a client that encoded it once).
// An empty path is "/".
std::string CanonicalUri(std::string_view raw_path);

// Canonical query string of a raw query (the part after '?'): split on '&' and '=', each
// name and value percent-decoded ('+' decodes to a space, as form encoding and Go's
// url.ParseQuery do) and re-encoded with only unreserved characters left unencoded,
// upper-case hex, sorted by name then value, joined with '&'. A parameter without '='
// gets an empty value. A piece that is not valid percent-encoding is encoded as raw bytes.
// With `drop_signature`, X-Amz-Signature is left out (presigned requests).
std::string CanonicalQuery(std::string_view raw_query, bool drop_signature);

// Canonical form of one header value: leading and trailing white space removed and every
// inner run of white space (SP, HT, CR, LF: this also unfolds obs-fold continuations)
// replaced by one space.
std::string CanonicalHeaderValue(std::string_view value);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The canonical headers block ("name:value\n" for each signed header, in the order of
// `signed_headers`, which holds lower-case names). Values of repeated headers are joined
// with ',' in arrival order. A signed header absent from `headers` yields "name:\n".
std::string CanonicalHeaders(const HeaderList& headers,
                             const std::vector<std::string>& signed_headers);

struct CanonicalRequestInput {
  std::string_view method;
  std::string_view raw_path;
  std::string_view raw_query;
  bool presigned = false;  // drop X-Amz-Signature from the query
  const HeaderList* headers = nullptr;
  const std::vector<std::string>* signed_headers = nullptr;  // lower-case, as signed
  std::string_view payload_hash;  // lower-case hex SHA-256 of the body
};

// The six-line canonical request.
std::string CanonicalRequest(const CanonicalRequestInput& input);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>".
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// "<date>/<region>/<service>/aws4_request".
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

// The signing key: HMAC chain "AWS4"+secret -> date -> region -> service -> aws4_request.
// Raw 32 bytes. Callers on the hot path use SigningKeyCache instead.
std::string DeriveSigningKey(std::string_view secret, std::string_view date,
                             std::string_view region, std::string_view service);

// Lower-case hex HMAC-SHA256 of the string to sign under the signing key.
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

// "host;x-amz-date" from names (already lower-case and ordered).
std::string JoinSignedHeaders(const std::vector<std::string>& signed_headers);

}  // namespace rampart::auth::sigv4
