#!/usr/bin/env bash
# The main job: set up, build, and compile the WordPress example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
./build/stackc check examples/wordpress/site.stack
./build/stackc fmt --check examples/wordpress/site.stack
echo "examples/wordpress/site.stack: checked, no errors"
