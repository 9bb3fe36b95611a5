#!/usr/bin/env bash
# Checks the Vim syntax file grammar/vim/syntax/stack.vim (and ftdetect/stack.vim) in a
# headless Vim: opens examples/wordpress/site.stack plus a snippet file with the constructs
# the example lacks, finds chosen positions by pattern and compares the syntax group there
# (synIDattr(synID(line, col, 1), "name")). A group written "@name" only has to be somewhere
# in the synstack() at that position (e.g. inside an interpolation); "a|b" means either.
# Every keyword of src/syntax/lex.c's keywords[] table, alone at the start of an item, must
# be a keyword group (or Boolean/Null for true/false/null), so the syntax cannot drift from
# the scanner.
# Prints one line per check and a closing `N passed, N failed`; exits non-zero on failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v vim >/dev/null 2>&1; then
    echo "vim_test: vim is not installed (apt-get install vim)"
    echo "0 passed, 1 failed"
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/snippets.stack" <<'EOF'
import "stdlib/aws.stack"
type Tier = "small" | "large"
component database {
  input engine: "mysql" | "postgres" = "mysql"
  input limits: { cpu: int, memory: size = 1GiB } = {}
  attribute endpoint: string = "${name}.example"
  connectable {
    port = 5432
  }
}
stack Data {
  let ports: list<int> = [80, 443]
  let n = 3
  param retention: duration? = 30s
  resource bucket "AWS::S3::Bucket" if enabled {
    BucketName = "b-${ f({k = "${ y }"}) }-z"
  }
  subnet public for z in zones {
    type = "gp3"
    ref  = wp.output.type
    esc  = "tab\t quote\" dollar\$ uni\u{1F600} bad\q $5"
  }
  check n > 0, "need one"
  test "defaults" {
    assert n == 3, "msg"
  }
  xs = [for x in ports : x * 2 if x != 80]
  wait = 500ms
}
app = "shop"
component store {
  ready = [table, replica]
  grant {
    input source: { role: any }
  }
  grant send {
    x = 1
  }
  check for p in ports : p >= 1, format("port %d", p)
  warn for i, s in policy : s.ok, "wide"
  unique for name, e in expose : [e.via, name], "taken"
  unique key, "dup"
}
stack Orders {
  moved work -> jobs
  output unique = n
  opts { grant = 1, moved = a.unique }
}
EOF

# The scanner's keywords, one per line as the first word of an item.
keywords="$(sed -n '/keywords\[\] = {/,/};/p' "$root/src/syntax/lex.c" | sed -n 's/.*{"\([a-z_]*\)", TOK_.*/\1/p')"
if [ -z "$keywords" ]; then
    echo "vim_test: could not read the keywords[] table from src/syntax/lex.c"
    echo "0 passed, 1 failed"
    exit 1
fi
printf '  %s\n' $keywords >"$work/keywords.stack"

# file<TAB>pattern (Vim regex; \zs marks the column checked)<TAB>expected group
cat >"$work/checks.tsv" <<'EOF'
site	^\zs// WordPress	stackLineComment
site	// \zsAurora	stackLineComment
site	^\zsstack Network	stackStatement
site	^stack \zsNetwork	stackStackName
site	^  \zsnetwork vpc	stackKind
site	^  network \zsvpc	stackLabel
site	\zscidr  =	stackKey
site	cidr  = "\zs10\.0	stackString
site	cidr  = \zs"10	stackQuote
site	zones = \zs2	stackNumber
site	internet_facing = \zstrue	stackBoolean
site	\zscertificate site	stackKind
site	certificate \zssite	stackLabel
site	capacity            = { min = \zs0\.5	stackNumber
site	capacity            = { \zsmin	stackKey
site	backup_retention    = \zs7d	stackDuration
site	memory   = \zs1GiB	stackSize
site	network     = Network\.\zsvpc	stackMember
site	\zscontainer php	stackKind
site	container \zsphp	stackLabel
site	image = \zsbuild(	stackFunction
site	dockerfile = "Docker.wordpress"	stackKey
site	\zsmount "/var	stackKind
site	mount "\zs/var	stackString
site	\zsallow wordpress	stackStatement
site	allow wordpress \zs->	stackOperator
site	\zsoutput url	stackStatement
site	output \zsurl	stackVarName
site	"http://\zs\${	stackInterpDelim
site	"http://\${\zsNetwork	@stackInterp
site	"http://\${\zsNetwork	stackIdentifier
site	dns_name\zs}	stackInterpDelim
site	"\zshttp://	stackString
snip	^\zsimport	stackInclude
snip	^\zstype Tier	stackStatement
snip	^type \zsTier	stackTypeAlias
snip	Tier = "\zssmall	stackString
snip	"small" \zs|	stackTypeOp
snip	component \zsdatabase	stackComponentName
snip	input \zsengine	stackVarName
snip	input limits: { \zscpu	stackField
snip	input limits: { cpu: \zsint	stackBuiltinType
snip	memory: size = \zs1GiB	stackSize
snip	attribute endpoint: \zsstring	stackBuiltinType
snip	^  \zsconnectable	stackStatement
snip	let ports: \zslist	stackBuiltinType
snip	let \zsn = 3	stackVarName
snip	param retention: \zsduration	stackBuiltinType
snip	param retention: duration\zs?	stackTypeOp
snip	duration? = \zs30s	stackDuration
snip	\zsresource bucket	stackStatement
snip	resource \zsbucket	stackResourceName
snip	resource bucket "\zsAWS::S3::Bucket	stackAwsType
snip	"AWS::S3::Bucket" \zsif	stackConditional
snip	"b-\zs\${ f	stackInterpDelim
snip	"b-\${ \zsf(	stackFunction
snip	f({\zsk =	stackKey
snip	"\${ \zsy }	@stackInterp
snip	"\${ \zsy }	stackIdentifier
snip	}) }\zs-z"	stackString
snip	\zssubnet public	stackKind
snip	subnet \zspublic	stackLabel
snip	subnet public \zsfor	stackRepeat
snip	^    \zstype = "gp3"	stackKey
snip	wp\.\zsoutput	stackMember
snip	wp\.output\.\zstype	stackMember
snip	"tab\zs\\t	stackEscape
snip	quote\zs\\"	stackEscape
snip	dollar\zs\\\$	stackEscape
snip	uni\zs\\u{1F600}	stackEscape
snip	bad\zs\\q	stackEscapeError
snip	\\q \zs\$5	stackString
snip	^  \zscheck	stackAssert
snip	^    \zsassert	stackAssert
snip	^  \zstest "defaults"	stackStatement
snip	xs = \[\zsfor	stackRepeat
snip	x \* 2 \zsif	stackConditional
snip	wait = \zs500ms	stackDuration
snip	^\zsapp = "shop"	stackKey
snip	^  \zsready = \[table	stackKey
snip	^  \zsgrant {	stackStatement
snip	^  \zsgrant send	stackStatement
snip	^  grant \zssend	stackLabel
snip	^  \zscheck for p	stackAssert
snip	^  check \zsfor p	stackRepeat
snip	^  check for p \zsin	stackRepeat
snip	check for p in ports : p >= 1, \zsformat	stackFunction
snip	^  \zswarn for	stackAssert
snip	^  \zsunique for	stackAssert
snip	^  unique for \zsname	stackIdentifier
snip	^  \zsunique key	stackAssert
snip	^  \zsmoved work	stackStatement
snip	^  moved \zswork	stackMovedName
snip	^  moved work \zs->	stackMovedArrow
snip	^  moved work -> \zsjobs	stackLabel
snip	^  output \zsunique	stackVarName
snip	opts { \zsgrant = 1	stackKey
snip	grant = 1, \zsmoved	stackKey
snip	moved = a\.\zsunique	stackMember
EOF
for word in $keywords; do
    case "$word" in
    true | false) want=stackBoolean ;;
    null) want=stackNull ;;
    *) want='stackStatement|stackAssert|stackRepeat|stackConditional|stackInclude' ;;
    esac
    printf 'kw\t^  \\zs%s$\t%s\n' "$word" "$want" >>"$work/checks.tsv"
done

cat >"$work/run.vim" <<'EOF'
let s:lines = []
let s:passed = 0
let s:failed = 0
let s:files = {'site': g:root . '/examples/wordpress/site.stack', 'snip': g:work . '/snippets.stack',
      \ 'kw': g:work . '/keywords.stack'}
for s:row in readfile(g:work . '/checks.tsv')
  let [s:file, s:pat, s:want] = split(s:row, "\t")
  execute 'silent edit! ' . fnameescape(s:files[s:file])
  if &filetype !=# 'stack'
    call add(s:lines, 'FAIL ' . s:file . ': filetype is "' . &filetype . '", not stack (ftdetect)')
    let s:failed += 1
    continue
  endif
  call cursor(1, 1)
  let [s:l, s:c] = searchpos(s:pat, 'cW')
  if s:l == 0
    call add(s:lines, 'FAIL ' . s:file . ' /' . s:pat . '/: pattern not found')
    let s:failed += 1
    continue
  endif
  let s:name = synIDattr(synID(s:l, s:c, 1), 'name')
  let s:stack = map(synstack(s:l, s:c), 'synIDattr(v:val, "name")')
  if s:want[0] ==# '@'
    let s:ok = index(s:stack, s:want[1:]) >= 0
  else
    let s:ok = index(split(s:want, '|'), s:name) >= 0
  endif
  let s:where = s:file . ' ' . s:l . ':' . s:c . ' /' . s:pat . '/'
  if s:ok
    call add(s:lines, 'ok   ' . s:where . ' is ' . s:want)
    let s:passed += 1
  else
    call add(s:lines, 'FAIL ' . s:where . ': want ' . s:want . ', got ' . s:name . ' [' . join(s:stack, ' ') . ']')
    let s:failed += 1
  endif
endfor
call add(s:lines, s:passed . ' passed, ' . s:failed . ' failed')
call writefile(s:lines, g:work . '/result.txt')
qall!
EOF

vim -es -N -u NONE -i NONE \
    --cmd "let g:root = '$root' | let g:work = '$work'" \
    --cmd "set runtimepath^=$root/grammar/vim" \
    -c 'filetype on' -c 'syntax on' -c "source $work/run.vim" </dev/null || true

if [ ! -s "$work/result.txt" ]; then
    echo "vim_test: Vim did not produce results"
    echo "0 passed, 1 failed"
    exit 1
fi
cat "$work/result.txt"
tail -n 1 "$work/result.txt" | grep -q ', 0 failed$'
