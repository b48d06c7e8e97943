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
cache=${EGLVIEW_VM_CACHE:-/var/cache/qemu-eglview-vm}/linux-guest
dir=$cache/$(uname -m)
if [ ! -f "$dir/ready" ]; then
	pkg=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
	      awk '/Depends: linux-image-6/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "linux-resize: no linux-image-6.12-amd64 in apt"; exit 77; }
	kver=${pkg#linux-image-}
	rm -rf "$dir"; mkdir -p "$dir/deb" "$dir/ird/bin" "$dir/ird/lib/modules"
	(cd "$dir/deb" && apt-get -o APT::Sandbox::User=root download -qq "$pkg") || exit 77
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root" && depmod -b "$dir/root" "$kver" || exit 1
	cp "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	cp /bin/busybox "$dir/ird/bin/busybox"
	for ko in $(modprobe -d "$dir/root" -S "$kver" --show-depends virtio_gpu |
		    awk '$1 == "insmod" { print $2 }'); do
		name=$(basename "$ko" .ko.xz)
		xz -dc "$ko" > "$dir/ird/lib/modules/$name.ko"
		echo "$name" >> "$dir/ird/modules.list"
	done
	cat > "$dir/ird/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do insmod /lib/modules/$m.ko; done
last=""
while :; do
	for c in /sys/class/drm/card*-*; do
		[ -e "$c/modes" ] || continue
		s="$(basename $c) $(cat $c/status) $(head -1 $c/modes)"
		[ "$s" != "$last" ] && echo "MODE $s" && last="$s"
	done
	sleep 0.5
done
INIT
	chmod 0755 "$dir/ird/init"
	(cd "$dir/ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir/initrd.gz"
	rm -rf "$dir/deb" "$dir/root"
	touch "$dir/ready"
fi

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
