#include "auth/sigv4/verifier.h"

#include <charconv>
#include <vector>

#include <boost/url/pct_string_view.hpp>
#include <fmt/format.h>

#include "auth/sigv4/canonical.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth {
namespace {

constexpr int kBadRequest = 400;
constexpr int kForbidden = 403;

// AWS's own words (IAM/STS, query protocol). Sources are in docs/decisions.md "auth".
constexpr std::string_view kSignatureMismatchMessage =
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.";

tl::unexpected<Error> Incomplete(std::string message) {
  return Fail("IncompleteSignature", std::move(message), kBadRequest);
}
tl::unexpected<Error> Mismatch(std::string message) {
  return Fail("SignatureDoesNotMatch", std::move(message), kForbidden);
}

// Everything the request says about its signature, before any check against a key.
struct ParsedAuth {
  SigV4Scope scope;
  std::string terminator;
  std::vector<std::string> signed_headers;  // lower-case, in the client's order
  std::string signature;
  std::string amz_date;  // the string-to-sign timestamp, basic ISO 8601
  TimePoint time;
  std::optional<std::int64_t> expires;  // presigned X-Amz-Expires, seconds
  std::optional<std::string> session_token;
};

std::string DecodeQueryPiece(std::string_view piece) {
  auto pct = boost::urls::make_pct_string_view(piece);
  if (!pct) return std::string(piece);
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return pct->decode(opts);
}

// Whether the query carries presigning parameters (names compared after decoding).
bool HasQueryAuth(std::string_view raw_query) {
  if (raw_query.find("X-Amz-") == std::string_view::npos &&
      raw_query.find('%') == std::string_view::npos) {
    return false;
  }
  for (std::string_view pair : Split(raw_query, '&')) {
    std::string_view raw_key = pair.substr(0, pair.find('='));
    std::string key = raw_key.find('%') == std::string_view::npos ? std::string(raw_key)
                                                                   : DecodeQueryPiece(raw_key);
    if (key == "X-Amz-Algorithm" || key == "X-Amz-Credential" || key == "X-Amz-Signature") {
      return true;
    }
  }
  return false;
}

// "Date must be in ISO-8601 'basic format'..." is what AWS answers for a malformed
// X-Amz-Date.
Result<TimePoint> ParseAmzDate(std::string_view text) {
  bool shape = text.size() == 16 && text[8] == 'T' && text[15] == 'Z';
  for (std::size_t idx = 0; shape && idx < 15; ++idx) {
    if (idx == 8) continue;
    shape = text[idx] >= '0' && text[idx] <= '9';
  }
  Result<TimePoint> time = shape ? ParseIso8601(text) : Result<TimePoint>(Fail("", ""));
  if (!time) {
    return Incomplete(fmt::format(
        "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
        text));
  }
  return time;
}

// Credential = AKID/date/region/service/terminator.
Result<void> ParseCredential(std::string_view credential, ParsedAuth& out) {
  std::vector<std::string_view> parts = Split(credential, '/');
  if (parts.size() != 5) {
    return Incomplete(fmt::format(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '{}'",
        credential));
  }
  out.scope.access_key_id = parts[0];
  out.scope.date = parts[1];
  out.scope.region = parts[2];
  out.scope.service = parts[3];
  out.terminator = parts[4];
  return Ok();
}

Result<void> ParseSignedHeaders(std::string_view text, ParsedAuth& out) {
  for (std::string_view name : Split(text, ';')) out.signed_headers.push_back(AsciiLower(name));
  // AWS: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
  for (const std::string& name : out.signed_headers) {
    if (name == "host") return Ok();
  }
  return Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

// The request date: X-Amz-Date, else Date (RFC 7231).
Result<std::optional<TimePoint>> HeaderDate(const HttpRequest& request, std::string* amz_date) {
  if (auto value = request.Header("X-Amz-Date")) {
    Result<TimePoint> time = ParseAmzDate(Trim(*value));
    if (!time) return Fail(time.error());
    *amz_date = std::string(Trim(*value));
    return std::optional<TimePoint>(*time);
  }
  if (auto value = request.Header("Date")) {
    Result<TimePoint> time = ParseHttpDate(Trim(*value));
    if (!time) {
      return Incomplete(fmt::format(
          "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
          Trim(*value)));
    }
    *amz_date = FormatAmzDate(*time);
    return std::optional<TimePoint>(*time);
  }
  return std::optional<TimePoint>();
}

Result<ParsedAuth> ParseHeaderAuth(const HttpRequest& request, std::string_view header) {
  ParsedAuth out;
  std::string_view value = Trim(header);
  std::string date_text;
  Result<std::optional<TimePoint>> date = HeaderDate(request, &date_text);

  std::optional<std::string_view> credential, signed_headers, signature;
  std::size_t space = value.find(' ');
  std::string_view algorithm = value.substr(0, space);
  if (algorithm == sigv4::kAlgorithm && space != std::string_view::npos) {
    // Components are separated by commas and white space, as AWS reads them: a stray space
    // inside a value ("Credential=AKIA... /2026...") leaves a piece without '=' that AWS
    // reports as "not a valid key=value pair".
    std::vector<std::string_view> components;
    std::string_view rest = value.substr(space + 1);
    std::size_t start = 0;
    for (std::size_t idx = 0; idx <= rest.size(); ++idx) {
      if (idx == rest.size() || rest[idx] == ',' || rest[idx] == ' ' || rest[idx] == '\t') {
        if (idx > start) components.push_back(rest.substr(start, idx - start));
        start = idx + 1;
      }
    }
    for (std::string_view component : components) {
      std::size_t eq = component.find('=');
      if (eq == std::string_view::npos) {
        return Incomplete(fmt::format(
            "'{}' not a valid key=value pair (missing equal-sign) in Authorization header: '{}'.",
            component, value));
      }
      std::string_view key = Trim(component.substr(0, eq));
      std::string_view val = Trim(component.substr(eq + 1));
      if (key == "Credential") credential = val;
      if (key == "SignedHeaders") signed_headers = val;
      if (key == "Signature") signature = val;
    }
  }
  bool date_missing = date && !date->has_value();
  if (!credential || !signed_headers || !signature || date_missing) {
    // The wording and order of AWS's answer, e.g. "Authorization header requires 'Credential'
    // parameter. Authorization header requires 'Signature' parameter. ... Authorization=..."
    std::string message;
    if (!credential) message += "Authorization header requires 'Credential' parameter. ";
    if (!signature) message += "Authorization header requires 'Signature' parameter. ";
    if (!signed_headers) message += "Authorization header requires 'SignedHeaders' parameter. ";
    if (date_missing) {
      message +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header. ";
    }
    message += "Authorization=";
    message += value;
    return Incomplete(std::move(message));
  }
  if (!date) return Fail(date.error());
  if (Result<void> ok = ParseCredential(*credential, out); !ok) return Fail(ok.error());
  if (Result<void> ok = ParseSignedHeaders(*signed_headers, out); !ok) return Fail(ok.error());
  out.signature = std::string(*signature);
  out.amz_date = std::move(date_text);
  out.time = **date;
  if (auto token = request.Header("X-Amz-Security-Token")) out.session_token = std::string(*token);
  return out;
}

// The X-Amz-* parameters of a presigned request, read in one pass over the query (first
// occurrence of each wins).
struct PresignParams {
  std::optional<std::string> algorithm, credential, date, expires, signed_headers, signature,
      security_token;
};

PresignParams ReadPresignParams(std::string_view query) {
  PresignParams params;
  for (std::string_view pair : Split(query, '&')) {
    std::size_t eq = pair.find('=');
    std::string_view raw_key = eq == std::string_view::npos ? pair : pair.substr(0, eq);
    std::string key = raw_key.find('%') == std::string_view::npos && raw_key.find('+') == std::string_view::npos
                          ? std::string(raw_key)
                          : DecodeQueryPiece(raw_key);
    if (!StartsWith(key, "X-Amz-")) continue;
    std::optional<std::string>* slot = nullptr;
    if (key == "X-Amz-Algorithm") slot = &params.algorithm;
    else if (key == "X-Amz-Credential") slot = &params.credential;
    else if (key == "X-Amz-Date") slot = &params.date;
    else if (key == "X-Amz-Expires") slot = &params.expires;
    else if (key == "X-Amz-SignedHeaders") slot = &params.signed_headers;
    else if (key == "X-Amz-Signature") slot = &params.signature;
    else if (key == "X-Amz-Security-Token") slot = &params.security_token;
    if (slot == nullptr || slot->has_value()) continue;
    *slot = eq == std::string_view::npos ? std::string() : DecodeQueryPiece(pair.substr(eq + 1));
  }
  return params;
}

Result<ParsedAuth> ParseQueryAuth(const HttpRequest& request) {
  PresignParams params = ReadPresignParams(request.Query());
  ParsedAuth out;
  out.scope.presigned = true;
  std::optional<std::string>& algorithm = params.algorithm;
  std::optional<std::string>& credential = params.credential;
  std::optional<std::string>& date = params.date;
  std::optional<std::string>& signed_headers = params.signed_headers;
  std::optional<std::string>& signature = params.signature;
  if (!algorithm || !credential || !date || !signed_headers || !signature) {
    // S3 documents this wording (AuthorizationQueryParametersError); IAM and STS document
    // none, so it is returned as IncompleteSignature, their code for a malformed signature.
    std::string missing;
    auto note = [&missing](const std::optional<std::string>& value, std::string_view name) {
      if (value) return;
      if (!missing.empty()) missing += ", ";
      missing += fmt::format("'{}'", name);
    };
    note(algorithm, "X-Amz-Algorithm");
    note(credential, "X-Amz-Credential");
    note(date, "X-Amz-Date");
    note(signed_headers, "X-Amz-SignedHeaders");
    note(signature, "X-Amz-Signature");
    return Incomplete(fmt::format(
        "AWS query-string parameters must include {}. Re-examine the query-string parameters.",
        missing));
  }
  if (*algorithm != sigv4::kAlgorithm) {
    return Incomplete("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  if (Result<void> ok = ParseCredential(*credential, out); !ok) return Fail(ok.error());
  Result<TimePoint> time = ParseAmzDate(*date);
  if (!time) return Fail(time.error());
  if (Result<void> ok = ParseSignedHeaders(*signed_headers, out); !ok) return Fail(ok.error());
  if (std::optional<std::string>& expires = params.expires) {
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
    if (ec != std::errc() || end != expires->data() + expires->size() || expires->empty()) {
      return Incomplete("X-Amz-Expires should be a number");
    }
    if (seconds < 0) return Incomplete("X-Amz-Expires must be non-negative");
    out.expires = seconds;
  }
  out.signature = std::move(*signature);
  out.amz_date = std::move(*date);
  out.time = *time;
  out.session_token = std::move(params.security_token);
  return out;
}

// nullopt: no SigV4 in the request at all.
Result<std::optional<ParsedAuth>> Parse(const HttpRequest& request) {
  std::optional<std::string_view> header = request.Header("Authorization");
  bool query_auth = HasQueryAuth(request.Query());
  if (header && query_auth) {
    return Incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
        "query string parameter or the Authorization header should be specified");
  }
  if (header) {
    Result<ParsedAuth> parsed = ParseHeaderAuth(request, *header);
    if (!parsed) return Fail(parsed.error());
    return std::optional<ParsedAuth>(std::move(*parsed));
  }
  if (query_auth) {
    Result<ParsedAuth> parsed = ParseQueryAuth(request);
    if (!parsed) return Fail(parsed.error());
    return std::optional<ParsedAuth>(std::move(*parsed));
  }
  return std::optional<ParsedAuth>();
}

std::string FormatMinutesOrSeconds(std::chrono::seconds limit) {
  if (limit.count() % 60 == 0) return fmt::format("{} min.", limit.count() / 60);
  return fmt::format("{} sec.", limit.count());
}

}  // namespace

Error InvalidClientTokenIdError() {
  return Error("InvalidClientTokenId", "The security token included in the request is invalid.",
               kForbidden);
}

Error ExpiredTokenError() {
  return Error("ExpiredToken", "The security token included in the request is expired",
               kForbidden);
}

Error MissingAuthenticationTokenError() {
  return Error("MissingAuthenticationToken", "Request is missing Authentication Token",
               kForbidden);
}

Result<std::optional<SigV4Scope>> ParseScope(const HttpRequest& request) {
  Result<std::optional<ParsedAuth>> parsed = Parse(request);
  if (!parsed) return Fail(parsed.error());
  if (!parsed->has_value()) return std::optional<SigV4Scope>();
  return std::optional<SigV4Scope>(std::move((*parsed)->scope));
}

SigV4Verifier::SigV4Verifier(const CredentialSource& credentials, const Clock& clock,
                             VerifierOptions options)
    : credentials_(credentials),
      clock_(clock),
      options_(options),
      cache_(options.signing_key_cache_capacity) {}

Result<CallerIdentity> SigV4Verifier::Verify(const HttpRequest& request) const {
  Result<std::optional<ParsedAuth>> parsed_or = Parse(request);
  if (!parsed_or) return Fail(parsed_or.error());
  if (!parsed_or->has_value()) return Fail(MissingAuthenticationTokenError());
  ParsedAuth& auth = **parsed_or;

  // Scope checks, in the words of the IAM User Guide's SigV4 troubleshooting page.
  if (auth.terminator != sigv4::kTerminator) {
    return Mismatch(fmt::format(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
        auth.terminator));
  }
  std::string request_day = FormatDateStamp(auth.time);
  if (auth.scope.date != request_day) {
    return Mismatch(fmt::format(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '{}' != '{}', from '{}'.",
        auth.scope.date, request_day, auth.amz_date));
  }

  // Time window. Header-signed requests: the clock-skew limit both ways, worded as STS
  // answers it ("Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z
  // (20150830T130100Z - 15 min.)"). Presigned requests: X-Amz-Expires from the signing time.
  const TimePoint now = clock_.Now();
  const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(options_.max_clock_skew);
  if (auth.time > now + skew) {
    return Mismatch(fmt::format("Signature not yet current: {} is still later than {} ({} + {})",
                                auth.amz_date, FormatAmzDate(now + skew), FormatAmzDate(now),
                                FormatMinutesOrSeconds(options_.max_clock_skew)));
  }
  std::chrono::seconds lifetime = options_.max_clock_skew;
  if (auth.expires) {
    if (*auth.expires < 1 || *auth.expires > options_.max_presigned_expiry.count()) {
      return Incomplete(fmt::format(
          "X-Amz-Expires must be less than a week (in seconds) that is; the given X-Amz-Expires "
          "must be less than {} seconds",
          options_.max_presigned_expiry.count()));
    }
    lifetime = std::chrono::seconds(*auth.expires);
  }
  const auto lifetime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(lifetime);
  if (auth.time < now - lifetime_ms) {
    return Mismatch(fmt::format("Signature expired: {} is now earlier than {} ({} - {})",
                                auth.amz_date, FormatAmzDate(now - lifetime_ms),
                                FormatAmzDate(now), FormatMinutesOrSeconds(lifetime)));
  }

  // The key, its state and the session token.
  std::optional<std::string_view> token;
  if (auth.session_token) token = *auth.session_token;
  Result<Credential> credential = credentials_.Lookup(auth.scope.access_key_id, token);
  if (!credential) return Fail(credential.error());
  if (!credential->active) return Fail(InvalidClientTokenIdError());
  // X-Amz-Security-Token belongs to temporary credentials only, and they require it.
  if (credential->temporary != auth.session_token.has_value()) {
    return Fail(InvalidClientTokenIdError());
  }
  if (credential->temporary && credential->expiration && *credential->expiration <= now) {
    return Fail(ExpiredTokenError());
  }

  // Payload: x-amz-content-sha256 when sent must be the body's hash.
  std::string body_hash = crypto::Sha256Hex(request.body);
  if (auto declared = request.Header("x-amz-content-sha256")) {
    if (AsciiLower(Trim(*declared)) != body_hash) {
      return Mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  sigv4::CanonicalRequestInput input;
  input.method = request.method;
  input.raw_path = request.Path();
  input.raw_query = request.Query();
  input.presigned = auth.scope.presigned;
  input.headers = &request.headers;
  input.signed_headers = &auth.signed_headers;
  input.payload_hash = body_hash;
  std::string canonical_request = sigv4::CanonicalRequest(input);
  std::string scope =
      sigv4::CredentialScope(auth.scope.date, auth.scope.region, auth.scope.service);
  std::string string_to_sign = sigv4::StringToSign(auth.amz_date, scope, canonical_request);
  std::string key = cache_.Get(credential->secret_access_key, auth.scope.date,
                               auth.scope.region, auth.scope.service);
  std::string expected = sigv4::Signature(key, string_to_sign);
  std::fill(key.begin(), key.end(), '\0');
  if (!crypto::ConstantTimeEquals(expected, auth.signature)) {
    std::string message(kSignatureMismatchMessage);
    if (options_.explain_signature_mismatch) {
      message += fmt::format(
          "\n\nThe Canonical String for this request should have been\n'{}'\n\nThe "
          "String-to-Sign should have been\n'{}'\n",
          canonical_request, string_to_sign);
    }
    return Mismatch(std::move(message));
  }

  CallerIdentity identity;
  identity.principal = std::move(credential->principal);
  identity.principal.access_key_id = auth.scope.access_key_id;
  if (credential->temporary) {
    identity.principal.temporary = true;
    if (!identity.principal.expiration) identity.principal.expiration = credential->expiration;
  }
  identity.scope = std::move(auth.scope);
  identity.request_time = auth.time;
  return identity;
}

}  // namespace rampart::auth
