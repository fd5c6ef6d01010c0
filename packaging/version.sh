#!/bin/sh
# version.sh - the package version: the one place is the first line of
# packaging/debian/changelog ("libpam-privauth (0.9.0) unstable; ...").
set -eu
sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$(dirname "$0")/debian/changelog"
