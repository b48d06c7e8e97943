#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one meson suite inside the test VM and passes only when it ran
# there for real: every test OK, none skipped.
#   run-suite.sh VM_RUN SOURCE_ROOT BUILD_ROOT SUITE
set -u
vm_run=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2 build=$3 suite=$4
sh "$vm_run" setup
rc=$?
[ $rc -eq 0 ] || exit $rc          # 77: the VM cannot run here (reason on stderr)
set -- -w "$src"
case $build/ in
"$src"/*) ;;
*) set -- "$@" -w "$build" ;;
esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# --no-rebuild: the host built it; --logbase: the host's meson test is
# writing its own testlog in the same build directory.
cd "$build" && sh "$vm_run" "$@" "meson test -C '$build' --suite '$suite' --no-rebuild \
	--logbase vm-testlog-$suite --print-errorlogs --num-processes 2" > "$out"
rc=$?
cat "$out"
[ $rc -eq 125 ] && { echo "run-suite: the test VM failed"; exit 1; }
[ $rc -eq 0 ] || { echo "run-suite: suite $suite failed in the VM (status $rc)"; exit 1; }
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$out")
skipped=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$out")
if [ "${ok:-0}" -eq 0 ] || [ "${skipped:-1}" -ne 0 ]; then
	echo "run-suite: in the VM $suite had ${ok:-0} ok and ${skipped:-?} skipped tests; expected all to run"
	exit 1
fi
echo "run-suite: $ok $suite tests passed in the VM"
