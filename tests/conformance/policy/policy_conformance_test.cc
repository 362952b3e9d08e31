// Conformance runner for the policy engine. Reads every cases/*.json file:
//   {"description": "...", "cases": [{"description", "doc", <POLICY-SIMULATE.md case fields>,
//                                     "expect": {"decision", "reason"?, "missingContextValues"?}}]}
// Each case (minus description, doc and expect) is serialised to one JSON line and evaluated by
// policy::SimulateLine, exactly as `rampart policy simulate` does. Unknown fields are errors.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "policy/simulate.h"

namespace rampart::policy {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const std::set<std::string> kCaseFields = {
    "id",          "description",    "doc",         "principal",        "action",
    "resource",    "resourceAccount", "context",    "identityPolicies", "resourcePolicy",
    "permissionsBoundary", "sessionPolicies", "scps", "rcps",           "endpointPolicies",
    "expect"};
const std::set<std::string> kExpectFields = {"decision", "reason", "missingContextValues"};
const std::set<std::string> kFileFields = {"description", "cases"};

std::vector<fs::path> CaseFiles() {
  std::vector<fs::path> files;
  fs::path dir = fs::path(RAMPART_SOURCE_DIR) / "tests/conformance/policy/cases";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.as_string().c_str()) : json::serialize(v);
}

void RunFile(const fs::path& path, int& total) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json::error_code ec;
  json::value root = json::parse(buffer.str(), ec);
  ASSERT_FALSE(ec) << path << ": invalid JSON: " << ec.message();
  ASSERT_TRUE(root.is_object()) << path;
  for (const auto& member : root.as_object()) {
    EXPECT_TRUE(kFileFields.count(std::string(member.key()))) << path << ": unknown field " << member.key();
  }
  ASSERT_TRUE(root.as_object().contains("cases") && root.at("cases").is_array()) << path;
  std::size_t index = 0;
  for (const json::value& value : root.at("cases").as_array()) {
    ++index;
    ++total;
    ASSERT_TRUE(value.is_object()) << path << " case " << index;
    json::object input = value.as_object();
    std::string label = path.filename().string() + " #" + std::to_string(index);
    if (input.contains("id")) label += " (" + Str(input.at("id")) + ")";
    if (input.contains("description")) label += ": " + Str(input.at("description"));
    SCOPED_TRACE(label);
    bool fields_ok = true;
    for (const auto& member : input) {
      if (!kCaseFields.count(std::string(member.key()))) {
        ADD_FAILURE() << "unknown case field `" << member.key() << "`";
        fields_ok = false;
      }
    }
    if (!fields_ok) continue;
    if (!input.contains("expect") || !input.at("expect").is_object()) {
      ADD_FAILURE() << "missing `expect`";
      continue;
    }
    json::object expect = input.at("expect").as_object();
    for (const auto& member : expect) {
      if (!kExpectFields.count(std::string(member.key()))) {
        ADD_FAILURE() << "unknown expect field `" << member.key() << "`";
        fields_ok = false;
      }
    }
    if (!fields_ok || !expect.contains("decision")) {
      if (fields_ok) ADD_FAILURE() << "missing expect.decision";
      continue;
    }
    input.erase("expect");
    input.erase("description");
    input.erase("doc");
    std::string out_line = SimulateLine(json::serialize(input));
    json::value out = json::parse(out_line);
    const json::object& result = out.as_object();
    EXPECT_EQ(Str(expect.at("decision")), Str(result.at("decision"))) << out_line;
    if (expect.contains("reason")) {
      std::string reason = result.contains("reason") ? Str(result.at("reason")) : "";
      EXPECT_EQ(Str(expect.at("reason")), reason) << out_line;
    }
    if (expect.contains("missingContextValues")) {
      std::vector<std::string> want, got;
      for (const json::value& v : expect.at("missingContextValues").as_array()) want.push_back(Str(v));
      if (result.contains("missingContextValues")) {
        for (const json::value& v : result.at("missingContextValues").as_array()) got.push_back(Str(v));
      }
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(want, got) << out_line;
    }
  }
}

TEST(PolicyConformance, EveryCaseFile) {
  std::vector<fs::path> files = CaseFiles();
  ASSERT_FALSE(files.empty()) << "no case files found";
  int total = 0;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    RunFile(file, total);
  }
  std::cout << "policy conformance: " << files.size() << " files, " << total << " cases\n";
}

}  // namespace
}  // namespace rampart::policy
