#!/bin/sh
# Builds the native stand-ins into native/build. Several projects of one `dotnet build` may call this at the same time
# (each that loads a stand-in imports native.targets, and MSBuild builds them in parallel): two cmake runs in one build
# folder corrupt it, so one waits for the other under a lock (flock, from util-linux), and the second finds it built.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
build() { cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$here/build"; }
if command -v flock >/dev/null 2>&1; then
  exec 9>"$here/build/.lock"
  flock 9
fi
build
