// ANTLR parse tree -> AST. Syntax errors are collected by an error listener
// that rewrites ANTLR's messages into flowc's diagnostic style.
#include "parse/parser.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "FlowLexer.h"
#include "FlowParser.h"
#include "antlr4-runtime.h"
#include "parse/tree_builder.h"
#include "support/edit_distance.h"
#include "support/utf8.h"

namespace flowc {
namespace {

// ANTLR counts characters in code points; diagnostics use byte offsets.
// This maps one to the other for the file being parsed.
class OffsetMap {
 public:
  explicit OffsetMap(const std::string& text) {
    for (uint32_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts_.push_back(i);
    }
    starts_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte_offset(size_t code_point) const {
    return code_point < starts_.size() ? starts_[code_point] : starts_.back();
  }

 private:
  std::vector<uint32_t> starts_;
};

// Human names for token types in "expected ..." help lines.
// 'text' (built by appending: GCC 12 warns, wrongly, on "'" + std::string).
std::string single_quoted(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

std::string token_display_name(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case FlowLexer::IDENT:
    case FlowLexer::BQIDENT: return "a name";
    case FlowLexer::INT: return "an integer";
    case FlowLexer::FLOAT: return "a float";
    case FlowLexer::STRING: return "a string";
    case FlowLexer::DURATION: return "a duration";
    default: return vocabulary.getDisplayName(type);
  }
}

bool is_declaration_keyword(size_t type) {
  return type == FlowLexer::PIPELINE || type == FlowLexer::PARAM || type == FlowLexer::BATCH ||
         type == FlowLexer::CHECKPOINT || type == FlowLexer::SOURCE || type == FlowLexer::TABLE ||
         type == FlowLexer::STREAM || type == FlowLexer::SINK || type == FlowLexer::FUNCTION;
}

bool is_keyword(size_t type) {
  return type >= FlowLexer::PIPELINE && type <= FlowLexer::IN;
}

// Keywords the grammar also takes as names (its `softKeyword` rule).
bool is_soft_keyword(size_t type) {
  return type == FlowLexer::TOP || type == FlowLexer::ASC || type == FlowLexer::DESC ||
         type == FlowLexer::DELETE || type == FlowLexer::EXPIRED;
}

std::vector<std::string> all_keywords(const antlr4::dfa::Vocabulary& vocabulary) {
  std::vector<std::string> out;
  for (size_t type = FlowLexer::PIPELINE; type <= FlowLexer::IN; ++type) {
    std::string literal = vocabulary.getLiteralName(type);
    out.push_back(literal.substr(1, literal.size() - 2));
  }
  return out;
}

class ErrorCollector : public antlr4::BaseErrorListener {
 public:
  ErrorCollector(const SourceFile& file, const OffsetMap& offsets, DiagnosticEngine& diags)
      : file_(file), offsets_(offsets), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& msg, std::exception_ptr) override {
    if (offending == nullptr) {
      lexer_error(line, column);
      return;
    }
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser != nullptr && cascades_from_last_error(parser, offending)) return;
    uint32_t begin = offsets_.byte_offset(offending->getStartIndex());
    if (!reported_.insert(begin).second) return;
    uint32_t end = offending->getType() == antlr4::Token::EOF
                       ? begin
                       : offsets_.byte_offset(offending->getStopIndex() + 1);
    SourceRange range{file_.locate(begin), file_.locate(end)};

    if (offending->getType() == FlowLexer::UNTERMINATED_STRING) {
      diags_.error(range, "unterminated string").helps.push_back("close it with '\"' on the same line");
      return;
    }
    if (offending->getType() == FlowLexer::UNTERMINATED_BQIDENT) {
      diags_.error(range, "unterminated backquoted name")
          .helps.push_back("close it with '`' on the same line");
      return;
    }

    antlr4::misc::IntervalSet expected;
    if (parser != nullptr) expected = parser->getExpectedTokens();
    const auto& vocabulary = parser ? parser->getVocabulary() : recognizer->getVocabulary();
    std::vector<std::string> names;
    std::vector<std::string> keywords;
    for (size_t type : expected.toList()) {
      // Where a name may come, `top` is one: "a name" covers it.
      if (is_soft_keyword(type) && expected.contains(static_cast<size_t>(FlowLexer::IDENT)))
        continue;
      std::string display = token_display_name(vocabulary, type);
      // IDENT and BQIDENT both read "a name".
      if (std::find(names.begin(), names.end(), display) == names.end()) names.push_back(display);
      if (is_keyword(type)) {
        std::string literal = vocabulary.getLiteralName(type);
        keywords.push_back(literal.substr(1, literal.size() - 2));
      }
    }

    std::string found = offending->getType() == antlr4::Token::EOF
                            ? "end of file"
                            : single_quoted(offending->getText());
    bool in_expression = false;
    if (parser != nullptr && parser->getContext() != nullptr) {
      size_t rule = parser->getContext()->getRuleIndex();
      in_expression = rule == FlowParser::RuleExpr || rule == FlowParser::RulePrimary;
    }
    Diagnostic* d;
    if (in_expression && expected.contains(static_cast<size_t>(FlowLexer::IDENT))) {
      d = &diags_.error(range, "expected an expression, found " + found);
    } else if (names.size() == 1) {
      d = &diags_.error(range, "expected " + names[0] + ", found " + found);
    } else {
      d = &diags_.error(range, "unexpected " + found);
      if (!names.empty() && names.size() <= kMaxExpectedShown) {
        std::string list;
        for (size_t i = 0; i < names.size(); ++i) {
          list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
        }
        d->helps.push_back("expected " + list);
      }
    }
    size_t type = offending->getType();
    if (type == FlowLexer::IDENT) {
      size_t helps = d->helps.size();
      diags_.suggest(*d, offending->getText(), keywords);
      // A misspelled clause keyword (`evnt_time`) ends its declaration, so
      // the parser then expects only declaration keywords: try them all.
      if (d->helps.size() == helps && !keywords.empty()) {
        diags_.suggest(*d, offending->getText(), all_keywords(vocabulary));
      }
    } else if (is_keyword(type) && names.size() <= kMaxExpectedShown &&
               expected.contains(static_cast<size_t>(FlowLexer::IDENT))) {
      d->helps.push_back(single_quoted(offending->getText()) + " is a keyword; write `" +
                         offending->getText() + "` in backquotes to use it as a name");
    }
    (void)msg;
  }

 private:
  static constexpr size_t kMaxExpectedShown = 6;

  void lexer_error(size_t line, size_t column) {
    // `column` counts code points from the start of `line`.
    uint32_t line_start = file_.locate(0).offset;
    for (uint32_t l = 1, i = 0; i < file_.text().size() && l < line; ++i) {
      if (file_.text()[i] == '\n') {
        ++l;
        line_start = i + 1;
      }
    }
    uint32_t begin = line_start;
    for (size_t c = 0; c < column && begin < file_.text().size(); ++c) {
      ++begin;
      while (begin < file_.text().size() &&
             (static_cast<unsigned char>(file_.text()[begin]) & 0xC0) == 0x80) {
        ++begin;
      }
    }
    if (!reported_.insert(begin).second) return;
    uint32_t end = begin + 1;
    while (end < file_.text().size() &&
           (static_cast<unsigned char>(file_.text()[end]) & 0xC0) == 0x80) {
      ++end;
    }
    std::string ch = file_.text().substr(begin, end - begin);
    std::string message = ch == "`" ? "unterminated backquoted name"
                                    : "unexpected character '" + ch + "'";
    diags_.error(SourceRange{file_.locate(begin), file_.locate(end)}, message);
  }

  // After a syntax error, ANTLR's recovery often trips over the rest of the
  // same declaration. Report one error per declaration: a later error counts
  // only once a declaration keyword has been seen since the last one (or was
  // the last one's token: recovery never deletes a declaration keyword).
  bool cascades_from_last_error(antlr4::Parser* parser, antlr4::Token* offending) {
    ssize_t index = static_cast<ssize_t>(offending->getTokenIndex());
    bool fresh = last_error_token_ < 0;
    auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(parser->getTokenStream());
    for (ssize_t i = last_error_token_; !fresh && stream && i <= index; ++i) {
      fresh = is_declaration_keyword(stream->get(static_cast<size_t>(i))->getType());
    }
    if (!fresh) return true;
    last_error_token_ = index;
    return false;
  }

  const SourceFile& file_;
  const OffsetMap& offsets_;
  DiagnosticEngine& diags_;
  std::set<uint32_t> reported_;
  ssize_t last_error_token_ = -1;
};

// ANTLR recovers inside loops by skipping to a token that can follow, but at
// a loop's entry it throws instead, and the rule-level recovery then skips
// to the rule's follow set: for `program` that is the end of the file. A
// typo in the first declaration would hide every later error, so entries
// recover the way loop iterations do.
class FlowErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  // A declaration keyword starts the next declaration: deleting it as an
  // extraneous token (`where x >` then `sink ...`) would hide that whole
  // declaration and its errors.
  antlr4::Token* singleTokenDeletion(antlr4::Parser* recognizer) override {
    if (is_declaration_keyword(recognizer->getCurrentToken()->getType())) return nullptr;
    return DefaultErrorStrategy::singleTokenDeletion(recognizer);
  }

  void sync(antlr4::Parser* recognizer) override {
    if (inErrorRecoveryMode(recognizer)) return;
    try {
      DefaultErrorStrategy::sync(recognizer);
    } catch (antlr4::InputMismatchException&) {
      reportUnwantedToken(recognizer);
      antlr4::misc::IntervalSet expecting = recognizer->getExpectedTokens();
      consumeUntil(recognizer, expecting.Or(getErrorRecoverySet(recognizer)));
    }
  }
};

// Nesting bounds. ANTLR's parser recurses once (several frames) per
// bracket, prefix operator and `else if`, and everything after it (the tree
// builder, sema, the optimizer, codegen, destructors) once per expression
// level, so text nested deeper than this would overflow the stack: it is a
// located error instead.
constexpr int kMaxNesting = 256;         // brackets, prefix operators, else-if chains
constexpr size_t kMaxTreeDepth = 1100;   // parse tree levels (binary operator chains)

// The first token at which brackets, runs of prefix operators (`-`, `not`)
// and `else if` chains are nested more than kMaxNesting deep, or null.
// Conservative: counts before parsing, from the tokens alone.
antlr4::Token* too_deeply_nested(antlr4::CommonTokenStream& tokens) {
  int depth = 0;
  int unary_run = 0;
  std::vector<int> else_ifs(1, 0);  // per open bracket
  int else_if_total = 0;
  size_t previous = 0;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL || t->getType() == antlr4::Token::EOF) {
      continue;
    }
    size_t type = t->getType();
    std::string text = t->getText();
    if (text == "(" || text == "{") {
      ++depth;
      else_ifs.push_back(0);
    } else if (text == ")" || text == "}") {
      if (depth > 0) --depth;
      if (else_ifs.size() > 1) {
        else_if_total -= else_ifs.back();
        else_ifs.pop_back();
      }
    }
    if (type == FlowLexer::IF && previous == FlowLexer::ELSE) {
      ++else_ifs.back();
      ++else_if_total;
    }
    unary_run = (text == "-" || type == FlowLexer::NOT) ? unary_run + 1 : 0;
    if (depth + unary_run + else_if_total > kMaxNesting) return t;
    previous = type;
  }
  return nullptr;
}

// The first token of a parse tree node deeper than kMaxTreeDepth, or null.
// Iterative: the tree may be deeper than the stack allows recursion.
antlr4::Token* too_deep_tree(antlr4::tree::ParseTree* root) {
  std::vector<std::pair<antlr4::tree::ParseTree*, size_t>> stack{{root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxTreeDepth) {
      if (auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(node)) return rule->getStart();
      if (auto* leaf = dynamic_cast<antlr4::tree::TerminalNode*>(node)) return leaf->getSymbol();
      return nullptr;
    }
    for (antlr4::tree::ParseTree* child : node->children) stack.push_back({child, depth + 1});
  }
  return nullptr;
}

}  // namespace

std::optional<ast::Program> parse_program(const SourceFile& file, DiagnosticEngine& diags) {
  // ANTLR's input stream throws std::range_error on invalid UTF-8: check first.
  if (size_t bad = first_invalid_utf8(file.text()); bad != std::string::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(file.text()[bad]));
    diags
        .error(SourceRange{file.locate(static_cast<uint32_t>(bad)),
                           file.locate(static_cast<uint32_t>(bad + 1))},
               std::string("invalid UTF-8 (byte ") + hex + ")")
        .helps.push_back("a .flow file must be UTF-8 text");
    return std::nullopt;
  }
  antlr4::ANTLRInputStream input(file.text());
  FlowLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  FlowParser parser(&tokens);
  OffsetMap offsets(file.text());
  ErrorCollector collector(file, offsets, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&collector);
  parser.removeErrorListeners();
  parser.addErrorListener(&collector);
  parser.setErrorHandler(std::make_shared<FlowErrorStrategy>());

  auto nested_error = [&](antlr4::Token* at) {
    uint32_t begin = offsets.byte_offset(at->getStartIndex());
    uint32_t end = offsets.byte_offset(at->getStopIndex() + 1);
    diags.error(SourceRange{file.locate(begin), file.locate(std::max(begin, end))},
                "nested too deeply")
        .helps.push_back("flowc reads at most " + std::to_string(kMaxNesting) +
                         " levels of brackets, prefix operators and else-if, and about " +
                         std::to_string(kMaxTreeDepth - 100) +
                         " operators in a chain; split the expression into several fields or stages");
  };
  tokens.fill();
  if (antlr4::Token* at = too_deeply_nested(tokens)) {
    nested_error(at);
    return std::nullopt;
  }
  FlowParser::ProgramContext* tree = parser.program();
  if (diags.has_errors()) return std::nullopt;
  if (antlr4::Token* at = too_deep_tree(tree)) {
    nested_error(at);
    return std::nullopt;
  }

  size_t errors_before = diags.error_count();
  TreeBuilder builder(file, [&](size_t cp) { return offsets.byte_offset(cp); }, diags);
  ast::Program program = builder.build(tree);
  if (diags.error_count() != errors_before) return std::nullopt;
  return program;
}

}  // namespace flowc
