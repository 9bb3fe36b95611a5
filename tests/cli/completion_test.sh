#!/usr/bin/env bash
# `stackc completion bash|zsh|fish`, run in the real shells: each script is loaded and
# asked to complete command lines. Run from the repository root (ctest does);
# STACKC is the binary. Prints `N passed, N failed`; exits non-zero on a failure.
set -uo pipefail
stackc=${STACKC:-build/stackc}
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# expect NAME EXPECTED ACTUAL
expect() {
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
        echo "ok   $1"
    else
        failed=$((failed + 1))
        printf 'FAIL %s\n  expected: [%s]\n  actual:   [%s]\n' "$1" "$2" "$3"
    fi
}

for shell in bash zsh fish; do
    if ! command -v "$shell" >/dev/null; then
        expect "$shell is installed (scripts/setup.sh installs it)" yes no
    fi
    "$stackc" completion "$shell" >"$work/stackc.$shell"
done

# A folder to complete file names in.
mkdir -p "$work/files/lib"
cp examples/wordpress/site.stack "$work/files/site.stack"
cp examples/service-database/site.stack "$work/files/api.stack"
touch "$work/files/notes.txt"

# ---- bash: the function complete -F calls, with COMP_WORDS as bash sets them.
bash_complete() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
             _stackc; printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" " -' \
        bash "$work/stackc.bash" "$@"
}
expect "bash -n" "" "$(bash -n "$work/stackc.bash" 2>&1)"
expect "bash: commands" "build" "$(bash_complete stackc bu)"
expect "bash: every command" "apply build check completion destroy fmt graph help lsp plan test version" \
    "$(bash_complete stackc '')"
expect "bash: build's options" "--format" "$(bash_complete stackc build x.stack --fo)"
expect "bash: an option of another command is not offered" "" "$(bash_complete stackc check --y)"
expect "bash: build --format" "json yaml" "$(bash_complete stackc build x.stack --format '')"
expect "bash: graph --format" "dot mermaid svg" "$(bash_complete stackc graph x.stack --format '')"
expect "bash: --stack from the file" "Network Wordpress" \
    "$(bash_complete stackc build examples/wordpress/site.stack --stack '')"
expect "bash: --param from the file, PascalCased" "Image=" \
    "$(bash_complete stackc plan examples/service-database/site.stack --param '')"
expect "bash: help COMMAND" "destroy" "$(bash_complete stackc help de)"
expect "bash: completion SHELL" "bash fish zsh" "$(bash_complete stackc completion '')"
expect "bash: .stack files and folders" "api.stack lib site.stack" \
    "$(cd "$work/files" && bash_complete stackc check '')"

# ---- fish: its own `complete -C` answers as it would at the prompt.
fish_complete() {
    fish -N -c "source $work/stackc.fish; complete -C '$1'" | cut -f1 | sort | paste -sd' ' -
}
expect "fish -n" "" "$(fish -n "$work/stackc.fish" 2>&1)"
expect "fish: commands" "build" "$(fish_complete 'stackc bu')"
expect "fish: build's options" "--format" "$(fish_complete 'stackc build x.stack --fo')"
expect "fish: build --format" "json yaml" "$(fish_complete 'stackc build x.stack --format ')"
expect "fish: --stack from the file" "Network Wordpress" \
    "$(fish_complete 'stackc build examples/wordpress/site.stack --stack ')"
expect "fish: --param from the file, PascalCased" "Image=" \
    "$(fish_complete 'stackc plan examples/service-database/site.stack --param ')"
expect "fish: .stack files" "api.stack lib/ site.stack" \
    "$(cd "$work/files" && fish_complete 'stackc check ')"

# ---- zsh: completion needs a terminal (zpty), so the completion system's functions are
# replaced by ones that print what they were given, and the script is run as compinit
# would run it.
zsh_complete() {
    zsh -f -c '
        compadd() { local o; while [[ $1 == -* ]]; do [[ $1 == -S ]] && shift; shift; done; [[ $1 == -- ]] && shift; print -l -- "$@"; }
        _describe() { print -l -- ${(P)${@[-1]}}; }
        _arguments() { print -l -- "$@"; }
        source "$1"; shift
        words=("$@"); CURRENT=$#words
        "${ZSH_TEST_CALL:-_stackc}"' zsh "$work/stackc.zsh" "$@"
}
expect "zsh -n" "" "$(zsh -n "$work/stackc.zsh" 2>&1)"
expect "zsh: commands" "build:compile to CloudFormation templates and manifest.json" \
    "$(zsh_complete stackc bu | grep '^build:')"
expect "zsh: build's --format spec" "--format[the templates' format]:json|yaml:(json yaml)" \
    "$(zsh_complete stackc build x.stack --format '' | grep '^--format')"
expect "zsh: build's --stack spec" "--stack[write only this stack's template]:STACK:_stackc_stacks" \
    "$(zsh_complete stackc build x.stack --stack '' | grep '^--stack')"
expect "zsh: --stack from the file" "Network Wordpress" \
    "$(ZSH_TEST_CALL=_stackc_stacks zsh_complete stackc build examples/wordpress/site.stack --stack '' | sort | paste -sd' ' -)"
expect "zsh: --param from the file, PascalCased" "Image=" \
    "$(ZSH_TEST_CALL=_stackc_params zsh_complete stackc plan examples/service-database/site.stack --param '')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
