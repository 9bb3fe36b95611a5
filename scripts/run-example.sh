#!/usr/bin/env bash
# The main job: set up, build stackc, and compile the WordPress example to
# CloudFormation (stackc.out/wordpress: one template per stack and manifest.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
./build/stackc fmt --check examples/wordpress/site.stack
./build/stackc build examples/wordpress/site.stack -o stackc.out/wordpress
ls -l stackc.out/wordpress
