#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A Linux guest follows the viewer's size (PROTOCOL.md, "The guest follows
# the window"): Debian's kernel on QEMU's virtio-vga under TCG, a busybox
# initramfs that prints its connector's preferred mode to the serial
# port; eglview-shim --source qemu; offscreen viewers at two sizes. Prints
# the modes the guest reported and exits 0 when it took each size, 1 when
# it did not, 77 when the kernel package cannot be had (it is downloaded
# once, about 110 MB, into
# ${EGLVIEW_VM_CACHE:-/var/cache/qemu-eglview-vm}/linux-guest, as the
# dma-buf test VM's is). Boots in about 7 s under TCG here.
#
#   linux-resize.sh SHIM VIEWER
set -u
shim=$1 viewer=$2
dir=$(sh "$(dirname "$0")/linux-guest.sh") || exit $?

tmp=$(mktemp -d)
dbus-daemon --session --nofork --print-address=1 \
	--address="unix:path=$tmp/bus" > "$tmp/addr" 2>/dev/null &
bus=$!
for i in $(seq 50); do [ -s "$tmp/addr" ] && break; sleep 0.1; done
start=$(date +%s)
qemu-system-x86_64 -accel tcg -m 512 -nodefaults -no-user-config \
	-name linux-guest -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
	-append "console=ttyS0 quiet" -serial "file:$tmp/serial" \
	-device virtio-vga -display "dbus,addr=unix:path=$tmp/bus" \
	> "$tmp/qemu.log" 2>&1 &
qemu=$!
"$shim" --source qemu --verbose --dbus-address "$(head -1 "$tmp/addr")" \
	"$tmp/vm.sock" > "$tmp/shim.log" 2>&1 &
shim_pid=$!
for i in $(seq 240); do grep -q MODE "$tmp/serial" 2>/dev/null && break; sleep 0.5; done
echo "linux-resize: guest up after $(( $(date +%s) - start )) s: $(grep MODE "$tmp/serial" | tail -1 | tr -d '\r')"
rc=0
for size in 1280x720 800x600; do
	t0=$(date +%s.%N)
	timeout 60 "$viewer" --backend offscreen --size "$size" \
		--snapshot "$tmp/shot-$size.png" "$tmp/vm.sock" 2>/dev/null &
	v=$!
	ok=1
	# The serial port's lines end in CR LF.
	for i in $(seq 80); do tr -d '\r' < "$tmp/serial" | grep -q "^MODE .* $size\$" && ok=0 && break; sleep 0.25; done
	t1=$(date +%s.%N)
	kill $v 2>/dev/null; wait $v 2>/dev/null
	if [ $ok -eq 0 ]; then
		echo "linux-resize: a viewer at $size: the guest's preferred mode became $size after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
		# Whether the kernel's own console (fbdev emulation) takes the
		# new mode too, and how soon, is the guest's business (a
		# desktop applies the preferred mode): said, not required.
		for i in $(seq 12); do grep -q "console 0: now $size" "$tmp/shim.log" && break; sleep 0.25; done
		grep -q "console 0: now $size" "$tmp/shim.log" &&
			echo "linux-resize: the guest's console is $size too" ||
			echo "linux-resize: the guest's console kept its mode so far"
	else
		echo "linux-resize: a viewer at $size: the guest stayed at $(grep MODE "$tmp/serial" | tail -1 | tr -d '\r')"
		rc=1
	fi
done
grep -E "SetUIInfo|cannot follow" "$tmp/shim.log" | sed 's/^/linux-resize: shim: /'
kill $shim_pid $qemu $bus 2>/dev/null
wait 2>/dev/null
rm -rf "$tmp"
exit $rc
