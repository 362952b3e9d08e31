#include "auth/session_token.h"

#include <zlib.h>

#include <cstring>

#include "auth/credentials.h"
#include "auth/totp.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::auth {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kPlain = 0;
constexpr std::uint8_t kDeflated = 1;
// Records longer than this are deflated before sealing (policies and tags dominate).
constexpr std::size_t kDeflateThreshold = 384;
// Upper bound of a record: 2,048 characters of policy, 10 ARNs and 50 tags fit many times.
constexpr std::size_t kMaxRecordBytes = 256 * 1024;
constexpr std::uint64_t kMaxAccountNumber = 999'999'999'999ULL;

std::string AssociatedData(std::string_view access_key_id) {
  std::string ad = "rampart-session-token:v1:";
  ad.append(access_key_id);
  return ad;
}

// A length-prefixed binary record. Every read is bounds-checked: a token that opened (so was
// sealed by this installation) but does not decode is still refused, never trusted.
class Writer {
 public:
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) out_.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  void I64(std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    for (int shift = 0; shift < 64; shift += 8) out_.push_back(static_cast<char>((u >> shift) & 0xff));
  }
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void Time(const std::optional<TimePoint>& t) {
    U8(t.has_value() ? 1 : 0);
    if (t) I64(t->time_since_epoch().count());
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  std::uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint32_t U32() {
    if (!Need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in_[pos_++])) << (8 * i);
    return v;
  }
  std::int64_t I64() {
    if (!Need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[pos_++])) << (8 * i);
    return static_cast<std::int64_t>(v);
  }
  std::string Str() {
    std::uint32_t n = U32();
    if (!Need(n)) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<TimePoint> Time() {
    std::uint8_t present = U8();
    if (present > 1) ok_ = false;
    if (present != 1) return std::nullopt;
    return TimePoint(std::chrono::milliseconds(I64()));
  }
  // A count of following items, each at least `min_item_bytes` long (bounds the allocation).
  std::uint32_t Count(std::size_t min_item_bytes) {
    std::uint32_t n = U32();
    if (!ok_ || static_cast<std::uint64_t>(n) * min_item_bytes > in_.size() - pos_) {
      ok_ = false;
      return 0;
    }
    return n;
  }

 private:
  bool Need(std::size_t n) {
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string Encode(const SessionClaims& claims) {
  const Principal& p = claims.principal;
  Writer w;
  w.U8(static_cast<std::uint8_t>(claims.kind));
  w.U8(static_cast<std::uint8_t>(p.type));
  w.Str(p.account_id);
  w.Str(p.arn);
  w.Str(p.principal_id);
  w.Str(p.name);
  w.Str(p.path);
  w.Str(p.session_name);
  w.Str(p.issuer_arn);
  w.Str(p.issuer_principal_id);
  w.Str(p.source_identity);
  w.Str(claims.secret_access_key);
  w.U8(p.mfa_authenticated.has_value() ? (*p.mfa_authenticated ? 2 : 1) : 0);
  w.Time(p.mfa_auth_time);
  w.Time(p.session_issued);
  w.Time(p.expiration);
  w.U32(static_cast<std::uint32_t>(p.session_tags.size()));
  for (const auto& [key, value] : p.session_tags) {
    w.Str(key);
    w.Str(value);
  }
  auto list = [&w](const std::vector<std::string>& items) {
    w.U32(static_cast<std::uint32_t>(items.size()));
    for (const std::string& item : items) w.Str(item);
  };
  list(p.transitive_tag_keys);
  list(p.session_policies);
  list(p.session_policy_arns);
  return w.Take();
}

std::optional<SessionClaims> Decode(std::string_view record) {
  Reader r(record);
  SessionClaims claims;
  Principal& p = claims.principal;
  std::uint8_t kind = r.U8();
  if (kind < 1 || kind > 3) return std::nullopt;
  claims.kind = static_cast<SessionKind>(kind);
  std::uint8_t type = r.U8();
  if (type > static_cast<std::uint8_t>(PrincipalType::kAnonymous)) return std::nullopt;
  p.type = static_cast<PrincipalType>(type);
  p.account_id = r.Str();
  p.arn = r.Str();
  p.principal_id = r.Str();
  p.name = r.Str();
  p.path = r.Str();
  p.session_name = r.Str();
  p.issuer_arn = r.Str();
  p.issuer_principal_id = r.Str();
  p.source_identity = r.Str();
  claims.secret_access_key = r.Str();
  std::uint8_t mfa = r.U8();
  if (mfa > 2) return std::nullopt;
  if (mfa != 0) p.mfa_authenticated = mfa == 2;
  p.mfa_auth_time = r.Time();
  p.session_issued = r.Time();
  p.expiration = r.Time();
  std::uint32_t tags = r.Count(8);
  for (std::uint32_t i = 0; i < tags && r.ok(); ++i) {
    std::string key = r.Str();
    p.session_tags[std::move(key)] = r.Str();
  }
  auto list = [&r](std::vector<std::string>& items) {
    std::uint32_t n = r.Count(4);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) items.push_back(r.Str());
  };
  list(p.transitive_tag_keys);
  list(p.session_policies);
  list(p.session_policy_arns);
  if (!r.ok() || !r.done()) return std::nullopt;
  if (!p.session_issued || !p.expiration || p.account_id.empty() || p.arn.empty()) {
    return std::nullopt;
  }
  p.temporary = true;
  return claims;
}

// zlib (the deflate format) for long records; the inflated size is stored first so inflation
// allocates exactly once and is bounded.
std::optional<std::string> Deflate(std::string_view in) {
  uLongf bound = compressBound(static_cast<uLong>(in.size()));
  std::string out(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &bound,
                reinterpret_cast<const Bytef*>(in.data()), static_cast<uLong>(in.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return std::nullopt;
  }
  out.resize(bound);
  return out;
}

std::optional<std::string> Inflate(std::string_view in, std::size_t size) {
  if (size > kMaxRecordBytes) return std::nullopt;
  std::string out(size, '\0');
  uLongf length = static_cast<uLongf>(size);
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                 reinterpret_cast<const Bytef*>(in.data()), static_cast<uLong>(in.size())) != Z_OK ||
      length != size) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string NewSessionAccessKeyId(std::string_view account_id) {
  std::uint64_t account = 0;
  for (char c : account_id) {
    if (c >= '0' && c <= '9') account = account * 10 + static_cast<std::uint64_t>(c - '0');
  }
  std::string bytes(10, '\0');
  for (int i = 0; i < 5; ++i) bytes[i] = static_cast<char>((account >> (8 * (4 - i))) & 0xff);
  std::string random = crypto::RandomBytes(5);
  std::memcpy(bytes.data() + 5, random.data(), 5);
  return "ASIA" + totp::Base32Encode(bytes);
}

std::optional<std::string> AccountOfSessionKeyId(std::string_view access_key_id) {
  if (access_key_id.size() != 20 || !StartsWith(access_key_id, "ASIA")) return std::nullopt;
  Result<std::string> bytes = totp::Base32Decode(access_key_id.substr(4));
  if (!bytes || bytes->size() != 10) return std::nullopt;
  std::uint64_t account = 0;
  for (int i = 0; i < 5; ++i) account = (account << 8) | static_cast<std::uint8_t>((*bytes)[i]);
  if (account > kMaxAccountNumber) return std::nullopt;
  std::string digits = std::to_string(account);
  return std::string(12 - digits.size(), '0') + digits;
}

Result<SessionTokenCodec> SessionTokenCodec::Create(std::string_view installation_secret) {
  if (installation_secret.size() < 32) {
    return Fail("InvalidMasterKey", "the session token secret must be at least 32 bytes");
  }
  crypto::Sha256Digest key = crypto::HmacSha256(installation_secret, "rampart session tokens v1");
  return SessionTokenCodec(std::string(reinterpret_cast<const char*>(key.data()), key.size()));
}

Result<std::string> SessionTokenCodec::Seal(const SessionClaims& claims) const {
  if (claims.principal.access_key_id.empty()) {
    return Fail("InternalFailure", "session claims without an access key id");
  }
  std::string record = Encode(claims);
  std::string payload;
  payload.push_back(static_cast<char>(kFormatVersion));
  if (record.size() > kDeflateThreshold) {
    std::optional<std::string> deflated = Deflate(record);
    if (!deflated) return Fail("InternalFailure", "cannot compress a session token");
    payload.push_back(static_cast<char>(kDeflated));
    Writer size;
    size.U32(static_cast<std::uint32_t>(record.size()));
    payload.append(size.Take());
    payload.append(*deflated);
  } else {
    payload.push_back(static_cast<char>(kPlain));
    payload.append(record);
  }
  Result<std::string> sealed =
      crypto::Seal(key_, payload, AssociatedData(claims.principal.access_key_id));
  if (!sealed) return Fail(sealed.error());
  return crypto::Base64Encode(*sealed);
}

Result<SessionClaims> SessionTokenCodec::Open(std::string_view token,
                                              std::string_view access_key_id) const {
  // Base64 of at most a few kilobytes; anything far larger is not one of ours.
  if (token.empty() || token.size() > 4 * kMaxRecordBytes) return Fail(InvalidClientTokenIdError());
  Result<std::string> sealed = crypto::Base64Decode(token);
  if (!sealed) return Fail(InvalidClientTokenIdError());
  Result<std::string> payload = crypto::Open(key_, *sealed, AssociatedData(access_key_id));
  if (!payload || payload->size() < 2 ||
      static_cast<std::uint8_t>((*payload)[0]) != kFormatVersion) {
    return Fail(InvalidClientTokenIdError());
  }
  std::string_view body = std::string_view(*payload).substr(2);
  std::optional<std::string> inflated;
  switch (static_cast<std::uint8_t>((*payload)[1])) {
    case kPlain: break;
    case kDeflated: {
      Reader size(body.substr(0, 4));
      std::uint32_t length = size.U32();
      if (!size.ok()) return Fail(InvalidClientTokenIdError());
      inflated = Inflate(body.substr(4), length);
      if (!inflated) return Fail(InvalidClientTokenIdError());
      body = *inflated;
      break;
    }
    default: return Fail(InvalidClientTokenIdError());
  }
  std::optional<SessionClaims> claims = Decode(body);
  if (!claims) return Fail(InvalidClientTokenIdError());
  claims->principal.access_key_id = std::string(access_key_id);
  return std::move(*claims);
}

}  // namespace rampart::auth
