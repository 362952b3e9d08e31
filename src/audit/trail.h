// CloudTrail log files and signed digest files under DATA/audit, and their verification.
// Included through audit/audit.h.
//
// Layout (CloudTrail user guide, "Finding your CloudTrail log files" and "CloudTrail digest
// file structure"), relative to the audit directory, which stands for the S3 bucket:
//   AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<rand>.json.gz
//   AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//       <acct>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz
//   ... and beside each digest `<digest>.sig`: the hex signature CloudTrail keeps in the
//   object's x-amz-meta-signature metadata.
// Log files hold {"Records":[...]}; hashes are SHA-256 of the uncompressed content. Digests
// are signed SHA256withRSA over CloudTrail's string to sign:
//   digestEndTime "\n" bucket "/" digestS3Object "\n" hex(SHA-256(digest content)) "\n"
//   previousDigestSignature ("null" for the first digest of a chain)
// (CloudTrail user guide, "Custom implementations of CloudTrail log file integrity
// validation").
//
// Thread-safety: SigningKey is immutable (thread-safe). Trail must be driven by one thread
// at a time. VerifyTrail is a pure function of the files.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace rampart::audit {

class Recorder;

// gzip (RFC 1952) through zlib.
Result<std::string> Gzip(std::string_view data);
Result<std::string> Gunzip(std::string_view data, std::size_t max_bytes = 1u << 30);

// The trail's RSA key pair (2048 bits). The private key is kept sealed under the master key
// (common/crypto.h Seal) in `audit_dir/signing-key.sealed`; the public key is also written,
// in PEM, to `audit_dir/public-keys/<fingerprint>.pem`.
class SigningKey {
 public:
  // Loads the sealed key, or creates and seals a new one. "SealedDataInvalid" if the file
  // does not open under `master_key`.
  static Result<std::shared_ptr<const SigningKey>> LoadOrCreate(
      const std::filesystem::path& audit_dir, std::string_view master_key);
  // Loads the sealed key without creating one (kNotFound-style "NoSigningKey" when absent).
  static Result<std::shared_ptr<const SigningKey>> Load(const std::filesystem::path& audit_dir,
                                                        std::string_view master_key);
  // A fresh key that lives only in memory (tests, benchmarks).
  static Result<std::shared_ptr<const SigningKey>> Generate();

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // SHA256withRSA (PKCS#1 v1.5) signature of `data`, hex-encoded.
  Result<std::string> SignHex(std::string_view data) const;
  const std::string& public_key_pem() const { return public_pem_; }
  // Hex MD5 of the DER public key, CloudTrail's digestPublicKeyFingerprint form.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  SigningKey() = default;
  static Result<std::shared_ptr<const SigningKey>> FromPrivatePem(std::string_view pem);
  void* key_ = nullptr;  // EVP_PKEY*
  std::string public_pem_;
  std::string fingerprint_;
};

// Checks a hex SHA256withRSA signature against a PEM public key.
Result<bool> VerifySignatureHex(std::string_view public_pem, std::string_view data,
                                std::string_view signature_hex);
// The fingerprint of a PEM public key (see SigningKey::fingerprint).
Result<std::string> PublicKeyFingerprint(std::string_view public_pem);

struct TrailOptions {
  std::filesystem::path audit_dir;     // DATA/audit
  std::string bucket = "rampart-audit";  // digestS3Bucket / s3Bucket (there is no S3)
  std::string trail_name = "rampart";
  std::chrono::seconds digest_interval{3600};
  int batch = 2000;  // events read per store call
};

struct TrailStats {
  std::uint64_t log_files = 0;
  std::uint64_t digests = 0;
  std::uint64_t events = 0;
};

// Delivers the store's events as log files and writes digests. Its progress (the last
// delivered sequence, each chain's previous digest, the log files since it) is kept in
// `audit_dir/trail-state.json`, written atomically after the files it mentions.
class Trail {
 public:
  // `recorder` (may be null) tells which events are still open: delivery stops before the
  // first one. Everything must outlive the Trail.
  Trail(store::Store& store, const Recorder* recorder, std::shared_ptr<const SigningKey> key,
        TrailOptions options, const Clock& clock);

  // Ships every closed event committed since the last delivery, one file per account and
  // region. Returns the number of files written.
  Result<int> DeliverLogs();
  // Writes a digest for every chain whose interval has elapsed (and that has had a log file),
  // or, with `force`, for every chain with log files not yet in a digest.
  Result<int> WriteDigests(bool force);

  TrailStats stats() const { return stats_; }

 private:
  struct PendingLog {
    std::string object;
    std::string hash;
    TimePoint newest{}, oldest{};
  };
  struct Chain {
    std::string previous_object;   // "" before the first digest
    std::string previous_hash;
    std::string previous_signature;
    TimePoint previous_end{};
    std::vector<PendingLog> pending;
  };
  Result<void> LoadState();
  Result<void> SaveState() const;
  Result<void> WriteDigest(const std::string& account, const std::string& region, Chain& chain,
                           TimePoint now);

  store::Store& store_;
  const Recorder* recorder_;
  std::shared_ptr<const SigningKey> key_;
  TrailOptions options_;
  const Clock& clock_;
  bool loaded_ = false;
  std::int64_t cursor_ = 0;
  std::map<std::pair<std::string, std::string>, Chain> chains_;  // (account, region)
  TrailStats stats_;
};

// Writes `data` to `path` through a temporary file, fsync and rename (parents created).
Result<void> WriteFileAtomically(const std::filesystem::path& path, std::string_view data);

enum class FileState { kValid, kModified, kDeleted, kInserted, kNotYetCovered };
// "valid", "modified", "deleted", "inserted", "not yet covered".
const char* FileStateName(FileState state);

struct VerifiedFile {
  std::string kind;  // "log" or "digest"
  std::string path;  // relative to the audit directory
  FileState state = FileState::kValid;
  std::string detail;
};

struct VerifyOptions {
  std::filesystem::path audit_dir;
  std::string account_id;  // "" = every account
  std::optional<TimePoint> start, end;  // only files whose time falls inside (inclusive)
  std::vector<std::string> public_keys_pem;  // trusted keys (matched by fingerprint)
};

struct VerifyReport {
  std::vector<VerifiedFile> files;
  int log_files_valid = 0;
  int digests_valid = 0;
  // Files modified, deleted or inserted (not yet covered is not a finding).
  int findings() const;
};

// Like `aws cloudtrail validate-logs`: walks each digest chain from the newest digest
// backwards, checks every signature, digest hash and log-file hash, and reports every file
// found or expected. Fails only if the directory cannot be read.
Result<VerifyReport> VerifyTrail(const VerifyOptions& options);

}  // namespace rampart::audit
