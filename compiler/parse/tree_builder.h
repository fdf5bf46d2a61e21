// compiler/parse/tree_builder.h — walks an error-free ANTLR tree into AST.
#pragma once

#include <functional>

#include "FlowParser.h"
#include "ast/ast.h"
#include "support/diagnostics.h"

namespace flowc {

class TreeBuilder {
 public:
  using OffsetFn = std::function<uint32_t(size_t code_point)>;
  TreeBuilder(const SourceFile& file, OffsetFn offsets, DiagnosticEngine& diags)
      : file_(file), offsets_(std::move(offsets)), diags_(diags) {}

  ast::Program build(FlowParser::ProgramContext* tree);

 private:
  ast::Decl decl(FlowParser::DeclContext* ctx);
  void stream_input(ast::Decl& d, FlowParser::StreamInputContext* ctx);
  void source_clause(ast::Decl& d, FlowParser::SourceClauseContext* ctx);
  void table_clause(ast::Decl& d, FlowParser::TableClauseContext* ctx);
  void sink_clause(ast::Decl& d, FlowParser::SinkClauseContext* ctx);
  ast::Call call(FlowParser::IdentContext* name, FlowParser::ArgListContext* args,
                 bool has_parens, antlr4::ParserRuleContext* whole);
  ast::Call connector(FlowParser::ConnectorContext* ctx);
  ast::Call format(FlowParser::FormatContext* ctx);
  ast::Schema schema(FlowParser::SchemaContext* ctx);
  ast::FieldDecl field_decl(FlowParser::IdentContext* name, FlowParser::IdentContext* type,
                            FlowParser::ExprContext* value);
  ast::Stage stage(FlowParser::StageContext* ctx);
  void stage_options(ast::Stage& s, const std::vector<FlowParser::StageOptionContext*>& options);
  std::vector<ast::StatementPtr> block(FlowParser::BlockContext* ctx);
  ast::StatementPtr statement(FlowParser::StatementContext* ctx);
  ast::StatementPtr if_statement(FlowParser::ExprContext* cond,
                                 const std::vector<FlowParser::BlockContext*>& blocks,
                                 FlowParser::IfStatementContext* else_if,
                                 antlr4::ParserRuleContext* whole);
  ast::ExprPtr expr(FlowParser::ExprContext* ctx);
  ast::ExprPtr primary(FlowParser::PrimaryContext* ctx);
  ast::ExprPtr literal(FlowParser::LiteralContext* ctx);
  ast::ExprPtr field(FlowParser::QualifiedNameContext* ctx);
  int64_t duration(antlr4::tree::TerminalNode* token);
  ast::Duration duration(FlowParser::DurationContext* ctx);
  std::string string_token(antlr4::tree::TerminalNode* token);

  std::string name(FlowParser::IdentContext* ctx);
  SourceRange range(antlr4::ParserRuleContext* ctx);
  SourceRange range(antlr4::Token* token);
  SourceRange range(antlr4::tree::TerminalNode* node) { return range(node->getSymbol()); }
  SourceRange range(antlr4::Token* first, antlr4::Token* last);

  const SourceFile& file_;
  OffsetFn offsets_;
  DiagnosticEngine& diags_;
};

}  // namespace flowc
