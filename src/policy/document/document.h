// Policy document syntax tree: JSON text -> a tree of Nodes that remember where in the text
// they came from (byte offsets, convertible to line and column), so that validation errors and
// simulation results can point at statements the way IAM's SimulatePrincipalPolicy does.
//
// JSON is parsed by Boost.JSON's basic_parser; this file only builds the tree. Parse-time
// limits (document size, nesting depth, node count) bound time and memory on hostile input.
// Thread-safety: Document is an immutable value once returned; ParseDocument is reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rampart::policy::document {

struct Member;

struct Node {
  enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;              // kString: the decoded value; kNumber: the source text
  std::vector<Node> items;       // kArray
  std::vector<Member> members;   // kObject, in source order (duplicates kept)
  std::uint32_t begin = 0;       // byte offset of the first character of the value
  std::uint32_t end = 0;         // byte offset one past its last character

  bool is_string() const { return kind == Kind::kString; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  // First member named exactly `key`, or nullptr.
  const Node* Find(std::string_view key) const;
};

struct Member {
  std::string key;
  std::uint32_t key_begin = 0;
  Node value;
};

struct Limits {
  std::size_t max_bytes = 131072;   // larger than any AWS policy quota, by a wide margin
  std::size_t max_depth = 32;       // a policy needs at most 6 levels
  std::size_t max_nodes = 50000;
};

// 1-based line and column of a byte offset (columns count bytes).
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};
LineColumn ToLineColumn(std::string_view text, std::uint32_t offset);

// Parses JSON text into a tree. Errors (code "MalformedPolicyDocument"):
//   "syntax error at line L, column C: ..." for invalid JSON, trailing data, comments;
//   "document larger than N bytes", "document nested deeper than N levels",
//   "document has more than N values".
// The returned tree does not borrow `text`.
Result<Node> ParseDocument(std::string_view text, const Limits& limits = Limits());

// Compact JSON rendering of a node (round-trip check for the fuzz target and tests).
std::string Serialize(const Node& node);

}  // namespace rampart::policy::document
