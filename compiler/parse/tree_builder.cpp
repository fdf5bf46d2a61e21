#include "parse/tree_builder.h"
#include "parse/parser.h"

namespace flowc {

using P = FlowParser;

SourceRange TreeBuilder::range(antlr4::Token* first, antlr4::Token* last) {
  uint32_t begin = offsets_(first->getStartIndex());
  uint32_t end = offsets_(last->getStopIndex() + 1);
  if (end < begin) end = begin;
  return SourceRange{file_.locate(begin), file_.locate(end)};
}
SourceRange TreeBuilder::range(antlr4::Token* token) { return range(token, token); }
SourceRange TreeBuilder::range(antlr4::ParserRuleContext* ctx) {
  return range(ctx->getStart(), ctx->getStop());
}

// ident : IDENT | BQIDENT ;
std::string TreeBuilder::name(P::IdentContext* ctx) {
  std::string text = ctx->getText();
  if (ctx->BQIDENT()) return text.substr(1, text.size() - 2);
  return text;
}

int64_t TreeBuilder::duration(antlr4::tree::TerminalNode* token) {
  LexError error;
  auto value = parse_duration_literal(token->getText(), error);
  if (value) return *value;
  SourceRange r = range(token);
  diags_.error(r, error.message);
  return 0;
}

// duration : DURATION | ident ;
ast::Duration TreeBuilder::duration(P::DurationContext* ctx) {
  ast::Duration d;
  d.range = range(ctx);
  if (ctx->DURATION()) {
    d.ms = duration(ctx->DURATION());
  } else {
    d.param = name(ctx->ident());
  }
  return d;
}

std::string TreeBuilder::string_token(antlr4::tree::TerminalNode* token) {
  LexError error;
  auto value = parse_string_literal(token->getText(), error);
  if (value) return *value;
  SourceRange r = range(token);
  uint32_t at = r.begin.offset + static_cast<uint32_t>(error.offset);
  diags_.error(SourceRange{file_.locate(at), file_.locate(at + 2)}, error.message);
  return "";
}

// program : decl* EOF ;
ast::Program TreeBuilder::build(P::ProgramContext* tree) {
  ast::Program program;
  for (P::DeclContext* d : tree->decl()) program.decls.push_back(decl(d));
  return program;
}

// decl : PIPELINE ident | PARAM ident ':' ident '=' expr | BATCH duration
//      | CHECKPOINT STRING (EVERY duration)? | SOURCE ident '=' connector sourceClause*
//      | TABLE ident '=' connector tableClause* | STREAM ident '=' streamInput ('|' stage)*
//      | SINK streamInput TO connector sinkClause*
//      | FUNCTION ident '(' (functionParam (',' functionParam)* ','?)? ')' ':' ident FROM STRING ;
ast::Decl TreeBuilder::decl(P::DeclContext* ctx) {
  ast::Decl d;
  d.range = range(ctx);
  d.keyword_range = range(ctx->getStart());
  if (auto* c = dynamic_cast<P::PipelineDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Pipeline;
    d.name = name(c->ident());
    d.name_range = range(c->ident());
  } else if (auto* c = dynamic_cast<P::ParamDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Param;
    d.name = name(c->ident(0));
    d.name_range = range(c->ident(0));
    d.type_name = name(c->ident(1));
    d.type_range = range(c->ident(1));
    d.value = expr(c->expr());
  } else if (auto* c = dynamic_cast<P::BatchDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Batch;
    d.duration = duration(c->duration());
    d.name_range = d.duration.range;
  } else if (auto* c = dynamic_cast<P::CheckpointDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Checkpoint;
    d.path = string_token(c->STRING());
    d.name_range = range(c->STRING());
    if (c->duration()) d.every = duration(c->duration());
  } else if (auto* c = dynamic_cast<P::SourceDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Source;
    d.name = name(c->ident());
    d.name_range = range(c->ident());
    d.connector = connector(c->connector());
    for (auto* clause : c->sourceClause()) source_clause(d, clause);
  } else if (auto* c = dynamic_cast<P::TableDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Table;
    d.name = name(c->ident());
    d.name_range = range(c->ident());
    d.connector = connector(c->connector());
    for (auto* clause : c->tableClause()) table_clause(d, clause);
  } else if (auto* c = dynamic_cast<P::StreamDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Stream;
    d.name = name(c->ident());
    d.name_range = range(c->ident());
    stream_input(d, c->streamInput());
    for (auto* s : c->stage()) d.stages.push_back(stage(s));
  } else if (auto* c = dynamic_cast<P::SinkDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Sink;
    stream_input(d, c->streamInput());
    d.name = d.input;
    d.name_range = d.input_range;
    d.connector = connector(c->connector());
    for (auto* clause : c->sinkClause()) sink_clause(d, clause);
  } else if (auto* c = dynamic_cast<P::FunctionDeclContext*>(ctx)) {
    d.kind = ast::DeclKind::Function;
    d.name = name(c->ident(0));
    d.name_range = range(c->ident(0));
    d.type_name = name(c->ident(1));
    d.type_range = range(c->ident(1));
    // functionParam : ident ':' ident ;
    for (P::FunctionParamContext* p : c->functionParam()) {
      d.params.push_back(field_decl(p->ident(0), p->ident(1), nullptr));
    }
    d.path = string_token(c->STRING());
    d.path_range = range(c->STRING());
  }
  return d;
}

// streamInput : ident | UNION '(' ident (',' ident)* ','? ')' ;
void TreeBuilder::stream_input(ast::Decl& d, P::StreamInputContext* ctx) {
  for (P::IdentContext* id : ctx->ident()) {
    d.union_inputs.push_back({name(id), range(id)});
  }
  d.input = d.union_inputs.front().name;
  d.input_range = d.union_inputs.front().range;
  if (ctx->UNION() == nullptr) d.union_inputs.clear();
}

// sourceClause : FORMAT format | SCHEMA schema | EVENT_TIME ident (WATERMARK duration)?
//              | ON_ERROR onError ;
void TreeBuilder::source_clause(ast::Decl& d, P::SourceClauseContext* ctx) {
  auto repeated = [&](bool present) {
    if (present) d.repeated_clauses.emplace_back(ctx->getStart()->getText(), range(ctx->getStart()));
    return present;
  };
  if (auto* c = dynamic_cast<P::FormatClauseContext*>(ctx)) {
    if (!repeated(d.format.has_value())) d.format = format(c->format());
  } else if (auto* c = dynamic_cast<P::SchemaClauseContext*>(ctx)) {
    if (!repeated(d.schema.has_value())) d.schema = schema(c->schema());
  } else if (auto* c = dynamic_cast<P::EventTimeClauseContext*>(ctx)) {
    if (repeated(d.event_time.has_value())) return;
    d.event_time = name(c->ident());
    d.event_time_range = range(c->ident());
    if (c->duration()) d.watermark = duration(c->duration());
  } else if (auto* c = dynamic_cast<P::OnErrorClauseContext*>(ctx)) {
    if (repeated(d.on_error.has_value())) return;
    ast::OnError on_error;
    on_error.range = range(c->onError());
    if (dynamic_cast<P::OnErrorFailContext*>(c->onError())) {
      on_error.kind = ast::OnErrorKind::Fail;
    } else if (auto* dl = dynamic_cast<P::OnErrorDeadLetterContext*>(c->onError())) {
      on_error.kind = ast::OnErrorKind::DeadLetter;
      on_error.dead_letter = connector(dl->connector());
    }
    d.on_error = std::move(on_error);
  }
}

// tableClause : FORMAT format | SCHEMA schema | KEY ident ;
void TreeBuilder::table_clause(ast::Decl& d, P::TableClauseContext* ctx) {
  auto repeated = [&](bool present) {
    if (present) d.repeated_clauses.emplace_back(ctx->getStart()->getText(), range(ctx->getStart()));
    return present;
  };
  if (auto* c = dynamic_cast<P::TableFormatClauseContext*>(ctx)) {
    if (!repeated(d.format.has_value())) d.format = format(c->format());
  } else if (auto* c = dynamic_cast<P::TableSchemaClauseContext*>(ctx)) {
    if (!repeated(d.schema.has_value())) d.schema = schema(c->schema());
  } else if (auto* c = dynamic_cast<P::TableKeyClauseContext*>(ctx)) {
    if (repeated(d.key_field.has_value())) return;
    d.key_field = name(c->ident());
    d.key_range = range(c->ident());
  }
}

// sinkClause : FORMAT format | KEY expr ;
void TreeBuilder::sink_clause(ast::Decl& d, P::SinkClauseContext* ctx) {
  if (auto* c = dynamic_cast<P::SinkFormatClauseContext*>(ctx)) {
    if (d.format) {
      d.repeated_clauses.emplace_back("format", range(ctx->getStart()));
      return;
    }
    d.format = format(c->format());
  } else if (auto* c = dynamic_cast<P::SinkKeyClauseContext*>(ctx)) {
    if (d.sink_key) {
      d.repeated_clauses.emplace_back("key", range(ctx->getStart()));
      return;
    }
    d.sink_key = expr(c->expr());
  }
}

// argList : arg (',' arg)* ','? ;   arg : (argName ':')? expr ;
// argName : ident | STRING | GROUP ;
ast::Call TreeBuilder::call(P::IdentContext* ident, P::ArgListContext* args, bool has_parens,
                            antlr4::ParserRuleContext* whole) {
  ast::Call c;
  c.name = name(ident);
  c.name_range = range(ident);
  c.has_parens = has_parens;
  c.range = range(whole);
  if (args == nullptr) return c;
  for (P::ArgContext* a : args->arg()) {
    ast::Arg arg;
    if (P::ArgNameContext* n = a->argName()) {
      arg.name = n->ident()    ? name(n->ident())
                 : n->STRING() ? string_token(n->STRING())
                               : n->getText();  // GROUP
      arg.name_range = range(n);
    }
    arg.value = expr(a->expr());
    c.args.push_back(std::move(arg));
  }
  return c;
}

// connector : ident ( '(' argList? ')' )? ;
ast::Call TreeBuilder::connector(P::ConnectorContext* ctx) {
  return call(ctx->ident(), ctx->argList(), ctx->children.size() > 1, ctx);
}

// format : (ident | TABLE) ( '(' argList? ')' )? ;
ast::Call TreeBuilder::format(P::FormatContext* ctx) {
  if (ctx->ident()) return call(ctx->ident(), ctx->argList(), ctx->children.size() > 1, ctx);
  ast::Call c;
  c.name = "table";
  c.name_range = range(ctx->TABLE());
  c.range = range(ctx);
  return c;
}

// schema : '{' (fieldDecl (',' fieldDecl)* ','?)? '}' ;
// fieldDecl : ident ':' ident (FORMAT STRING)? ('=' expr)? ;
ast::Schema TreeBuilder::schema(P::SchemaContext* ctx) {
  ast::Schema s;
  s.range = range(ctx);
  for (P::FieldDeclContext* f : ctx->fieldDecl()) {
    s.fields.push_back(field_decl(f->ident(0), f->ident(1), f->expr()));
    if (f->FORMAT()) {
      s.fields.back().time_format = string_token(f->STRING());
      s.fields.back().format_range = range(f->STRING());
    }
  }
  return s;
}

ast::FieldDecl TreeBuilder::field_decl(P::IdentContext* field, P::IdentContext* type,
                                       P::ExprContext* value) {
  ast::FieldDecl f;
  f.name = name(field);
  f.name_range = range(field);
  f.type_name = name(type);
  f.type_range = range(type);
  if (value) f.default_value = expr(value);
  return f;
}

// stage : WHERE expr | SELECT selectItem, ... | EXPLODE expr AS ident | LEFT? JOIN ident ON ident
//       | WINDOW windowSpec | GROUP BY groupKey, ... | AGGREGATE namedExpr, ... stageOption*
//       | UPDATE stateField, ... block stageOption* ;
ast::Stage TreeBuilder::stage(P::StageContext* ctx) {
  ast::Stage s;
  s.range = range(ctx);
  s.keyword_range = range(ctx->getStart());
  if (auto* c = dynamic_cast<P::WhereStageContext*>(ctx)) {
    s.kind = ast::StageKind::Where;
    s.expr = expr(c->expr());
  } else if (auto* c = dynamic_cast<P::SelectStageContext*>(ctx)) {
    s.kind = ast::StageKind::Select;
    for (P::SelectItemContext* item : c->selectItem()) {
      ast::SelectItem out;
      if (dynamic_cast<P::SelectStarContext*>(item)) {
        out.star = true;
        out.name_range = range(item);
      } else if (auto* named = dynamic_cast<P::SelectNamedContext*>(item)) {
        out.name = name(named->ident());
        out.name_range = range(named->ident());
        out.value = expr(named->expr());
      } else if (auto* f = dynamic_cast<P::SelectFieldContext*>(item)) {
        out.value = field(f->qualifiedName());
        out.name = out.value->text;
        out.name_range = out.value->range;
      }
      s.items.push_back(std::move(out));
    }
  } else if (auto* c = dynamic_cast<P::ExplodeStageContext*>(ctx)) {
    s.kind = ast::StageKind::Explode;
    s.expr = expr(c->expr());
    s.alias = name(c->ident());
    s.alias_range = range(c->ident());
  } else if (auto* c = dynamic_cast<P::JoinStageContext*>(ctx)) {
    s.kind = ast::StageKind::Join;
    s.left = c->LEFT() != nullptr;
    s.table = name(c->ident(0));
    s.table_range = range(c->ident(0));
    s.on_field = name(c->ident(1));
    s.on_range = range(c->ident(1));
    if (c->duration()) {
      s.within = duration(c->duration());
      s.within_range = range(c->duration());
    }
  } else if (auto* c = dynamic_cast<P::WindowStageContext*>(ctx)) {
    s.kind = ast::StageKind::Window;
    P::WindowSpecContext* spec = c->windowSpec();
    if (auto* t = dynamic_cast<P::TumblingWindowContext*>(spec)) {
      s.window = ast::WindowKind::Tumbling;
      s.size = duration(t->duration());
    } else if (auto* sl = dynamic_cast<P::SlidingWindowContext*>(spec)) {
      s.window = ast::WindowKind::Sliding;
      s.size = duration(sl->duration(0));
      s.slide = duration(sl->duration(1));
    } else if (auto* se = dynamic_cast<P::SessionWindowContext*>(spec)) {
      s.window = ast::WindowKind::Session;
      s.size = duration(se->duration());
    } else if (dynamic_cast<P::BatchWindowContext*>(spec)) {
      s.window = ast::WindowKind::Batch;
      s.size.range = range(spec);
    }
  } else if (auto* c = dynamic_cast<P::GroupStageContext*>(ctx)) {
    s.kind = ast::StageKind::GroupBy;
    for (P::GroupKeyContext* key : c->groupKey()) {
      ast::SelectItem out;
      if (auto* named = dynamic_cast<P::GroupNamedContext*>(key)) {
        out.name = name(named->ident());
        out.name_range = range(named->ident());
        out.value = expr(named->expr());
      } else if (auto* f = dynamic_cast<P::GroupFieldContext*>(key)) {
        out.value = field(f->qualifiedName());
        out.name = out.value->text;
        out.name_range = out.value->range;
      }
      s.items.push_back(std::move(out));
    }
  } else if (auto* c = dynamic_cast<P::AggregateStageContext*>(ctx)) {
    s.kind = ast::StageKind::Aggregate;
    for (P::NamedExprContext* item : c->namedExpr()) {
      ast::SelectItem out;
      out.name = name(item->ident());
      out.name_range = range(item->ident());
      out.value = expr(item->expr());
      s.items.push_back(std::move(out));
    }
    stage_options(s, c->stageOption());
  } else if (auto* c = dynamic_cast<P::UpdateStageContext*>(ctx)) {
    s.kind = ast::StageKind::Update;
    for (P::StateFieldContext* f : c->stateField()) {
      s.state.push_back(field_decl(f->ident(0), f->ident(1), f->expr()));
    }
    s.body = block(c->block());
    stage_options(s, c->stageOption());
  } else if (auto* c = dynamic_cast<P::TopStageContext*>(ctx)) {
    // TOP INT BY orderKey (',' orderKey)* ','?   orderKey : expr (ASC | DESC)? ;
    s.kind = ast::StageKind::Top;
    s.top_n_range = range(c->INT());
    LexError error;
    if (auto n = parse_int_literal(c->INT()->getText(), error)) {
      s.top_n = *n;
    } else {
      diags_.error(s.top_n_range, error.message);
    }
    for (P::OrderKeyContext* key : c->orderKey()) {
      s.order.push_back({expr(key->expr()), key->ASC() == nullptr});
    }
  }
  return s;
}

// stageOption : EMIT emitMode (',' emitMode)* | EXPIRE AFTER duration ;
void TreeBuilder::stage_options(ast::Stage& s, const std::vector<P::StageOptionContext*>& options) {
  for (P::StageOptionContext* option : options) {
    if (auto* e = dynamic_cast<P::EmitOptionContext*>(option)) {
      if (s.emit != ast::EmitMode::Default || s.emit_expired) {
        diags_.error(range(option), "'emit' is given twice");
        continue;
      }
      // `expired` may join one other mode; sema says which combine.
      for (P::EmitModeContext* mode : e->emitMode()) {
        if (mode->EXPIRED()) {
          if (s.emit_expired) diags_.error(range(mode), "'emit expired' is given twice");
          s.emit_expired = true;
          s.expired_range = range(mode);
          continue;
        }
        if (s.emit != ast::EmitMode::Default) {
          diags_.error(range(mode), "'emit' takes one mode besides 'expired'")
              .helps.push_back("write 'emit " + std::string(mode->getText()) +
                               ", expired' or one mode");
          continue;
        }
        s.emit_range = range(mode);
        if (mode->FINAL()) s.emit = ast::EmitMode::Final;
        if (mode->UPDATES()) s.emit = ast::EmitMode::Updates;
        if (mode->EACH()) s.emit = ast::EmitMode::Each;
        if (mode->UPDATED()) s.emit = ast::EmitMode::Updated;
        if (mode->ALL()) s.emit = ast::EmitMode::All;
      }
    } else if (auto* x = dynamic_cast<P::ExpireOptionContext*>(option)) {
      if (s.expire) {
        diags_.error(range(option), "'expire after' is given twice");
        continue;
      }
      s.expire = duration(x->duration());
      s.expire_range = range(option);
    }
  }
}

// block : '{' statement* '}' ;
std::vector<ast::StatementPtr> TreeBuilder::block(P::BlockContext* ctx) {
  std::vector<ast::StatementPtr> out;
  for (P::StatementContext* s : ctx->statement()) {
    if (ast::StatementPtr st = statement(s)) out.push_back(std::move(st));
  }
  return out;
}

// statement : ident op=('='|'+='|'-='|'*='|'/=') expr ';'?
//           | IF '(' expr ')' block (ELSE (block | ifStatement))? | DELETE ';'? | ';' ;
ast::StatementPtr TreeBuilder::statement(P::StatementContext* ctx) {
  if (auto* a = dynamic_cast<P::AssignStatementContext*>(ctx)) {
    auto st = std::make_unique<ast::Statement>();
    st->kind = ast::StatementKind::Assign;
    st->range = range(ctx);
    st->target = name(a->ident());
    st->target_range = range(a->ident());
    st->op = a->op->getText();
    st->value = expr(a->expr());
    return st;
  }
  if (auto* i = dynamic_cast<P::IfStatementAltContext*>(ctx)) {
    return if_statement(i->expr(), i->block(), i->ifStatement(), ctx);
  }
  if (dynamic_cast<P::DeleteStatementContext*>(ctx)) {
    auto st = std::make_unique<ast::Statement>();
    st->kind = ast::StatementKind::Delete;
    st->range = range(ctx->getStart());
    return st;
  }
  return nullptr;  // an empty statement
}

ast::StatementPtr TreeBuilder::if_statement(P::ExprContext* cond,
                                            const std::vector<P::BlockContext*>& blocks,
                                            P::IfStatementContext* else_if,
                                            antlr4::ParserRuleContext* whole) {
  auto st = std::make_unique<ast::Statement>();
  st->kind = ast::StatementKind::If;
  st->range = range(whole);
  st->condition = expr(cond);
  st->then_body = block(blocks[0]);
  if (blocks.size() > 1) st->else_body = block(blocks[1]);
  if (else_if) {
    st->else_body.push_back(
        if_statement(else_if->expr(), else_if->block(), else_if->ifStatement(), else_if));
  }
  return st;
}

static ast::ExprPtr make_expr(ast::ExprKind kind, SourceRange range) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = kind;
  e->range = range;
  return e;
}

// expr : primary | '-' expr | expr op expr (* / // % + - comparisons) | expr NOT? IN (...)
//      | NOT expr | expr AND expr | expr OR expr ;
ast::ExprPtr TreeBuilder::expr(P::ExprContext* ctx) {
  if (auto* p = dynamic_cast<P::PrimaryExprContext*>(ctx)) return primary(p->primary());
  ast::ExprPtr e;
  auto binary = [&](const std::string& op, P::ExprContext* l, P::ExprContext* r,
                    antlr4::Token* op_token) {
    e = make_expr(ast::ExprKind::Binary, range(ctx));
    e->text = op;
    e->name_range = range(op_token);
    e->args.push_back(expr(l));
    e->args.push_back(expr(r));
  };
  if (auto* c = dynamic_cast<P::NegExprContext*>(ctx)) {
    e = make_expr(ast::ExprKind::Unary, range(ctx));
    e->text = '-';  // a char: GCC 12 warns, wrongly (-Wrestrict), on the literal "-"
    e->name_range = range(ctx->getStart());
    e->args.push_back(expr(c->expr()));
  } else if (auto* c = dynamic_cast<P::NotExprContext*>(ctx)) {
    e = make_expr(ast::ExprKind::Unary, range(ctx));
    e->text = "not";
    e->name_range = range(c->NOT());
    e->args.push_back(expr(c->expr()));
  } else if (auto* c = dynamic_cast<P::MulExprContext*>(ctx)) {
    binary(c->op->getText(), c->expr(0), c->expr(1), c->op);
  } else if (auto* c = dynamic_cast<P::AddExprContext*>(ctx)) {
    binary(c->op->getText(), c->expr(0), c->expr(1), c->op);
  } else if (auto* c = dynamic_cast<P::CmpExprContext*>(ctx)) {
    binary(c->op->getText(), c->expr(0), c->expr(1), c->op);
  } else if (auto* c = dynamic_cast<P::AndExprContext*>(ctx)) {
    binary("and", c->expr(0), c->expr(1), c->AND()->getSymbol());
  } else if (auto* c = dynamic_cast<P::OrExprContext*>(ctx)) {
    binary("or", c->expr(0), c->expr(1), c->OR()->getSymbol());
  } else if (auto* c = dynamic_cast<P::InExprContext*>(ctx)) {
    e = make_expr(ast::ExprKind::In, range(ctx));
    e->negated = c->NOT() != nullptr;
    e->name_range = range(c->IN());
    for (P::ExprContext* item : c->expr()) e->args.push_back(expr(item));
  }
  return e;
}

// primary : literal | IF '(' expr ',' expr ',' expr ')' | ident '(' exprs ')'
//         | qualifiedName | '(' expr ')' ;
ast::ExprPtr TreeBuilder::primary(P::PrimaryContext* ctx) {
  if (auto* c = dynamic_cast<P::LiteralPrimaryContext*>(ctx)) return literal(c->literal());
  if (auto* c = dynamic_cast<P::FieldPrimaryContext*>(ctx)) return field(c->qualifiedName());
  if (auto* c = dynamic_cast<P::ParenPrimaryContext*>(ctx)) return expr(c->expr());
  if (auto* c = dynamic_cast<P::IfPrimaryContext*>(ctx)) {
    ast::ExprPtr e = make_expr(ast::ExprKind::If, range(ctx));
    e->text = "if";
    e->name_range = range(c->IF());
    for (P::ExprContext* a : c->expr()) e->args.push_back(expr(a));
    return e;
  }
  auto* c = dynamic_cast<P::CallPrimaryContext*>(ctx);
  ast::ExprPtr e = make_expr(ast::ExprKind::Call, range(ctx));
  e->text = name(c->ident());
  e->name_range = range(c->ident());
  for (P::ExprContext* a : c->expr()) e->args.push_back(expr(a));
  return e;
}

// qualifiedName : ident ('.' ident)? ;
ast::ExprPtr TreeBuilder::field(P::QualifiedNameContext* ctx) {
  ast::ExprPtr e = make_expr(ast::ExprKind::Field, range(ctx));
  if (ctx->ident().size() == 2) {
    e->qualifier = name(ctx->ident(0));
    e->text = name(ctx->ident(1));
  } else {
    e->text = name(ctx->ident(0));
  }
  e->name_range = range(ctx);
  return e;
}

// literal : INT | FLOAT | STRING | DURATION | TRUE | FALSE ;
ast::ExprPtr TreeBuilder::literal(P::LiteralContext* ctx) {
  SourceRange r = range(ctx);
  LexError error;
  if (ctx->INT()) {
    ast::ExprPtr e = make_expr(ast::ExprKind::IntLit, r);
    if (auto v = parse_int_literal(ctx->getText(), error)) {
      e->int_value = *v;
    } else {
      diags_.error(r, error.message);
    }
    return e;
  }
  if (ctx->FLOAT()) {
    ast::ExprPtr e = make_expr(ast::ExprKind::FloatLit, r);
    if (auto v = parse_float_literal(ctx->getText(), error)) {
      e->float_value = *v;
    } else {
      diags_.error(r, error.message);
    }
    return e;
  }
  if (ctx->STRING()) {
    ast::ExprPtr e = make_expr(ast::ExprKind::StringLit, r);
    e->text = string_token(ctx->STRING());
    return e;
  }
  if (ctx->DURATION()) {
    ast::ExprPtr e = make_expr(ast::ExprKind::DurationLit, r);
    e->int_value = duration(ctx->DURATION());
    e->text = ctx->getText();
    return e;
  }
  ast::ExprPtr e = make_expr(ast::ExprKind::BoolLit, r);
  e->int_value = ctx->TRUE() ? 1 : 0;
  return e;
}

}  // namespace flowc
