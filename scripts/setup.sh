#!/usr/bin/env bash
# Installs the Debian packages stackc needs to build and test; safe to rerun.
# (groff-base, zsh and fish check the man page and the shell completions; clang-format
# checks the C sources' layout.)
#   scripts/setup.sh [EXTRA_PACKAGE...]   (bench/whole-process.sh adds hyperfine)
set -euo pipefail
packages=(build-essential cmake pkg-config flex bison libcurl4-openssl-dev libssl-dev
          libcjson-dev libcunit1-dev libexpat1-dev nettle-dev clang clang-format ninja-build libtree-sitter-dev vim
          python3 awscli libclang-rt-14-dev graphviz python3-yaml groff-base zsh fish neovim "$@")
# Node.js and npm run the TextMate grammar test and the CloudFormation validator. A machine
# that already has a Node.js (any source) keeps it; Debian's npm is added when it lacks one.
min_node_major=18
if ! command -v node >/dev/null 2>&1; then
    packages+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
    packages+=(npm)
fi
# docker-compose checks the compose files stackc writes (`docker-compose config`, no
# Docker Engine needed): installed without the engine it recommends.
lean_packages=(docker-compose)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
missing_lean=()
for p in "${lean_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_lean+=("$p")
done

# apt's machine-readable status (APT::Status-Fd) as one line per 10 %, so a minute of
# downloading and unpacking shows progress without apt's hundreds of lines.
show_progress() {
    awk -F: '
        $1 == "dlstatus" { stage = "downloading" }
        $1 == "pmstatus" { stage = "installing" }
        stage != "" {
            step = int($3 / 10) * 10
            if (stage != last_stage || step > last_step) {
                printf "setup: %s %3d%% %s\n", stage, step, $4
                fflush()
                last_stage = stage; last_step = step
            }
            stage = ""
        }'
}

# apt-get install [OPTION...] PACKAGE...: status on fd 3 goes to the progress filter;
# apt's own output is kept for a failure.
install() {
    if ! { DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
            -o APT::Status-Fd=3 "$@" 3>&1 >"$log" 2>&1 | show_progress; }; then
        cat "$log" >&2
        echo "setup: apt-get install failed (its output is above)" >&2
        exit 1
    fi
}

if [ $((${#missing[@]} + ${#missing_lean[@]})) -gt 0 ]; then
    echo "setup: installing $((${#missing[@]} + ${#missing_lean[@]})) Debian package(s):" \
         "${missing[*]} ${missing_lean[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    echo "setup: reading the package lists (apt-get update)"
    "${sudo_cmd[@]}" apt-get update -qq
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    [ ${#missing[@]} -eq 0 ] || install "${missing[@]}"
    [ ${#missing_lean[@]} -eq 0 ] || install --no-install-recommends "${missing_lean[@]}"
    echo "setup: done"
fi

node_version=$(node -p 'process.versions.node' 2>/dev/null || echo none)
if [ "$node_version" = none ] || [ "${node_version%%.*}" -lt "$min_node_major" ]; then
    echo "setup: warning: Node.js $node_version found; the editor and CloudFormation-validator" \
         "tests need Node.js $min_node_major or newer with npm (Debian 12's nodejs and npm" \
         "packages are enough: remove the older Node.js, then rerun scripts/setup.sh)" >&2
fi
