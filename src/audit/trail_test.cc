#include <filesystem>
#include <fstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "audit/audit.h"
#include "common/crypto.h"

namespace rampart::audit {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void WriteFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

TEST(Gzip, RoundTripsAndRejectsGarbage) {
  std::string text(100000, 'x');
  text += "tail";
  auto gz = Gzip(text);
  ASSERT_TRUE(gz);
  EXPECT_LT(gz->size(), text.size());
  auto back = Gunzip(*gz);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, text);
  EXPECT_FALSE(Gunzip("not gzip"));
  EXPECT_FALSE(Gunzip(gz->substr(0, gz->size() / 2)));
  EXPECT_FALSE(Gunzip(*gz, 1000));  // over the size bound
}

TEST(SigningKey, SignsVerifiesAndSealsUnderTheMasterKey) {
  fs::path dir = fs::temp_directory_path() / ("rampart_signing_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string master(32, 'm');
  auto key = SigningKey::LoadOrCreate(dir, master);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ((*key)->fingerprint().size(), 32u);
  EXPECT_TRUE(fs::exists(dir / "public-keys" / ((*key)->fingerprint() + ".pem")));
  auto signature = (*key)->SignHex("string to sign");
  ASSERT_TRUE(signature);
  EXPECT_TRUE(*VerifySignatureHex((*key)->public_key_pem(), "string to sign", *signature));
  EXPECT_FALSE(*VerifySignatureHex((*key)->public_key_pem(), "string to sigN", *signature));
  EXPECT_FALSE(*VerifySignatureHex((*key)->public_key_pem(), "string to sign", "00ff"));
  EXPECT_FALSE(*VerifySignatureHex((*key)->public_key_pem(), "string to sign", "zz"));
  EXPECT_FALSE(VerifySignatureHex("not a key", "x", *signature));
  EXPECT_EQ(*PublicKeyFingerprint((*key)->public_key_pem()), (*key)->fingerprint());
  // The same key comes back; a wrong master key does not open it.
  auto again = SigningKey::LoadOrCreate(dir, master);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->fingerprint(), (*key)->fingerprint());
  auto wrong = SigningKey::Load(dir, std::string(32, 'w'));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "SealedDataInvalid");
  // The sealed file does not hold the key in the clear.
  EXPECT_EQ(ReadFile(dir / "signing-key.sealed").find("PRIVATE KEY"), std::string::npos);
  fs::remove_all(dir);
}

class TrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rampart_trail_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "t.db", std::string(32, 'k'));
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
    static std::shared_ptr<const SigningKey> shared_key = *SigningKey::Generate();
    key_ = shared_key;
    options_.audit_dir = dir_ / "audit";
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void AddEvents(int count, std::string account = "111122223333") {
    ASSERT_TRUE(store_->Write([&](store::WriteTransaction& tx) -> Result<void> {
      for (int i = 0; i < count; ++i) {
        std::string id = NewEventId();
        json::object record{{"eventID", id},
                            {"eventTime", FormatIso8601(clock_.Now())},
                            {"eventName", "CreateUser"},
                            {"eventSource", "iam.amazonaws.com"},
                            {"awsRegion", "us-east-1"},
                            {"recipientAccountId", account},
                            {"userIdentity", json::object{{"type", "Root"}}}};
        if (auto a = tx.AuditEvents().Append(ToRow(record, {})); !a) return Fail(a.error());
      }
      return Ok();
    }));
  }
  VerifyReport Verify() {
    VerifyOptions options;
    options.audit_dir = options_.audit_dir;
    options.public_keys_pem = {key_->public_key_pem()};
    auto report = VerifyTrail(options);
    EXPECT_TRUE(report);
    return *report;
  }
  static const VerifiedFile* Find(const VerifyReport& report, std::string_view path) {
    for (const VerifiedFile& file : report.files) {
      if (file.path == path) return &file;
    }
    return nullptr;
  }
  // Delivers logs at three moments and digests twice: two digests, three log files.
  struct Layout {
    std::vector<std::string> logs;
    std::vector<std::string> digests;
  };
  Layout Build(Trail& trail) {
    Layout layout;
    AddEvents(3);
    EXPECT_EQ(*trail.DeliverLogs(), 1);
    clock_.Advance(std::chrono::minutes(5));
    AddEvents(2);
    EXPECT_EQ(*trail.DeliverLogs(), 1);
    EXPECT_EQ(*trail.WriteDigests(true), 1);
    clock_.Advance(std::chrono::minutes(61));
    AddEvents(1);
    EXPECT_EQ(*trail.DeliverLogs(), 1);
    EXPECT_EQ(*trail.WriteDigests(false), 1);  // the hour has passed
    for (auto& entry : fs::recursive_directory_iterator(options_.audit_dir / "AWSLogs")) {
      if (!entry.is_regular_file()) continue;
      std::string rel = fs::relative(entry.path(), options_.audit_dir).generic_string();
      if (rel.find("CloudTrail-Digest") != std::string::npos) {
        if (rel.size() > 8 && rel.substr(rel.size() - 8) == ".json.gz") layout.digests.push_back(rel);
      } else {
        layout.logs.push_back(rel);
      }
    }
    std::sort(layout.logs.begin(), layout.logs.end());
    std::sort(layout.digests.begin(), layout.digests.end());
    return layout;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const SigningKey> key_;
  TrailOptions options_;
  FakeClock clock_{FromEpochSeconds(1'800'000'000)};
};

TEST_F(TrailTest, DeliversLogFilesAndSignedDigestChain) {
  Trail trail(*store_, nullptr, key_, options_, clock_);
  Layout layout = Build(trail);
  ASSERT_EQ(layout.logs.size(), 3u);
  ASSERT_EQ(layout.digests.size(), 2u);
  EXPECT_EQ(layout.logs[0].rfind("AWSLogs/111122223333/CloudTrail/us-east-1/2027/01/15/"
                                 "111122223333_CloudTrail_us-east-1_20270115T0800Z_", 0), 0u)
      << layout.logs[0];
  auto log = Gunzip(ReadFile(options_.audit_dir / layout.logs[0]));
  ASSERT_TRUE(log);
  json::value records = json::parse(*log);
  EXPECT_EQ(records.at("Records").as_array().size(), 3u);

  auto digest_text = Gunzip(ReadFile(options_.audit_dir / layout.digests[1]));
  ASSERT_TRUE(digest_text);
  json::object digest = json::parse(*digest_text).as_object();
  for (const char* field :
       {"awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object",
        "digestPublicKeyFingerprint", "digestSignatureAlgorithm", "newestEventTime",
        "oldestEventTime", "previousDigestS3Bucket", "previousDigestS3Object",
        "previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature",
        "logFiles"}) {
    EXPECT_TRUE(digest.contains(field)) << field;
  }
  EXPECT_EQ(digest["digestSignatureAlgorithm"], "SHA256withRSA");
  EXPECT_EQ(digest["previousDigestS3Object"].as_string(), layout.digests[0]);
  EXPECT_EQ(digest["previousDigestHashAlgorithm"], "SHA-256");
  EXPECT_EQ(digest["logFiles"].as_array().size(), 1u);
  EXPECT_EQ(digest["logFiles"].as_array()[0].at("hashValue").as_string(),
            crypto::Sha256Hex(*Gunzip(ReadFile(options_.audit_dir / layout.logs[2]))));
  auto first = json::parse(*Gunzip(ReadFile(options_.audit_dir / layout.digests[0])));
  EXPECT_TRUE(first.at("previousDigestSignature").is_null());
  EXPECT_EQ(first.at("logFiles").as_array().size(), 2u);

  VerifyReport report = Verify();
  EXPECT_EQ(report.findings(), 0);
  EXPECT_EQ(report.log_files_valid, 3);
  EXPECT_EQ(report.digests_valid, 2);
  EXPECT_EQ(trail.stats().events, 6u);
}

TEST_F(TrailTest, StatePersistsAcrossRestarts) {
  {
    Trail trail(*store_, nullptr, key_, options_, clock_);
    AddEvents(2);
    ASSERT_EQ(*trail.DeliverLogs(), 1);
    ASSERT_EQ(*trail.WriteDigests(true), 1);
  }
  Trail again(*store_, nullptr, key_, options_, clock_);
  EXPECT_EQ(*again.DeliverLogs(), 0);  // nothing new
  AddEvents(1);
  EXPECT_EQ(*again.DeliverLogs(), 1);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*again.WriteDigests(true), 1);
  VerifyReport report = Verify();
  EXPECT_EQ(report.findings(), 0);
  EXPECT_EQ(report.digests_valid, 2);
  EXPECT_EQ(report.log_files_valid, 2);
}

TEST_F(TrailTest, DetectsModifiedDeletedAndInsertedFiles) {
  Trail trail(*store_, nullptr, key_, options_, clock_);
  Layout layout = Build(trail);
  // Change one byte of a log file (recompressed so it still unzips).
  fs::path changed = options_.audit_dir / layout.logs[0];
  std::string content = *Gunzip(ReadFile(changed));
  content[content.find("CreateUser")] = 'D';
  WriteFile(changed, *Gzip(content));
  // Delete one.
  fs::remove(options_.audit_dir / layout.logs[1]);
  // Add a forged one, dated before the newest digest.
  std::string forged = "AWSLogs/111122223333/CloudTrail/us-east-1/2027/01/15/"
                       "111122223333_CloudTrail_us-east-1_20270115T0801Z_forgedforgedforg.json.gz";
  WriteFile(options_.audit_dir / forged, *Gzip("{\"Records\":[]}"));
  // A file newer than the newest digest is only "not yet covered".
  std::string fresh = "AWSLogs/111122223333/CloudTrail/us-east-1/2027/01/15/"
                      "111122223333_CloudTrail_us-east-1_20270115T2359Z_freshfreshfreshf.json.gz";
  WriteFile(options_.audit_dir / fresh, *Gzip("{\"Records\":[]}"));

  VerifyReport report = Verify();
  EXPECT_EQ(report.findings(), 3);
  ASSERT_TRUE(Find(report, layout.logs[0]));
  EXPECT_EQ(Find(report, layout.logs[0])->state, FileState::kModified);
  ASSERT_TRUE(Find(report, layout.logs[1]));
  EXPECT_EQ(Find(report, layout.logs[1])->state, FileState::kDeleted);
  ASSERT_TRUE(Find(report, forged));
  EXPECT_EQ(Find(report, forged)->state, FileState::kInserted);
  ASSERT_TRUE(Find(report, fresh));
  EXPECT_EQ(Find(report, fresh)->state, FileState::kNotYetCovered);
  EXPECT_EQ(Find(report, layout.logs[2])->state, FileState::kValid);
}

TEST_F(TrailTest, DetectsEditedAndDeletedDigests) {
  Trail trail(*store_, nullptr, key_, options_, clock_);
  Layout layout = Build(trail);
  {
    // Edit the newest digest: drop its log file list, re-gzip. The signature breaks.
    fs::path path = options_.audit_dir / layout.digests[1];
    json::object digest = json::parse(*Gunzip(ReadFile(path))).as_object();
    digest["logFiles"] = json::array();
    WriteFile(path, *Gzip(json::serialize(digest)));
    VerifyReport report = Verify();
    ASSERT_TRUE(Find(report, layout.digests[1]));
    EXPECT_EQ(Find(report, layout.digests[1])->state, FileState::kModified);
    EXPECT_GE(report.findings(), 1);
  }
  {
    // Edit the older digest instead: its hash no longer matches the newer digest's record.
    Trail fresh_trail(*store_, nullptr, key_, options_, clock_);
    fs::remove_all(options_.audit_dir);
    TrailTest::TearDown();
    TrailTest::SetUp();
    Trail trail2(*store_, nullptr, key_, options_, clock_);
    Layout layout2 = Build(trail2);
    fs::path path = options_.audit_dir / layout2.digests[0];
    std::string text = *Gunzip(ReadFile(path));
    text[text.find("CloudTrail-Digest")] = 'c';
    WriteFile(path, *Gzip(text));
    VerifyReport report = Verify();
    EXPECT_EQ(Find(report, layout2.digests[0])->state, FileState::kModified);
    // Delete it: reported deleted, and its log files are then listed by no valid digest.
    fs::remove(path);
    fs::path sig = path;
    sig += ".sig";
    fs::remove(sig);
    VerifyReport after = Verify();
    ASSERT_TRUE(Find(after, layout2.digests[0]));
    EXPECT_EQ(Find(after, layout2.digests[0])->state, FileState::kDeleted);
    EXPECT_EQ(Find(after, layout2.logs[0])->state, FileState::kInserted);
    EXPECT_GE(after.findings(), 3);
  }
}

TEST_F(TrailTest, ForgedDigestAndUnknownKeyAreFindings) {
  Trail trail(*store_, nullptr, key_, options_, clock_);
  Layout layout = Build(trail);
  // A digest signed by another key, made the newest of the chain.
  auto other = SigningKey::Generate();
  ASSERT_TRUE(other);
  clock_.Advance(std::chrono::hours(2));
  AddEvents(1);
  Trail forger(*store_, nullptr, *other, options_, clock_);
  ASSERT_EQ(*forger.DeliverLogs(), 1);
  ASSERT_EQ(*forger.WriteDigests(true), 1);
  VerifyReport report = Verify();
  EXPECT_GE(report.findings(), 1);
  bool found_modified = false;
  for (const VerifiedFile& file : report.files) {
    if (file.kind == "digest" && file.state == FileState::kModified) found_modified = true;
  }
  EXPECT_TRUE(found_modified);
  // With the other key trusted too, the chain verifies.
  VerifyOptions options;
  options.audit_dir = options_.audit_dir;
  options.public_keys_pem = {key_->public_key_pem(), (*other)->public_key_pem()};
  EXPECT_EQ(VerifyTrail(options)->findings(), 0);
}

TEST_F(TrailTest, AccountFilterAndTimeRange) {
  Trail trail(*store_, nullptr, key_, options_, clock_);
  AddEvents(1, "111122223333");
  AddEvents(1, "444455556666");
  ASSERT_EQ(*trail.DeliverLogs(), 2);
  ASSERT_EQ(*trail.WriteDigests(true), 2);
  VerifyOptions options;
  options.audit_dir = options_.audit_dir;
  options.public_keys_pem = {key_->public_key_pem()};
  options.account_id = "444455556666";
  VerifyReport report = *VerifyTrail(options);
  EXPECT_EQ(report.log_files_valid, 1);
  for (const VerifiedFile& file : report.files) {
    EXPECT_NE(file.path.find("444455556666"), std::string::npos);
  }
  options.account_id.clear();
  options.start = clock_.Now() + std::chrono::hours(1);
  EXPECT_TRUE(VerifyTrail(options)->files.empty());
}

TEST_F(TrailTest, OpenEventsAreNotDeliveredYet) {
  AlertEngine alerts({}, {});
  Recorder recorder(*store_, alerts, clock_);
  AddEvents(2);
  std::string open_id;
  ASSERT_TRUE(store_->Read([&](const store::ReadTransaction& tx) -> Result<void> {
    open_id = (*tx.AuditEvents().ListAfter(0, 10))[1].event_id;
    return Ok();
  }));
  recorder.Begin(open_id);
  Trail trail(*store_, &recorder, key_, options_, clock_);
  ASSERT_EQ(*trail.DeliverLogs(), 1);
  EXPECT_EQ(trail.stats().events, 1u);
  recorder.End(open_id);
  ASSERT_EQ(*trail.DeliverLogs(), 1);
  EXPECT_EQ(trail.stats().events, 2u);
}

}  // namespace
}  // namespace rampart::audit
