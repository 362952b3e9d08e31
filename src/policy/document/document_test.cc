#include "policy/document/document.h"

#include <string>

#include <gtest/gtest.h>

namespace rampart::policy::document {
namespace {

TEST(ParseDocument, BuildsTreeWithOffsets) {
  std::string text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\"}, 12.5, true, null]\n}";
  Result<Node> root = ParseDocument(text);
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_TRUE(root->is_object());
  EXPECT_EQ(root->begin, 0u);
  EXPECT_EQ(root->end, text.size());
  ASSERT_EQ(root->members.size(), 2u);
  const Node* version = root->Find("Version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->text, "2012-10-17");
  EXPECT_EQ(text.substr(version->begin, version->end - version->begin), "\"2012-10-17\"");
  const Node* statement = root->Find("Statement");
  ASSERT_NE(statement, nullptr);
  ASSERT_EQ(statement->items.size(), 4u);
  const Node& object = statement->items[0];
  EXPECT_EQ(text.substr(object.begin, object.end - object.begin), "{\"Effect\": \"Allow\"}");
  EXPECT_EQ(statement->items[1].kind, Node::Kind::kNumber);
  EXPECT_EQ(statement->items[1].text, "12.5");
  EXPECT_EQ(text.substr(statement->items[1].begin, statement->items[1].end - statement->items[1].begin), "12.5");
  EXPECT_EQ(statement->items[2].kind, Node::Kind::kBool);
  EXPECT_TRUE(statement->items[2].boolean);
  EXPECT_EQ(statement->items[3].kind, Node::Kind::kNull);
  LineColumn lc = ToLineColumn(text, object.begin);
  EXPECT_EQ(lc.line, 3u);
  EXPECT_EQ(lc.column, 17u);
  EXPECT_EQ(text.substr(root->members[1].key_begin, 11), "\"Statement\"");
}

TEST(ParseDocument, DecodesEscapesAndUnicode) {
  Result<Node> root = ParseDocument(R"({"a": "x\"y\u00e9\ud83d\ude00", "b\n": 1})");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->members[0].value.text, "x\"y\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(root->members[1].key, "b\n");
}

TEST(ParseDocument, KeepsDuplicateKeysInOrder) {
  Result<Node> root = ParseDocument(R"({"a": 1, "a": 2})");
  ASSERT_TRUE(root);
  ASSERT_EQ(root->members.size(), 2u);
  EXPECT_EQ(root->members[1].value.text, "2");
}

TEST(ParseDocument, RejectsInvalidJson) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{} {}", "{\"a\": 1,}", "// c\n{}", "nul",
                          "\"\xff\""}) {
    Result<Node> root = ParseDocument(bad);
    EXPECT_FALSE(root) << bad;
    if (!root) {
      EXPECT_EQ(root.error().code, "MalformedPolicyDocument");
    }
  }
}

TEST(ParseDocument, ReportsLineAndColumnOfSyntaxErrors) {
  Result<Node> root = ParseDocument("{\n  \"a\": tru\n}");
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().message.find("line 2"), std::string::npos) << root.error().message;
}

TEST(ParseDocument, EnforcesLimits) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  Result<Node> nested = ParseDocument(deep);
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("nested deeper"), std::string::npos);

  Limits small;
  small.max_bytes = 10;
  Result<Node> big = ParseDocument("{\"abcdefghijkl\": 1}", small);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("larger than"), std::string::npos);

  Limits few;
  few.max_nodes = 3;
  Result<Node> many = ParseDocument("[1,2,3,4]", few);
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().message.find("more than 3 values"), std::string::npos);
}

TEST(Serialize, RoundTrips) {
  std::string text = R"({"a":[1,true,null,"x\"y"],"b":{"c":-1.5e3}})";
  Result<Node> root = ParseDocument(text);
  ASSERT_TRUE(root);
  EXPECT_EQ(Serialize(*root), text);
}

}  // namespace
}  // namespace rampart::policy::document
