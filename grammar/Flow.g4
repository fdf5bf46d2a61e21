// The .flow language, LANGUAGE.md v0 sections 2-6 and 8.
//
// The grammar is deliberately permissive where a precise message is better
// given by semantic analysis: declaration clauses may come in any order,
// emit modes are one list, aggregate items are any expression. Sema then
// says "source 'x' needs a format" rather than ANTLR's "expecting {...}".
grammar Flow;

program : decl* EOF ;

decl
  : PIPELINE ident                                       # pipelineDecl
  | PARAM ident ':' ident '=' expr                       # paramDecl
  | BATCH duration                                       # batchDecl
  | CHECKPOINT STRING (EVERY duration)?                  # checkpointDecl
  | SOURCE ident '=' connector sourceClause*             # sourceDecl
  | TABLE ident '=' connector tableClause*               # tableDecl
  | STREAM ident '=' streamInput ('|' stage)*            # streamDecl
  | SINK streamInput TO connector sinkClause*            # sinkDecl
  | FUNCTION ident '(' (functionParam (',' functionParam)* ','?)? ')' ':' ident
    FROM STRING                                          # functionDecl
  ;

// A C++ function's parameter (LANGUAGE.md 13): `ua: string`.
functionParam : ident ':' ident ;

sourceClause
  : FORMAT format                                        # formatClause
  | SCHEMA schema                                        # schemaClause
  | EVENT_TIME ident (WATERMARK duration)?               # eventTimeClause
  | ON_ERROR onError                                     # onErrorClause
  ;

tableClause
  : FORMAT format                                        # tableFormatClause
  | SCHEMA schema                                        # tableSchemaClause
  | KEY ident                                            # tableKeyClause
  ;

sinkClause
  : FORMAT format                                        # sinkFormatClause
  | KEY expr                                             # sinkKeyClause
  ;

onError
  : SKIP_                                                # onErrorSkip
  | FAIL                                                 # onErrorFail
  | DEAD_LETTER connector                                # onErrorDeadLetter
  ;

// A stream or sink reads one source or stream, or several: union(A, B, ...).
streamInput : ident | UNION '(' ident (',' ident)* ','? ')' ;

// `stdout` may be written without parentheses.
connector : ident ( '(' argList? ')' )? ;

// `csv(header: true)`, `json`, `regex("...")`, `table` (sinks).
format : (ident | TABLE) ( '(' argList? ')' )? ;

argList : arg (',' arg)* ','? ;

// Dotted librdkafka properties are written as strings: "security.protocol": "ssl".
// `group` is a keyword but also kafka's consumer-group argument.
arg : (argName ':')? expr ;
argName : ident | STRING | GROUP ;

schema : '{' (fieldDecl (',' fieldDecl)* ','?)? '}' ;
// `format "..."`: a timestamp's input text form (strptime directives).
fieldDecl : ident ':' ident (FORMAT STRING)? ('=' expr)? ;

stage
  : WHERE expr                                           # whereStage
  | SELECT selectItem (',' selectItem)* ','?             # selectStage
  | EXPLODE expr AS ident                                # explodeStage
  | LEFT? JOIN ident ON ident (WITHIN duration)?         # joinStage
  | WINDOW windowSpec                                    # windowStage
  | GROUP BY groupKey (',' groupKey)* ','?               # groupStage
  | AGGREGATE namedExpr (',' namedExpr)* ','? stageOption*                  # aggregateStage
  | UPDATE stateField (',' stateField)* ','? block stageOption*             # updateStage
  | TOP INT BY orderKey (',' orderKey)* ','?                                # topStage
  ;

orderKey : expr (ASC | DESC)? ;

windowSpec
  : TUMBLING duration                                    # tumblingWindow
  | SLIDING duration EVERY duration                      # slidingWindow
  | SESSION duration                                     # sessionWindow
  | BATCH                                                # batchWindow
  ;

// Wherever a duration is written: a literal (`10s`) or the name of a
// `param NAME: duration` (LANGUAGE.md 13 "Params of every kind"); sema
// resolves the name and checks the param's type.
duration : DURATION | ident ;

selectItem
  : '*'                                                  # selectStar
  | ident '=' expr                                       # selectNamed
  | qualifiedName                                        # selectField
  ;

groupKey
  : ident '=' expr                                       # groupNamed
  | qualifiedName                                        # groupField
  ;

namedExpr : ident '=' expr ;

stateField : ident ':' ident '=' expr ;

stageOption
  : EMIT emitMode (',' emitMode)*                        # emitOption
  | EXPIRE AFTER duration                                # expireOption
  ;

emitMode : FINAL | UPDATES | EACH | UPDATED | ALL | EXPIRED ;

block : '{' statement* '}' ;

statement
  : ident op=('=' | '+=' | '-=' | '*=' | '/=') expr ';'?   # assignStatement
  | IF '(' expr ')' block (ELSE (block | ifStatement))?     # ifStatementAlt
  | DELETE ';'?                                             # deleteStatement
  | ';'                                                     # emptyStatement
  ;

ifStatement : IF '(' expr ')' block (ELSE (block | ifStatement))? ;

// Precedence, highest first (ANTLR gives earlier alternatives priority):
// unary minus; * / // %; + -; comparisons and in; not; and; or.
expr
  : primary                                              # primaryExpr
  | '-' expr                                             # negExpr
  | expr op=('*' | '/' | '//' | '%') expr                # mulExpr
  | expr op=('+' | '-') expr                             # addExpr
  | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr # cmpExpr
  | expr NOT? IN '(' expr (',' expr)* ','? ')'           # inExpr
  | NOT expr                                             # notExpr
  | expr AND expr                                        # andExpr
  | expr OR expr                                         # orExpr
  ;

primary
  : literal                                              # literalPrimary
  | IF '(' expr ',' expr ',' expr ')'                    # ifPrimary
  | ident '(' (expr (',' expr)* ','?)? ')'               # callPrimary
  | qualifiedName                                        # fieldPrimary
  | '(' expr ')'                                         # parenPrimary
  ;

qualifiedName : ident ('.' ident)? ;

literal : INT | FLOAT | STRING | DURATION | TRUE | FALSE ;

// The keywords of LANGUAGE.md 13 below stay usable as names where a name is
// expected (a field `top`, `desc` or `delete` in a program written before).
ident : IDENT | BQIDENT | softKeyword ;
softKeyword : TOP | ASC | DESC | DELETE | EXPIRED ;

// ---- lexer ----

PIPELINE : 'pipeline' ;
PARAM : 'param' ;
BATCH : 'batch' ;
SOURCE : 'source' ;
TABLE : 'table' ;
STREAM : 'stream' ;
SINK : 'sink' ;
TO : 'to' ;
FORMAT : 'format' ;
SCHEMA : 'schema' ;
EVENT_TIME : 'event_time' ;
WATERMARK : 'watermark' ;
ON_ERROR : 'on_error' ;
KEY : 'key' ;
WHERE : 'where' ;
SELECT : 'select' ;
EXPLODE : 'explode' ;
AS : 'as' ;
JOIN : 'join' ;
LEFT : 'left' ;
ON : 'on' ;
WINDOW : 'window' ;
TUMBLING : 'tumbling' ;
SLIDING : 'sliding' ;
EVERY : 'every' ;
SESSION : 'session' ;
GROUP : 'group' ;
BY : 'by' ;
TOP : 'top' ;
ASC : 'asc' ;
DESC : 'desc' ;
AGGREGATE : 'aggregate' ;
EMIT : 'emit' ;
UPDATE : 'update' ;
EXPIRE : 'expire' ;
AFTER : 'after' ;
DELETE : 'delete' ;
EXPIRED : 'expired' ;
AND : 'and' ;
OR : 'or' ;
NOT : 'not' ;
TRUE : 'true' ;
FALSE : 'false' ;
IF : 'if' ;
ELSE : 'else' ;
CHECKPOINT : 'checkpoint' ;
SKIP_ : 'skip' ;
FAIL : 'fail' ;
DEAD_LETTER : 'dead_letter' ;
EACH : 'each' ;
UPDATED : 'updated' ;
ALL : 'all' ;
FINAL : 'final' ;
UPDATES : 'updates' ;
WITHIN : 'within' ;
UNION : 'union' ;
FUNCTION : 'function' ;
FROM : 'from' ;
IN : 'in' ;

// Numbers may group digits with '_'. A float needs a '.' or an exponent.
FLOAT
  : DIGITS '.' DIGITS? EXPONENT?
  | DIGITS EXPONENT
  ;
// An integer immediately followed by letters is a duration; the unit is
// checked when the AST is built, so `10sec` gets a precise message. The
// unit starts with a letter: `1_000_000` is an integer.
DURATION : DIGITS [a-zA-Z] [a-zA-Z_0-9]* ;
INT : DIGITS ;

// Escapes are validated when the AST is built (with their column).
STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* ;

IDENT : [a-zA-Z_] [a-zA-Z_0-9]* ;
BQIDENT : '`' ~[`\r\n]+ '`' ;
// Reported by the parser like UNTERMINATED_STRING, so that the rest of the
// line is one bad token rather than text the lexer silently drops.
UNTERMINATED_BQIDENT : '`' ~[`\r\n]* ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS : [ \t\r\n]+ -> skip ;

fragment DIGITS : [0-9] ('_'? [0-9])* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
