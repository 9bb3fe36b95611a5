" Vim syntax file
" Language:    Stack (.stack), the stackc deployment language
" Maintainer:  the stackc project
" Source of truth: grammar/stack.l and grammar/stack.y; keywords in src/syntax/lex.c.
" Install: put grammar/vim on 'runtimepath' (see editors/README.md).
" Tested by tests/editors/vim_test.sh.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn sync fromstart

" Plain references first: later :syn match items win at the same position.
syn match   stackIdentifier  "\<\h\w*\>"                      contains=NONE

" ---- Literals -----------------------------------------------------------------------------
syn match   stackNumber     "\<\d\+\%(\.\d\+\)\=\>"
syn match   stackNumber     "\<\d\+\%(\.\d\+\)\=\h\w*"        contains=stackBadUnit
syn match   stackBadUnit    "\%(\d\)\@<=\h\w*"                contained
syn match   stackDuration   "\<\d\+\%(\.\d\+\)\=\%(ms\|s\|m\|h\|d\)\>"
syn match   stackSize       "\<\d\+\%(\.\d\+\)\=\%(B\|KB\|MB\|GB\|TB\|KiB\|MiB\|GiB\|TiB\)\>"
syn match   stackBoolean    "\<\%(true\|false\)\>"
syn match   stackNull       "\<null\>"

" Strings: escapes \n \r \t \" \\ \$ \/ \u{XXXX}; ${ expr } interpolation with nested braces.
syn region  stackString     matchgroup=stackQuote start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+
                          \ contains=stackEscapeError,stackEscape,stackInterp,@Spell
syn match   stackEscapeError +\\.\=+                          contained
syn match   stackEscape     +\\\%([nrt"\\$/]\|u{\x\{1,6}}\)+  contained
syn region  stackInterp     matchgroup=stackInterpDelim start=+\${+ end=+}+ contained
                          \ contains=@stackExpr,stackBraces
syn region  stackBraces     matchgroup=stackDelimiter start=+{+ end=+}+ contained transparent
                          \ contains=@stackExpr,stackBraces

" ---- Comments -----------------------------------------------------------------------------
syn keyword stackTodo       TODO FIXME XXX NOTE contained
syn match   stackLineComment "//.*$"                          contains=stackTodo,@Spell
syn region  stackBlockComment start="/\*" end="\*/"           contains=stackTodo,@Spell

" ---- Operators and punctuation ------------------------------------------------------------
syn match   stackOperator   "->\|=>\|==\|!=\|<=\|>=\|<\|>\|&&\|||\|!\|=\|+\|-\|\*\|%\|?\|:\||"
syn match   stackOperator   "/\%([/*]\)\@!"
syn match   stackDelimiter  "[{}()\[\],.]"

" ---- Keywords (matches, not :syn keyword, so `type = ...` keys and `x.output` win) ---------
syn match   stackConditional "\<if\>"
syn match   stackRepeat      "\<\%(for\|in\)\>"
syn match   stackInclude     "\<import\>"
syn match   stackAssert      "\<\%(check\|warn\|unique\|assert\)\>"
syn match   stackStatement   "\<\%(allow\|connectable\|grant\|moved\|test\)\>"
syn match   stackStatement   "\<\%(stack\|component\|type\|resource\|let\|param\|output\|input\|attribute\)\>"

" References and calls.
syn match   stackFunction    "\<\h\w*\ze\s*("
syn match   stackMember      "\%(\.\s*\)\@<=\h\w*"

" ---- Items ------------------------------------------------------------------------------
" `key = value` (also map keys and named arguments); not `==` or `=>`.
syn match   stackKey         "\<\h\w*\ze\s*=[=>]\@!"

" Block heads at the start of an item: `kind label {`, `kind "label" {`, `kind {`,
" `kind label for x in xs {`, `kind if cond {`. The kind is any identifier but a keyword.
let s:kw = '\%(\<\%(allow\|assert\|attribute\|check\|component\|connectable\|false\|for\|grant\|if\|import\|in\|input\|let\|moved\|null\|output\|param\|resource\|stack\|test\|true\|type\|unique\|warn\)\>\)\@!'
exe 'syn match stackKind "\%(^\s*\|[{,]\s*\)\@<=' . s:kw . '\h\w*\ze\s\+' . s:kw . '\h\w*\s*\%({\|\<for\>\|\<if\>\)" nextgroup=stackLabel skipwhite'
exe 'syn match stackKind "\%(^\s*\|[{,]\s*\)\@<=' . s:kw . '\h\w*\ze\s*\%({\|\"\|\<for\>\|\<if\>\)"'
syn match   stackLabel       "\h\w*"                          contained

" Declarations that name something.
syn match   stackStatement   "\<stack\>\ze\s\+\h"             nextgroup=stackStackName skipwhite
syn match   stackStackName   "\h\w*"                          contained
syn match   stackStatement   "\<component\>\ze\s\+\h"         nextgroup=stackComponentName skipwhite
syn match   stackComponentName "\h\w*"                        contained
syn match   stackStatement   "\<\%(let\|param\|input\|attribute\|output\)\>\ze\s\+\h" nextgroup=stackVarName skipwhite
syn match   stackVarName     "\h\w*"                          contained nextgroup=stackTypeAnnot skipwhite
" `grant send { ... }` and `moved work -> jobs` name instances, as block labels do.
syn match   stackStatement   "\<grant\>\ze\s\+\h"             nextgroup=stackLabel skipwhite
syn match   stackStatement   "\<moved\>\ze\s\+\h"             nextgroup=stackMovedName skipwhite
syn match   stackMovedName   "\h\w*"                          contained nextgroup=stackMovedArrow skipwhite
syn match   stackMovedArrow  "->"                             contained nextgroup=stackLabel skipwhite
syn match   stackStatement   "\<resource\>\ze\s\+\h"          nextgroup=stackResourceName skipwhite
syn match   stackResourceName "\h\w*"                         contained nextgroup=stackResourceType skipwhite
syn region  stackResourceType matchgroup=stackQuote start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contained
                          \ contains=stackAwsType,stackEscapeError,stackEscape,stackInterp
syn match   stackAwsType     "\<\w\+\%(::\w\+\)\+\>"          contained

" Types: after ':' in let/param/input/attribute and record fields, and after `type X =`.
syn region  stackTypeAnnot   matchgroup=stackOperator start=":" end="\ze\%(=\|,\|)\|$\|//\)" end="\%(:\s*\)\@<!\ze{" contained
                          \ contains=@stackType
syn match   stackStatement   "\<type\>\ze\s\+\h\w*\s*="       nextgroup=stackTypeAlias skipwhite
syn match   stackTypeAlias   "\h\w*"                          contained nextgroup=stackTypeAliasBody skipwhite
syn region  stackTypeAliasBody matchgroup=stackOperator start="=" end="$" end="\ze//" contained contains=@stackType
syn match   stackTypeName    "\<\h\w*\>"                      contained
syn match   stackBuiltinType "\<\%(string\|int\|number\|bool\|duration\|size\|secret\|any\|list\|map\)\>" contained
syn match   stackTypeOp      "[|?<>,]"                        contained
syn region  stackRecord      matchgroup=stackDelimiter start="{" end="}" contained
                          \ contains=stackField,@stackType,stackFieldDefault,stackLineComment,stackBlockComment
syn match   stackField       "\<\h\w*\ze\s*:"                 contained nextgroup=stackFieldColon skipwhite
syn match   stackFieldColon  ":"                              contained
syn region  stackFieldDefault matchgroup=stackOperator start="=" end="\ze[,}]" end="$" contained
                          \ contains=@stackExpr,stackBraces
syn cluster stackType        contains=stackBuiltinType,stackTypeName,stackTypeOp,stackString,stackRecord,stackLineComment,stackBlockComment

syn cluster stackExpr        contains=stackNumber,stackDuration,stackSize,stackBoolean,stackNull,stackString,
                          \ stackLineComment,stackBlockComment,stackOperator,stackDelimiter,stackConditional,
                          \ stackRepeat,stackIdentifier,stackFunction,stackMember,stackKey

" ---- Highlight links ---------------------------------------------------------------------
hi def link stackNumber        Number
hi def link stackDuration      Number
hi def link stackSize          Number
hi def link stackBadUnit       Error
hi def link stackBoolean       Boolean
hi def link stackNull          Constant
hi def link stackString        String
hi def link stackQuote         String
hi def link stackResourceType  String
hi def link stackEscape        SpecialChar
hi def link stackEscapeError   Error
hi def link stackInterpDelim   Delimiter
hi def link stackTodo          Todo
hi def link stackLineComment   Comment
hi def link stackBlockComment  Comment
hi def link stackOperator      Operator
hi def link stackTypeOp        Operator
hi def link stackDelimiter     Delimiter
hi def link stackConditional   Conditional
hi def link stackRepeat        Repeat
hi def link stackInclude       Include
hi def link stackAssert        Keyword
hi def link stackStatement     Keyword
hi def link stackFunction      Function
hi def link stackMember        Identifier
hi def link stackKey           Identifier
hi def link stackKind          Type
hi def link stackLabel         Label
hi def link stackStackName     Structure
hi def link stackComponentName Structure
hi def link stackVarName       Identifier
hi def link stackResourceName  Label
hi def link stackMovedName     Label
hi def link stackMovedArrow    Operator
hi def link stackAwsType       Type
hi def link stackTypeAlias     Typedef
hi def link stackBuiltinType   Type
hi def link stackTypeName      Type
hi def link stackField         Identifier

let b:current_syntax = 'stack'
let &cpo = s:cpo_save
unlet s:cpo_save
