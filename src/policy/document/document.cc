#include "policy/document/document.h"

#include <exception>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>

namespace rampart::policy::document {
namespace {

using boost::json::error_code;
using boost::json::string_view;

class TreeBuilder {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  TreeBuilder(std::string_view text, std::size_t max_nodes) : text_(text), max_nodes_(max_nodes) {}

  void set_offset(std::size_t offset) { offset_ = offset; }
  bool too_many_nodes() const { return too_many_nodes_; }
  Node TakeRoot() { return std::move(root_); }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_array_begin(error_code& ec) { return Open(Node::Kind::kArray, ec); }
  bool on_array_end(std::size_t, error_code&) { return Close(); }
  bool on_object_begin(error_code& ec) { return Open(Node::Kind::kObject, ec); }
  bool on_object_end(std::size_t, error_code&) { return Close(); }

  bool on_string_part(string_view s, std::size_t, error_code&) {
    pending_.append(s.data(), s.size());
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code& ec) {
    pending_.append(s.data(), s.size());
    Node node;
    node.kind = Node::Kind::kString;
    node.text = std::move(pending_);
    pending_.clear();
    return Leaf(std::move(node), offset_ + 1, ec);
  }
  bool on_key_part(string_view s, std::size_t, error_code&) {
    pending_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    pending_.append(s.data(), s.size());
    key_ = std::move(pending_);
    pending_.clear();
    key_begin_ = static_cast<std::uint32_t>(SkipSeparators(last_end_));
    last_end_ = offset_ + 1;
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    pending_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, string_view s, error_code& ec) { return Number(s, ec); }
  bool on_uint64(std::uint64_t, string_view s, error_code& ec) { return Number(s, ec); }
  bool on_double(double, string_view s, error_code& ec) { return Number(s, ec); }
  bool on_bool(bool b, error_code& ec) {
    Node node;
    node.kind = Node::Kind::kBool;
    node.boolean = b;
    return Leaf(std::move(node), offset_ + 1, ec);
  }
  bool on_null(error_code& ec) { return Leaf(Node(), offset_ + 1, ec); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  std::size_t SkipSeparators(std::size_t from) const {
    while (from < text_.size()) {
      char c = text_[from];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':') {
        ++from;
      } else {
        break;
      }
    }
    return from;
  }

  bool Count(error_code& ec) {
    if (++nodes_ > max_nodes_) {
      too_many_nodes_ = true;
      ec = boost::json::error::exception;  // any error stops the parser
      return false;
    }
    return true;
  }

  bool Open(Node::Kind kind, error_code& ec) {
    if (!Count(ec)) return false;
    Frame frame;
    frame.node.kind = kind;
    frame.node.begin = static_cast<std::uint32_t>(offset_);
    frame.key = std::move(key_);
    frame.key_begin = key_begin_;
    key_.clear();
    stack_.push_back(std::move(frame));
    last_end_ = offset_ + 1;
    return true;
  }

  bool Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    frame.node.end = static_cast<std::uint32_t>(offset_ + 1);
    last_end_ = offset_ + 1;
    Attach(std::move(frame.node), std::move(frame.key), frame.key_begin);
    return true;
  }

  bool Number(string_view s, error_code& ec) {
    pending_.append(s.data(), s.size());
    Node node;
    node.kind = Node::Kind::kNumber;
    node.text = std::move(pending_);
    pending_.clear();
    std::size_t begin = SkipSeparators(last_end_);
    return Leaf(std::move(node), begin + node.text.size(), ec);
  }

  bool Leaf(Node node, std::size_t end, error_code& ec) {
    if (!Count(ec)) return false;
    node.begin = static_cast<std::uint32_t>(SkipSeparators(last_end_));
    node.end = static_cast<std::uint32_t>(end);
    last_end_ = end;
    std::string key = std::move(key_);
    key_.clear();
    Attach(std::move(node), std::move(key), key_begin_);
    return true;
  }

  void Attach(Node node, std::string key, std::uint32_t key_begin) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Node& parent = stack_.back().node;
    if (parent.kind == Node::Kind::kArray) {
      parent.items.push_back(std::move(node));
    } else {
      Member member;
      member.key = std::move(key);
      member.key_begin = key_begin;
      member.value = std::move(node);
      parent.members.push_back(std::move(member));
    }
  }

  struct Frame {
    Node node;
    std::string key;
    std::uint32_t key_begin = 0;
  };

  std::string_view text_;
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
  bool too_many_nodes_ = false;
  std::size_t offset_ = 0;    // offset of the byte being fed
  std::size_t last_end_ = 0;  // one past the last byte that completed a token
  std::string pending_;
  std::string key_;
  std::uint32_t key_begin_ = 0;
  std::vector<Frame> stack_;
  Node root_;
};

void SerializeTo(const Node& node, std::string& out) {
  switch (node.kind) {
    case Node::Kind::kNull:
      out += "null";
      return;
    case Node::Kind::kBool:
      out += node.boolean ? "true" : "false";
      return;
    case Node::Kind::kNumber:
      out += node.text;
      return;
    case Node::Kind::kString:
      out += boost::json::serialize(boost::json::string_view(node.text.data(), node.text.size()));
      return;
    case Node::Kind::kArray: {
      out += '[';
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += ',';
        SerializeTo(node.items[i], out);
      }
      out += ']';
      return;
    }
    case Node::Kind::kObject: {
      out += '{';
      for (std::size_t i = 0; i < node.members.size(); ++i) {
        if (i) out += ',';
        out += boost::json::serialize(
            boost::json::string_view(node.members[i].key.data(), node.members[i].key.size()));
        out += ':';
        SerializeTo(node.members[i].value, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

const Node* Node::Find(std::string_view key) const {
  for (const Member& member : members) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

LineColumn ToLineColumn(std::string_view text, std::uint32_t offset) {
  LineColumn lc;
  std::size_t limit = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < limit; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

Result<Node> ParseDocument(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return Fail("MalformedPolicyDocument",
                fmt::format("document larger than {} bytes", limits.max_bytes));
  }
  boost::json::parse_options options;
  options.max_depth = limits.max_depth;
  try {
    boost::json::basic_parser<TreeBuilder> parser(options, text, limits.max_nodes);
    error_code ec;
    // Fed one byte at a time so that every parser event knows the offset it happened at.
    std::size_t offset = 0;
    for (; offset < text.size(); ++offset) {
      parser.handler().set_offset(offset);
      parser.write_some(true, text.data() + offset, 1, ec);
      if (ec) break;
    }
    if (!ec) {
      parser.handler().set_offset(text.size());
      parser.write_some(false, nullptr, 0, ec);
    }
    if (ec) {
      if (parser.handler().too_many_nodes()) {
        return Fail("MalformedPolicyDocument",
                    fmt::format("document has more than {} values", limits.max_nodes));
      }
      if (ec == boost::json::error::too_deep) {
        return Fail("MalformedPolicyDocument",
                    fmt::format("document nested deeper than {} levels", limits.max_depth));
      }
      LineColumn where = ToLineColumn(text, static_cast<std::uint32_t>(offset));
      return Fail("MalformedPolicyDocument",
                  fmt::format("syntax error at line {}, column {}: {}", where.line, where.column,
                              ec.message()));
    }
    return parser.handler().TakeRoot();
  } catch (const std::exception& e) {
    return Fail("MalformedPolicyDocument", fmt::format("cannot parse document: {}", e.what()));
  }
}

std::string Serialize(const Node& node) {
  std::string out;
  SerializeTo(node, out);
  return out;
}

}  // namespace rampart::policy::document
