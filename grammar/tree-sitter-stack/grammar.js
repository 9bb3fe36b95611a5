/**
 * Tree-sitter grammar for `.stack`, the stackc deployment language.
 *
 * It follows grammar/stack.y (the LALR(1) bison grammar, the source of truth) and
 * grammar/stack.l (the flex scanner): one `_item` rule serves every braced body, keywords are
 * the `keywords[]` table of src/syntax/lex.c, and expression precedence is bison's, loosest
 * first: ?:  ||  &&  == !=  < <= > >= in  + -  * / %  unary  postfix.
 * Semantic rules (which item belongs where, unit checks, ...) stay in the checker.
 *
 * Regenerate src/ with ./generate.sh after editing this file.
 */

const PREC = {
  conditional: 1,
  or: 2,
  and: 3,
  equality: 4,
  relational: 5,
  additive: 6,
  multiplicative: 7,
  unary: 8,
  postfix: 9,
};

// Keywords that bison's `key` rule accepts as attribute keys and member names.
const KEY_KEYWORDS = [
  'stack', 'component', 'type', 'import', 'resource', 'let', 'param', 'output', 'allow',
  'input', 'attribute', 'connectable', 'check', 'warn', 'test', 'assert', 'unique', 'grant',
  'moved',
];

const commaSep = (rule) => optional(seq(rule, repeat(seq(',', rule)), optional(',')));

module.exports = grammar({
  name: 'stack',

  word: $ => $.identifier,

  extras: $ => [/\s/, $.comment],

  supertypes: $ => [$._item, $._expression, $._type],

  rules: {
    source_file: $ => repeat(choice($._item, ',')),

    _item: $ => choice(
      $.import_statement,
      $.stack_declaration,
      $.component_declaration,
      $.test_declaration,
      $.connectable_declaration,
      $.grant_declaration,
      $.type_declaration,
      $.attribute,
      $.block,
      $.resource_block,
      $.let_declaration,
      $.param_declaration,
      $.output_declaration,
      $.allow_declaration,
      $.input_declaration,
      $.attribute_declaration,
      $.moved_statement,
      $.check_statement,
      $.warn_statement,
      $.unique_statement,
      $.assert_statement,
    ),

    body: $ => seq('{', repeat(choice($._item, ',')), '}'),

    import_statement: $ => seq('import', field('path', $.string)),

    stack_declaration: $ => seq('stack', field('name', $.identifier), field('body', $.body)),

    component_declaration: $ => seq('component', field('name', $.identifier), field('body', $.body)),

    test_declaration: $ => seq('test', field('name', $.string), field('body', $.body)),

    connectable_declaration: $ => seq('connectable', field('body', $.body)),

    // grant [name] { items }: what `allow x -> instance` makes (in a component)
    grant_declaration: $ => seq('grant', optional(field('name', $.identifier)), field('body', $.body)),

    // moved old -> new: a renamed instance keeps its logical ids (in a stack)
    moved_statement: $ => seq('moved', field('from', $.identifier), '->', field('to', $.identifier)),

    type_declaration: $ => seq('type', field('name', $.identifier), '=', field('type', $._type)),

    // key = expr
    attribute: $ => seq(field('key', $._key), '=', field('value', $._expression)),

    // kind [label] [for [k,] x in expr | if expr] { items }
    block: $ => seq(
      field('kind', $.identifier),
      optional(field('label', choice($.identifier, $.string))),
      optional(choice($.for_clause, $.if_clause)),
      field('body', $.body),
    ),

    // resource name "AWS::Service::Type" [for [k,] x in expr | if expr] { items }
    resource_block: $ => seq(
      'resource',
      field('name', $.identifier),
      field('type', $.string),
      optional(choice($.for_clause, $.if_clause)),
      field('body', $.body),
    ),

    for_clause: $ => seq('for', $._comprehension_variables, 'in', field('collection', $._expression)),

    if_clause: $ => seq('if', field('condition', $._expression)),

    let_declaration: $ => seq(
      'let', field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=', field('value', $._expression),
    ),

    param_declaration: $ => seq(
      'param', field('name', $.identifier),
      ':', field('type', $._type),
      optional(seq('=', field('default', $._expression))),
      optional(field('body', $.body)),
    ),

    // The name is a key: `output unique = ...` is an output named `unique`.
    output_declaration: $ => seq('output', field('name', $._key), '=', field('value', $._expression)),

    allow_declaration: $ => seq(
      'allow', field('from', $._postfix_expression), '->', field('to', $._postfix_expression),
      optional(field('body', $.body)),
    ),

    input_declaration: $ => seq(
      'input', field('name', $.identifier),
      ':', field('type', $._type),
      optional(seq('=', field('default', $._expression))),
    ),

    attribute_declaration: $ => seq(
      'attribute', field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=', field('value', $._expression),
    ),

    // check [for [k,] x in expr :] condition, message   (likewise warn)
    check_statement: $ => seq(
      'check', optional($._assertion_loop),
      field('condition', $._expression), ',', field('message', $._expression),
    ),
    warn_statement: $ => seq(
      'warn', optional($._assertion_loop),
      field('condition', $._expression), ',', field('message', $._expression),
    ),

    // unique [for [k,] x in expr :] key, message: the key is distinct program-wide
    unique_statement: $ => seq(
      'unique', optional($._assertion_loop),
      field('key', $._expression), ',', field('message', $._expression),
    ),

    // `for p in ports :` before an assertion: it holds for every element.
    _assertion_loop: $ => seq($.for_clause, ':'),

    // `assert a, b`: the comma belongs to the assert (bison's NO_MESSAGE < ',').
    assert_statement: $ => prec.right(seq(
      'assert', field('condition', $._expression),
      optional(seq(',', field('message', $._expression))),
    )),

    // An attribute key or member name: an identifier, or a keyword that cannot start
    // anything else there.
    _key: $ => choice($.identifier, alias(choice(...KEY_KEYWORDS), $.identifier)),

    // ---- Types -------------------------------------------------------------------------

    _type: $ => choice($.optional_type, $._type_atom),

    optional_type: $ => seq($._type_atom, '?'),

    _type_atom: $ => choice($._type_identifier, $.generic_type, $.union_type, $.record_type),

    _type_identifier: $ => alias($.identifier, $.type_identifier),

    generic_type: $ => seq(
      field('name', $._type_identifier),
      '<', field('argument', $._type), repeat(seq(',', field('argument', $._type))), '>',
    ),

    union_type: $ => seq($.string, repeat(seq('|', $.string))),

    record_type: $ => seq('{', repeat(choice($.field_declaration, ',')), '}'),

    field_declaration: $ => seq(
      field('name', $.identifier), ':', field('type', $._type),
      optional(seq('=', field('default', $._expression))),
    ),

    // ---- Expressions -------------------------------------------------------------------

    _expression: $ => choice(
      $.conditional_expression,
      $.binary_expression,
      $.unary_expression,
      $._postfix_expression,
    ),

    conditional_expression: $ => prec.right(PREC.conditional, seq(
      field('condition', $._expression), '?',
      field('consequence', $._expression), ':',
      field('alternative', $._expression),
    )),

    binary_expression: $ => {
      const table = [
        [PREC.or, '||'],
        [PREC.and, '&&'],
        [PREC.equality, choice('==', '!=')],
        [PREC.relational, choice('<', '<=', '>', '>=', 'in')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([p, op]) => prec.left(p, seq(
        field('left', $._expression), field('operator', op), field('right', $._expression),
      ))));
    },

    unary_expression: $ => prec(PREC.unary, seq(field('operator', choice('!', '-')), field('operand', $._expression))),

    _postfix_expression: $ => choice($.member_expression, $.index_expression, $._primary_expression),

    member_expression: $ => prec(PREC.postfix, seq(
      field('object', $._postfix_expression), '.', field('member', $._key),
    )),

    index_expression: $ => prec(PREC.postfix, seq(
      field('object', $._postfix_expression), '[', field('index', $._expression), ']',
    )),

    _primary_expression: $ => choice(
      $.integer, $.float, $.duration, $.size, $.string,
      $.true, $.false, $.null,
      $.identifier,
      $.call_expression,
      $.parenthesized_expression,
      $.list,
      $.map,
      $.list_comprehension,
      $.map_comprehension,
    ),

    call_expression: $ => seq(field('function', $.identifier), field('arguments', $.arguments)),

    arguments: $ => seq('(', commaSep(choice($._expression, $.named_argument)), ')'),

    named_argument: $ => seq(field('name', $.identifier), '=', field('value', $._expression)),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', commaSep($._expression), ']'),

    map: $ => seq('{', repeat(choice($.map_entry, ',')), '}'),

    map_entry: $ => seq(field('key', choice($._key, $.string)), '=', field('value', $._expression)),

    // [for x in xs : expr if cond]   [for i, x in xs : expr]
    list_comprehension: $ => seq(
      '[', 'for', $._comprehension_variables, 'in', field('collection', $._expression),
      ':', field('value', $._expression),
      optional(seq('if', field('condition', $._expression))), ']',
    ),

    // {for k, v in m : k => v if cond}
    map_comprehension: $ => seq(
      '{', 'for', $._comprehension_variables, 'in', field('collection', $._expression),
      ':', field('key', $._expression), '=>', field('value', $._expression),
      optional(seq('if', field('condition', $._expression))), '}',
    ),

    // `x` or `i, x` (`k, v` over a map)
    _comprehension_variables: $ => choice(
      field('variable', $.identifier),
      seq(field('key_variable', $.identifier), ',', field('variable', $.identifier)),
    ),

    // ---- Literals ----------------------------------------------------------------------

    // "text ${ expr } \n" — escapes \n \r \t \" \\ \$ \/ \u{XXXX}; a `$` not followed by `{`
    // is text. A string ends at the line end, as in the scanner.
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation, alias(token.immediate('$'), $.string_content))),
      '"',
    ),

    string_content: $ => token.immediate(prec(1, /[^"\\$\n]+/)),

    escape_sequence: $ => token.immediate(prec(1, seq('\\', choice(/[nrt"\\$\/]/, /u\{[0-9A-Fa-f]{1,6}\}/)))),

    interpolation: $ => seq(token.immediate(prec(1, '${')), $._expression, '}'),

    integer: $ => /\d+/,

    float: $ => /\d+\.\d+/,

    duration: $ => token(prec(1, /\d+(\.\d+)?(ms|s|m|h|d)/)),

    size: $ => token(prec(1, /\d+(\.\d+)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/)),

    true: $ => 'true',

    false: $ => 'false',

    null: $ => 'null',

    identifier: $ => /[A-Za-z_][A-Za-z0-9_]*/,

    comment: $ => token(choice(
      seq('//', /[^\n]*/),
      seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/'),
    )),
  },
});
