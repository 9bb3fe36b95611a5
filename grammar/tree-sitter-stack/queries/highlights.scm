; Highlights for .stack, written with nvim-treesitter capture names (also understood by
; Zed and most tree-sitter highlighters). General patterns come first and specific ones
; later: in Neovim the last matching pattern wins.

(identifier) @variable

; ---- Literals ---------------------------------------------------------------------------

(comment) @comment @spell

(string) @string

(escape_sequence) @string.escape

(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

[
  (integer)
  (duration)
  (size)
] @number

(float) @number.float

[
  (true)
  (false)
] @boolean

(null) @constant.builtin

; ---- Keywords ---------------------------------------------------------------------------

[
  "stack"
  "component"
  "type"
  "resource"
  "let"
  "param"
  "output"
  "input"
  "attribute"
  "connectable"
  "grant"
  "moved"
  "allow"
  "test"
  "check"
  "warn"
  "unique"
  "assert"
] @keyword

"import" @keyword.import

"for" @keyword.repeat

"if" @keyword.conditional

"in" @keyword.operator

; ---- Operators and punctuation ----------------------------------------------------------

[
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "&&"
  "||"
  "!"
  "+"
  "-"
  "*"
  "/"
  "%"
  "="
  "->"
  "=>"
  "|"
] @operator

(conditional_expression
  [
    "?"
    ":"
  ] @keyword.conditional.ternary)

(optional_type
  "?" @operator)

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

(generic_type
  [
    "<"
    ">"
  ] @punctuation.bracket)

[
  ","
  "."
  ":"
] @punctuation.delimiter

; ---- Declarations -----------------------------------------------------------------------

(stack_declaration
  name: (identifier) @module)

(component_declaration
  name: (identifier) @type.definition)

(type_declaration
  name: (identifier) @type.definition)

; `network vpc { ... }`: the component kind and the block's label.
(block
  kind: (identifier) @type)

(block
  label: (identifier) @label)

(block
  label: (string) @label)

(resource_block
  name: (identifier) @label)

; `grant send { ... }`: the name `allow x -> y { access = "send" }` picks.
(grant_declaration
  name: (identifier) @label)

; `moved work -> jobs`: the old and new names of an instance or resource.
(moved_statement
  from: (identifier) @label)

(moved_statement
  to: (identifier) @label)

; "AWS::Service::Type"
(resource_block
  type: (string) @type.builtin)

[
  (let_declaration
    name: (identifier) @variable)
  (output_declaration
    name: (identifier) @variable)
  (attribute_declaration
    name: (identifier) @variable)
]

[
  (param_declaration
    name: (identifier) @variable.parameter)
  (input_declaration
    name: (identifier) @variable.parameter)
]

; ---- Keys, members, calls ---------------------------------------------------------------

(attribute
  key: (identifier) @property)

(map_entry
  key: (identifier) @property)

(field_declaration
  name: (identifier) @variable.member)

(member_expression
  member: (identifier) @variable.member)

(named_argument
  name: (identifier) @variable.parameter)

(call_expression
  function: (identifier) @function.call)

; ---- Types ------------------------------------------------------------------------------

(type_identifier) @type

((type_identifier) @type.builtin
  (#any-of? @type.builtin "string" "int" "number" "bool" "duration" "size" "secret" "any" "list" "map"))

(union_type
  "|" @operator)
