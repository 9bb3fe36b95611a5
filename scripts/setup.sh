#!/usr/bin/env bash
# Installs the Debian packages stackc needs to build and test; safe to rerun.
set -euo pipefail
packages=(build-essential cmake pkg-config flex bison libcurl4-openssl-dev libssl-dev
          libcjson-dev libcunit1-dev libexpat1-dev clang ninja-build libtree-sitter-dev vim
          python3 awscli libclang-rt-14-dev graphviz python3-yaml
          neovim)
# Node.js runs the TextMate grammar test; a machine that already has one (any source) keeps it.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
