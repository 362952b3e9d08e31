#include "audit/filter_pattern.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <variant>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

namespace rampart::audit {
namespace json = boost::json;

// One step of a selector: a member name, an index, or any element ([*]).
struct Step {
  std::string name;
  std::optional<std::size_t> index;
  bool any = false;
};

enum class Op { kEq, kNe, kLt, kGt, kLe, kGe, kIsNull, kIsTrue, kIsFalse, kNotExists, kExists };

struct FilterPattern::Node {
  enum class Kind { kAnd, kOr, kCompare } kind = Kind::kCompare;
  std::shared_ptr<const Node> left, right;
  // kCompare
  std::vector<Step> selector;
  Op op = Op::kEq;
  std::string text;               // the value as written (unquoted)
  std::optional<double> number;   // set when the value is a number
};

namespace {

using Node = FilterPattern::Node;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::shared_ptr<const Node>> Parse() {
    SkipSpace();
    if (!Eat("{")) return Error("expected `{`");
    auto expr = Or();
    if (!expr) return expr;
    SkipSpace();
    if (!Eat("}")) return Error("expected `}`");
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after `}`");
    return expr;
  }

 private:
  tl::unexpected<rampart::Error> Error(std::string_view what) const {
    return Fail("InvalidFilterPattern", fmt::format("offset {}: {}", pos_, what));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_, token.size()) == token) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  // A keyword (IS, NULL, NOT, EXISTS, TRUE, FALSE), case-insensitively, as a whole word.
  bool EatWord(std::string_view word) {
    SkipSpace();
    if (text_.size() - pos_ < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      char c = text_[pos_ + i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != word[i]) return false;
    }
    std::size_t end = pos_ + word.size();
    if (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                               text_[end] == '_')) {
      return false;
    }
    pos_ = end;
    return true;
  }

  Result<std::shared_ptr<const Node>> Or() {
    auto left = And();
    if (!left) return left;
    while (Eat("||")) {
      auto right = And();
      if (!right) return right;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kOr;
      node->left = std::move(*left);
      node->right = std::move(*right);
      *left = std::move(node);
    }
    return left;
  }

  Result<std::shared_ptr<const Node>> And() {
    auto left = Unary();
    if (!left) return left;
    while (Eat("&&")) {
      auto right = Unary();
      if (!right) return right;
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::kAnd;
      node->left = std::move(*left);
      node->right = std::move(*right);
      *left = std::move(node);
    }
    return left;
  }

  Result<std::shared_ptr<const Node>> Unary() {
    if (++depth_ > 64) return Error("nesting too deep");
    if (Eat("(")) {
      auto inner = Or();
      if (!inner) return inner;
      if (!Eat(")")) return Error("expected `)`");
      --depth_;
      return inner;
    }
    auto node = Comparison();
    --depth_;
    return node;
  }

  Result<std::shared_ptr<const Node>> Comparison() {
    SkipSpace();
    if (!Eat("$")) return Error("expected a selector starting with `$`");
    auto node = std::make_shared<Node>();
    while (pos_ < text_.size()) {
      if (text_[pos_] == '.') {
        ++pos_;
        std::size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                       text_[pos_] == '_' || text_[pos_] == '-' ||
                                       text_[pos_] == ':' || text_[pos_] == '@')) {
          ++pos_;
        }
        if (pos_ == start) return Error("expected a member name after `.`");
        node->selector.push_back(Step{std::string(text_.substr(start, pos_ - start)), {}, false});
      } else if (text_[pos_] == '[') {
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '*') {
          ++pos_;
          node->selector.push_back(Step{"", {}, true});
        } else {
          std::size_t index = 0;
          auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), index);
          if (ec != std::errc()) return Error("expected an index or `*` after `[`");
          pos_ = static_cast<std::size_t>(ptr - text_.data());
          node->selector.push_back(Step{"", index, false});
        }
        if (pos_ >= text_.size() || text_[pos_] != ']') return Error("expected `]`");
        ++pos_;
      } else {
        break;
      }
    }
    if (node->selector.empty()) return Error("a selector needs at least one member");
    if (EatWord("IS")) {
      if (EatWord("NULL")) {
        node->op = Op::kIsNull;
      } else if (EatWord("TRUE")) {
        node->op = Op::kIsTrue;
      } else if (EatWord("FALSE")) {
        node->op = Op::kIsFalse;
      } else {
        return Error("expected NULL, TRUE or FALSE after IS");
      }
      return std::shared_ptr<const Node>(node);
    }
    if (EatWord("NOT")) {
      if (!EatWord("EXISTS")) return Error("expected EXISTS after NOT");
      node->op = Op::kNotExists;
      return std::shared_ptr<const Node>(node);
    }
    if (EatWord("EXISTS")) {
      node->op = Op::kExists;
      return std::shared_ptr<const Node>(node);
    }
    if (Eat("!=")) {
      node->op = Op::kNe;
    } else if (Eat("<=")) {
      node->op = Op::kLe;
    } else if (Eat(">=")) {
      node->op = Op::kGe;
    } else if (Eat("=")) {
      node->op = Op::kEq;
    } else if (Eat("<")) {
      node->op = Op::kLt;
    } else if (Eat(">")) {
      node->op = Op::kGt;
    } else {
      return Error("expected a comparison operator");
    }
    SkipSpace();
    bool quoted = false;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      quoted = true;
      ++pos_;
      std::string value;
      while (true) {
        if (pos_ >= text_.size()) return Error("unterminated string");
        char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
        value.push_back(c);
      }
      node->text = std::move(value);
    } else {
      std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != ')' &&
             text_[pos_] != '}' && text_[pos_] != '&' && text_[pos_] != '|' &&
             text_[pos_] != '\t' && text_[pos_] != '\n') {
        ++pos_;
      }
      if (pos_ == start) return Error("expected a value");
      if (text_[start] == '=' || text_[start] == '<' || text_[start] == '>' ||
          text_[start] == '!') {
        return Error("unexpected operator where a value belongs");
      }
      node->text = std::string(text_.substr(start, pos_ - start));
    }
    if (!quoted) {
      const char* begin = node->text.c_str();
      char* end = nullptr;
      double number = std::strtod(begin, &end);
      if (end != begin && *end == '\0') node->number = number;
    }
    bool numeric_op = node->op != Op::kEq && node->op != Op::kNe;
    if (numeric_op && !node->number) return Error("numeric comparison needs a number");
    return std::shared_ptr<const Node>(node);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// `*` matches any run of characters; everything else literally. Linear-time two-pointer glob.
bool Glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// What a selector finds: most select one value, so the first few live on the stack.
using Found = boost::container::small_vector<const json::value*, 4>;

void Select(const json::value& value, const std::vector<Step>& steps, std::size_t at,
            Found& out) {
  if (at == steps.size()) {
    out.push_back(&value);
    return;
  }
  const Step& step = steps[at];
  if (!step.name.empty()) {
    if (!value.is_object()) return;
    auto it = value.get_object().find(step.name);
    if (it == value.get_object().end()) return;
    Select(it->value(), steps, at + 1, out);
  } else if (step.any) {
    if (!value.is_array()) return;
    for (const json::value& item : value.get_array()) Select(item, steps, at + 1, out);
  } else if (step.index) {
    if (!value.is_array() || *step.index >= value.get_array().size()) return;
    Select(value.get_array()[*step.index], steps, at + 1, out);
  }
}

std::optional<double> AsNumber(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

bool CompareOne(const Node& node, const json::value& value) {
  switch (node.op) {
    case Op::kIsNull:
      return value.is_null();
    case Op::kIsTrue:
      return value.is_bool() && value.get_bool();
    case Op::kIsFalse:
      return value.is_bool() && !value.get_bool();
    case Op::kExists:
    case Op::kNotExists:
      return true;  // handled by the caller
    default:
      break;
  }
  if (value.is_array()) {
    if (node.op == Op::kNe) {
      for (const json::value& item : value.get_array()) {
        if (!CompareOne(node, item)) return false;
      }
      return !value.get_array().empty();
    }
    for (const json::value& item : value.get_array()) {
      if (CompareOne(node, item)) return true;
    }
    return false;
  }
  if (std::optional<double> number = AsNumber(value); number && node.number) {
    switch (node.op) {
      case Op::kEq: return *number == *node.number;
      case Op::kNe: return *number != *node.number;
      case Op::kLt: return *number < *node.number;
      case Op::kGt: return *number > *node.number;
      case Op::kLe: return *number <= *node.number;
      case Op::kGe: return *number >= *node.number;
      default: return false;
    }
  }
  std::string number_text;  // the text of a number compared to a non-numeric pattern
  std::string_view text;
  if (value.is_string()) {
    text = value.get_string();
  } else if (value.is_bool()) {
    text = value.get_bool() ? "true" : "false";
  } else if (value.is_null()) {
    text = "null";
  } else if (AsNumber(value)) {
    number_text = json::serialize(value);
    text = number_text;
  } else {
    return false;  // objects compare to nothing
  }
  if (node.op == Op::kEq) return Glob(node.text, text);
  if (node.op == Op::kNe) return !Glob(node.text, text);
  return false;  // ordering comparisons need numbers on both sides
}

void SelectFrom(const json::value& record, const std::vector<Step>& steps, Found& out) {
  Select(record, steps, 0, out);
}

// The same from a record held as an object (no copy into a json::value). A selector always
// starts with a member name ($.name...); one that does not selects nothing from an object.
void SelectFrom(const json::object& record, const std::vector<Step>& steps, Found& out) {
  if (steps.empty() || steps.front().name.empty()) return;
  auto it = record.find(steps.front().name);
  if (it == record.end()) return;
  Select(it->value(), steps, 1, out);
}

template <typename Record>
bool Evaluate(const Node& node, const Record& record) {
  switch (node.kind) {
    case Node::Kind::kAnd:
      return Evaluate(*node.left, record) && Evaluate(*node.right, record);
    case Node::Kind::kOr:
      return Evaluate(*node.left, record) || Evaluate(*node.right, record);
    case Node::Kind::kCompare:
      break;
  }
  Found found;
  SelectFrom(record, node.selector, found);
  if (node.op == Op::kNotExists) return found.empty();
  if (node.op == Op::kExists) return !found.empty();
  for (const json::value* value : found) {
    if (CompareOne(node, *value)) return true;
  }
  return false;
}

}  // namespace

Result<FilterPattern> FilterPattern::Parse(std::string_view text) {
  Parser parser(text);
  Result<std::shared_ptr<const Node>> root = parser.Parse();
  if (!root) return Fail(root.error());
  FilterPattern pattern;
  pattern.text_ = std::string(text);
  pattern.root_ = std::move(*root);
  return pattern;
}

bool FilterPattern::Matches(const json::value& record) const {
  return root_ != nullptr && Evaluate(*root_, record);
}

bool FilterPattern::Matches(const json::object& record) const {
  return root_ != nullptr && Evaluate(*root_, record);
}

}  // namespace rampart::audit
