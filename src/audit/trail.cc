#include "audit/trail.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "audit/recorder.h"
#include "common/crypto.h"
#include "common/strings.h"

namespace rampart::audit {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// "YYYY", "MM", "DD", "YYYYMMDDTHHmmZ", "YYYYMMDDTHHmmssZ" of a time.
struct TimeParts {
  std::string year, month, day, minute_stamp, second_stamp;
};
TimeParts Parts(TimePoint t) {
  std::string amz = FormatAmzDate(t);  // 20261128T162511Z
  return TimeParts{amz.substr(0, 4), amz.substr(4, 2), amz.substr(6, 2),
                   amz.substr(0, 13) + "Z", amz};
}

std::string RandomSuffix() {
  static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (int i = 0; i < 16; ++i) out.push_back(kChars[crypto::RandomBelow(kChars.size())]);
  return out;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("NotFound", fmt::format("cannot read `{}`", path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Str(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                        : "";
}

json::value OrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::string(text);
}

std::int64_t Millis(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint FromMillis(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// The string CloudTrail signs for a digest (custom validation page).
std::string StringToSign(std::string_view end_time, std::string_view bucket,
                         std::string_view object, std::string_view content_hash,
                         std::string_view previous_signature) {
  return fmt::format("{}\n{}/{}\n{}\n{}", end_time, bucket, object, content_hash,
                     previous_signature.empty() ? "null" : previous_signature);
}

// The time encoded in a log or digest file name (its last "_YYYYMMDDTHHmm[ss]Z" part).
std::optional<TimePoint> NameTime(const std::string& file_name, bool digest) {
  std::string stem = file_name;
  if (EndsWith(stem, ".json.gz")) stem.resize(stem.size() - 8);
  std::vector<std::string_view> parts = Split(stem, '_');
  if (parts.size() < 2) return std::nullopt;
  std::string_view stamp = digest ? parts.back() : parts[parts.size() - 2];
  std::string iso;
  if (stamp.size() == 16 && stamp[8] == 'T') {  // YYYYMMDDTHHmmssZ
    iso = std::string(stamp);
  } else if (stamp.size() == 14 && stamp[8] == 'T') {  // YYYYMMDDTHHmmZ
    iso = std::string(stamp.substr(0, 13)) + "00Z";
  } else {
    return std::nullopt;
  }
  Result<TimePoint> t = ParseIso8601(iso);
  if (!t) return std::nullopt;
  return *t;
}

}  // namespace

const char* FileStateName(FileState state) {
  switch (state) {
    case FileState::kValid: return "valid";
    case FileState::kModified: return "modified";
    case FileState::kDeleted: return "deleted";
    case FileState::kInserted: return "inserted";
    case FileState::kNotYetCovered: return "not yet covered";
  }
  return "unknown";
}

int VerifyReport::findings() const {
  int count = 0;
  for (const VerifiedFile& file : files) {
    if (file.state == FileState::kModified || file.state == FileState::kDeleted ||
        file.state == FileState::kInserted) {
      ++count;
    }
  }
  return count;
}

Trail::Trail(store::Store& store, const Recorder* recorder, std::shared_ptr<const SigningKey> key,
             TrailOptions options, const Clock& clock)
    : store_(store),
      recorder_(recorder),
      key_(std::move(key)),
      options_(std::move(options)),
      clock_(clock) {}

Result<void> Trail::LoadState() {
  if (loaded_) return Ok();
  fs::path path = options_.audit_dir / "trail-state.json";
  if (fs::exists(path)) {
    Result<std::string> text = ReadFile(path);
    if (!text) return Fail(text.error());
    boost::system::error_code ec;
    json::value state = json::parse(*text, ec);
    if (ec || !state.is_object()) {
      return Fail("InvalidTrailState", fmt::format("`{}` is not valid JSON", path.string()));
    }
    const json::object& object = state.get_object();
    if (auto it = object.find("cursor"); it != object.end() && it->value().is_int64()) {
      cursor_ = it->value().get_int64();
    }
    if (auto it = object.find("chains"); it != object.end() && it->value().is_array()) {
      for (const json::value& item : it->value().get_array()) {
        if (!item.is_object()) continue;
        const json::object& c = item.get_object();
        Chain chain;
        chain.previous_object = Str(c, "previousObject");
        chain.previous_hash = Str(c, "previousHash");
        chain.previous_signature = Str(c, "previousSignature");
        if (auto end = c.find("previousEnd"); end != c.end() && end->value().is_int64()) {
          chain.previous_end = FromMillis(end->value().get_int64());
        }
        if (auto pending = c.find("pending"); pending != c.end() && pending->value().is_array()) {
          for (const json::value& p : pending->value().get_array()) {
            if (!p.is_object()) continue;
            const json::object& po = p.get_object();
            PendingLog log{Str(po, "object"), Str(po, "hash"), {}, {}};
            if (auto n = po.find("newest"); n != po.end() && n->value().is_int64()) {
              log.newest = FromMillis(n->value().get_int64());
            }
            if (auto o = po.find("oldest"); o != po.end() && o->value().is_int64()) {
              log.oldest = FromMillis(o->value().get_int64());
            }
            chain.pending.push_back(std::move(log));
          }
        }
        chains_[{Str(c, "account"), Str(c, "region")}] = std::move(chain);
      }
    }
  }
  loaded_ = true;
  return Ok();
}

Result<void> Trail::SaveState() const {
  json::array chains;
  for (const auto& [key, chain] : chains_) {
    json::array pending;
    for (const PendingLog& log : chain.pending) {
      pending.push_back(json::object{{"object", log.object},
                                     {"hash", log.hash},
                                     {"newest", Millis(log.newest)},
                                     {"oldest", Millis(log.oldest)}});
    }
    chains.push_back(json::object{{"account", key.first},
                                  {"region", key.second},
                                  {"previousObject", chain.previous_object},
                                  {"previousHash", chain.previous_hash},
                                  {"previousSignature", chain.previous_signature},
                                  {"previousEnd", Millis(chain.previous_end)},
                                  {"pending", std::move(pending)}});
  }
  json::object state{{"cursor", cursor_}, {"chains", std::move(chains)}};
  return WriteFileAtomically(options_.audit_dir / "trail-state.json", json::serialize(state));
}

Result<int> Trail::DeliverLogs() {
  if (Result<void> loaded = LoadState(); !loaded) return Fail(loaded.error());
  int files = 0;
  while (true) {
    std::vector<store::AuditEventRow> events;
    Result<void> read = store_.Read([&](const store::ReadTransaction& tx) -> Result<void> {
      auto listed = tx.AuditEvents().ListAfter(cursor_, options_.batch);
      if (!listed) return Fail(listed.error());
      events = std::move(*listed);
      return Ok();
    });
    if (!read) return Fail(read.error());
    // Stop before the first event still being recorded: its final form is not committed.
    std::size_t ready = 0;
    while (ready < events.size() &&
           (recorder_ == nullptr || !recorder_->IsOpen(events[ready].event_id))) {
      ++ready;
    }
    if (ready == 0) break;
    // Group by (account, region), keeping commit order inside each file.
    std::map<std::pair<std::string, std::string>, std::vector<const store::AuditEventRow*>> groups;
    for (std::size_t i = 0; i < ready; ++i) {
      const store::AuditEventRow& event = events[i];
      std::string region = "us-east-1";
      boost::system::error_code ec;
      json::value record = json::parse(event.record, ec);
      if (!ec && record.is_object()) {
        std::string r = Str(record.get_object(), "awsRegion");
        if (!r.empty()) region = r;
      }
      groups[{event.account_id, region}].push_back(&event);
    }
    const TimePoint now = clock_.Now();
    const TimeParts parts = Parts(now);
    for (const auto& [key, group] : groups) {
      const auto& [account, region] = key;
      std::string content = "{\"Records\":[";
      TimePoint newest = group.front()->event_time, oldest = group.front()->event_time;
      for (std::size_t i = 0; i < group.size(); ++i) {
        if (i > 0) content.push_back(',');
        content += group[i]->record;
        newest = std::max(newest, group[i]->event_time);
        oldest = std::min(oldest, group[i]->event_time);
      }
      content += "]}";
      Result<std::string> gz = Gzip(content);
      if (!gz) return Fail(gz.error());
      std::string object = fmt::format(
          "AWSLogs/{0}/CloudTrail/{1}/{2}/{3}/{4}/{0}_CloudTrail_{1}_{5}_{6}.json.gz", account,
          region, parts.year, parts.month, parts.day, parts.minute_stamp, RandomSuffix());
      if (Result<void> w = WriteFileAtomically(options_.audit_dir / object, *gz); !w) {
        return Fail(w.error());
      }
      chains_[key].pending.push_back(PendingLog{object, crypto::Sha256Hex(content), newest, oldest});
      ++files;
      ++stats_.log_files;
    }
    stats_.events += ready;
    cursor_ = events[ready - 1].sequence;
    if (Result<void> saved = SaveState(); !saved) return Fail(saved.error());
    if (ready < events.size() || events.size() < static_cast<std::size_t>(options_.batch)) break;
  }
  return files;
}

Result<void> Trail::WriteDigest(const std::string& account, const std::string& region,
                                Chain& chain, TimePoint now) {
  // One digest per second at most per chain: names carry seconds.
  TimePoint end = std::chrono::floor<std::chrono::seconds>(now);
  if (chain.previous_end.time_since_epoch().count() != 0 && end <= chain.previous_end) {
    end = chain.previous_end + std::chrono::seconds(1);
  }
  TimePoint start = chain.previous_end;
  if (start.time_since_epoch().count() == 0) {
    start = end;
    for (const PendingLog& log : chain.pending) start = std::min(start, log.oldest);
    start = std::chrono::floor<std::chrono::seconds>(start);
  }
  const TimeParts parts = Parts(end);
  std::string object = fmt::format(
      "AWSLogs/{0}/CloudTrail-Digest/{1}/{2}/{3}/{4}/{0}_CloudTrail-Digest_{1}_{5}_{1}_{6}.json.gz",
      account, region, parts.year, parts.month, parts.day, options_.trail_name, parts.second_stamp);
  json::object digest;
  digest["awsAccountId"] = account;
  digest["digestStartTime"] = FormatIso8601(start);
  digest["digestEndTime"] = FormatIso8601(end);
  digest["digestS3Bucket"] = options_.bucket;
  digest["digestS3Object"] = object;
  digest["digestPublicKeyFingerprint"] = key_->fingerprint();
  digest["digestSignatureAlgorithm"] = "SHA256withRSA";
  if (chain.pending.empty()) {
    digest["newestEventTime"] = nullptr;
    digest["oldestEventTime"] = nullptr;
  } else {
    TimePoint newest = chain.pending.front().newest, oldest = chain.pending.front().oldest;
    for (const PendingLog& log : chain.pending) {
      newest = std::max(newest, log.newest);
      oldest = std::min(oldest, log.oldest);
    }
    digest["newestEventTime"] = FormatIso8601(newest);
    digest["oldestEventTime"] = FormatIso8601(oldest);
  }
  const bool first = chain.previous_object.empty();
  digest["previousDigestS3Bucket"] = first ? json::value(nullptr) : json::value(options_.bucket);
  digest["previousDigestS3Object"] = OrNull(chain.previous_object);
  digest["previousDigestHashValue"] = OrNull(chain.previous_hash);
  digest["previousDigestHashAlgorithm"] = first ? json::value(nullptr) : json::value("SHA-256");
  digest["previousDigestSignature"] = OrNull(chain.previous_signature);
  json::array logs;
  for (const PendingLog& log : chain.pending) {
    logs.push_back(json::object{{"s3Bucket", options_.bucket},
                                {"s3Object", log.object},
                                {"hashValue", log.hash},
                                {"hashAlgorithm", "SHA-256"},
                                {"newestEventTime", FormatIso8601(log.newest)},
                                {"oldestEventTime", FormatIso8601(log.oldest)}});
  }
  digest["logFiles"] = std::move(logs);
  std::string content = json::serialize(digest);
  std::string hash = crypto::Sha256Hex(content);
  Result<std::string> signature =
      key_->SignHex(StringToSign(FormatIso8601(end), options_.bucket, object, hash,
                                 chain.previous_signature));
  if (!signature) return Fail(signature.error());
  Result<std::string> gz = Gzip(content);
  if (!gz) return Fail(gz.error());
  fs::path path = options_.audit_dir / object;
  if (Result<void> w = WriteFileAtomically(path, *gz); !w) return w;
  fs::path sig_path = path;
  sig_path += ".sig";
  if (Result<void> w = WriteFileAtomically(sig_path, *signature); !w) return w;
  chain.previous_object = object;
  chain.previous_hash = hash;
  chain.previous_signature = *signature;
  chain.previous_end = end;
  chain.pending.clear();
  ++stats_.digests;
  return Ok();
}

Result<int> Trail::WriteDigests(bool force) {
  if (Result<void> loaded = LoadState(); !loaded) return Fail(loaded.error());
  const TimePoint now = clock_.Now();
  int written = 0;
  for (auto& [key, chain] : chains_) {
    bool due = chain.previous_end.time_since_epoch().count() == 0
                   ? !chain.pending.empty() &&
                         (force || now - chain.pending.front().oldest >= options_.digest_interval)
                   : now - chain.previous_end >= options_.digest_interval;
    if (force && !chain.pending.empty()) due = true;
    if (!due) continue;
    if (Result<void> w = WriteDigest(key.first, key.second, chain, now); !w) return Fail(w.error());
    ++written;
  }
  if (written > 0) {
    if (Result<void> saved = SaveState(); !saved) return Fail(saved.error());
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Verification

namespace {

struct DigestFile {
  std::string object;  // relative path
  TimePoint end{};
};

std::vector<std::string> ListFiles(const fs::path& root, const fs::path& dir, std::string_view suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string name = it->path().filename().string();
    if (!EndsWith(name, suffix)) continue;
    out.push_back(fs::relative(it->path(), root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool InRange(const VerifyOptions& options, std::optional<TimePoint> t) {
  if (!t) return true;
  if (options.start && *t < *options.start) return false;
  if (options.end && *t > *options.end) return false;
  return true;
}

}  // namespace

Result<VerifyReport> VerifyTrail(const VerifyOptions& options) {
  VerifyReport report;
  const fs::path& root = options.audit_dir;
  std::map<std::string, std::string> keys;  // fingerprint -> PEM
  for (const std::string& pem : options.public_keys_pem) {
    Result<std::string> fingerprint = PublicKeyFingerprint(pem);
    if (fingerprint) keys[*fingerprint] = pem;
  }
  std::error_code ec;
  fs::path logs_root = root / "AWSLogs";
  if (!fs::is_directory(logs_root, ec)) return report;
  std::vector<std::string> accounts;
  for (const auto& entry : fs::directory_iterator(logs_root, ec)) {
    if (!entry.is_directory()) continue;
    std::string account = entry.path().filename().string();
    if (!options.account_id.empty() && account != options.account_id) continue;
    accounts.push_back(account);
  }
  std::sort(accounts.begin(), accounts.end());
  for (const std::string& account : accounts) {
    std::set<std::string> regions;
    for (const char* kind : {"CloudTrail", "CloudTrail-Digest"}) {
      fs::path dir = logs_root / account / kind;
      if (!fs::is_directory(dir, ec)) continue;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_directory()) regions.insert(entry.path().filename().string());
      }
    }
    for (const std::string& region : regions) {
      std::vector<std::string> digest_files =
          ListFiles(root, logs_root / account / "CloudTrail-Digest" / region, ".json.gz");
      std::vector<DigestFile> digests;
      for (const std::string& object : digest_files) {
        std::optional<TimePoint> end = NameTime(fs::path(object).filename().string(), true);
        digests.push_back(DigestFile{object, end.value_or(TimePoint{})});
      }
      std::sort(digests.begin(), digests.end(),
                [](const DigestFile& a, const DigestFile& b) { return a.end < b.end; });
      std::set<std::string> visited;
      std::set<std::string> listed_logs;
      std::map<std::string, std::string> unvouched_logs;  // log -> invalid digest listing it
      std::optional<TimePoint> newest_digest_end;
      // Walk the chain from the newest digest backwards.
      std::string current = digests.empty() ? "" : digests.back().object;
      std::string expected_hash;  // from the later digest; "" for the newest
      std::string expected_signature;
      while (!current.empty() && !visited.count(current)) {
        visited.insert(current);
        std::optional<TimePoint> time = NameTime(fs::path(current).filename().string(), true);
        if (!newest_digest_end && time) newest_digest_end = time;
        VerifiedFile file{"digest", current, FileState::kValid, ""};
        fs::path path = root / current;
        std::string next;
        std::string next_hash, next_signature;
        if (!fs::exists(path)) {
          file.state = FileState::kDeleted;
          file.detail = "listed as the previous digest of a later digest, but missing";
        } else {
          Result<std::string> gz = ReadFile(path);
          Result<std::string> content = gz ? Gunzip(*gz) : Fail(gz.error());
          fs::path sig_path = path;
          sig_path += ".sig";
          Result<std::string> signature = ReadFile(sig_path);
          boost::system::error_code jec;
          json::value parsed = content ? json::parse(*content, jec) : json::value();
          if (!content || jec || !parsed.is_object()) {
            file.state = FileState::kModified;
            file.detail = "not a readable digest file";
          } else {
            const json::object& digest = parsed.get_object();
            std::string hash = crypto::Sha256Hex(*content);
            next = Str(digest, "previousDigestS3Object");
            next_hash = Str(digest, "previousDigestHashValue");
            next_signature = Str(digest, "previousDigestSignature");
            auto key = keys.find(Str(digest, "digestPublicKeyFingerprint"));
            std::string sig_text = signature ? std::string(Trim(*signature)) : "";
            if (!expected_hash.empty() && hash != expected_hash) {
              file.state = FileState::kModified;
              file.detail = "hash differs from the one recorded in the next digest";
            } else if (!signature) {
              file.state = FileState::kModified;
              file.detail = "signature file missing";
            } else if (!expected_signature.empty() && sig_text != expected_signature) {
              file.state = FileState::kModified;
              file.detail = "signature differs from the one recorded in the next digest";
            } else if (Str(digest, "digestS3Object") != current) {
              file.state = FileState::kModified;
              file.detail = "digestS3Object does not name this file";
            } else if (key == keys.end()) {
              file.state = FileState::kModified;
              file.detail = "signed with an unknown public key";
            } else {
              Result<bool> valid = VerifySignatureHex(
                  key->second,
                  StringToSign(Str(digest, "digestEndTime"), Str(digest, "digestS3Bucket"),
                               current, hash, next_signature),
                  sig_text);
              if (!valid || !*valid) {
                file.state = FileState::kModified;
                file.detail = "signature does not verify";
              }
            }
            if (file.state == FileState::kValid) {
              // Only a digest that verifies vouches for its log files.
              if (auto logs = digest.find("logFiles");
                  logs != digest.end() && logs->value().is_array()) {
                for (const json::value& item : logs->value().get_array()) {
                  if (!item.is_object()) continue;
                  std::string object = Str(item.get_object(), "s3Object");
                  listed_logs.insert(object);
                  std::optional<TimePoint> log_time =
                      NameTime(fs::path(object).filename().string(), false);
                  if (!InRange(options, log_time)) continue;
                  VerifiedFile log{"log", object, FileState::kValid, ""};
                  fs::path log_path = root / object;
                  if (!fs::exists(log_path)) {
                    log.state = FileState::kDeleted;
                    log.detail = "listed in digest " + current;
                  } else {
                    Result<std::string> log_gz = ReadFile(log_path);
                    Result<std::string> log_content =
                        log_gz ? Gunzip(*log_gz) : Fail(log_gz.error());
                    if (!log_content ||
                        crypto::Sha256Hex(*log_content) != Str(item.get_object(), "hashValue")) {
                      log.state = FileState::kModified;
                      log.detail = "hash differs from digest " + current;
                    } else {
                      ++report.log_files_valid;
                    }
                  }
                  report.files.push_back(std::move(log));
                }
              }
            } else if (auto logs = digest.find("logFiles");
                       logs != digest.end() && logs->value().is_array()) {
              // Its log files are vouched for by nothing: they are reported below as not
              // listed by any valid digest, naming the digest that claims them.
              for (const json::value& item : logs->value().get_array()) {
                if (item.is_object()) unvouched_logs[Str(item.get_object(), "s3Object")] = current;
              }
            }
          }
        }
        const FileState digest_state = file.state;
        if (InRange(options, time)) {
          if (file.state == FileState::kValid) ++report.digests_valid;
          report.files.push_back(std::move(file));
        }
        if (next.empty() && digest_state != FileState::kValid && time) {
          // A deleted or unreadable digest names no predecessor: resume the walk at the
          // newest unvisited digest older than it, without hash expectations.
          for (auto it = digests.rbegin(); it != digests.rend(); ++it) {
            if (it->end < *time && !visited.count(it->object)) {
              next = it->object;
              break;
            }
          }
          next_hash.clear();
          next_signature.clear();
        }
        current = next;
        expected_hash = next_hash;
        expected_signature = next_signature;
      }
      // Digest files outside the chain were not written by the trail.
      for (const DigestFile& digest : digests) {
        if (visited.count(digest.object)) continue;
        if (!InRange(options, digest.end)) continue;
        report.files.push_back(
            {"digest", digest.object, FileState::kInserted, "not part of the digest chain"});
      }
      // Log files no digest lists.
      for (const std::string& object :
           ListFiles(root, logs_root / account / "CloudTrail" / region, ".json.gz")) {
        if (listed_logs.count(object)) continue;
        std::optional<TimePoint> log_time = NameTime(fs::path(object).filename().string(), false);
        if (!InRange(options, log_time)) continue;
        if (newest_digest_end && log_time && *log_time <= *newest_digest_end) {
          auto claimed = unvouched_logs.find(object);
          report.files.push_back(
              {"log", object, FileState::kInserted,
               claimed != unvouched_logs.end()
                   ? "listed only in digest " + claimed->second + ", which is not valid"
                   : "older than the newest digest but listed in none"});
        } else {
          report.files.push_back({"log", object, FileState::kNotYetCovered, ""});
        }
      }
    }
  }
  return report;
}

}  // namespace rampart::audit
