#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The Linux test guest: Debian's 6.12 kernel (its binary package fetched
# once, about 110 MB, into ${EGLVIEW_VM_CACHE:-/var/cache/qemu-eglview-vm}/
# linux-guest, as the dma-buf test VM's is) and a busybox initramfs with
# the virtio-gpu modules whose init prints the connector's preferred mode
# to the serial port. Prints the directory (vmlinuz, initrd.gz, and ird/,
# the initramfs's tree, for tests that add to it); exit 77 when the kernel
# package cannot be had, 1 when it cannot be unpacked.
#
#   linux-guest.sh
set -u
cache=${EGLVIEW_VM_CACHE:-/var/cache/qemu-eglview-vm}/linux-guest
dir=$cache/$(uname -m)
if [ ! -f "$dir/ready" ]; then
	pkg=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
	      awk '/Depends: linux-image-6/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "linux-guest: no linux-image-6.12-amd64 in apt" >&2; exit 77; }
	kver=${pkg#linux-image-}
	rm -rf "$dir"; mkdir -p "$dir/deb" "$dir/ird/bin" "$dir/ird/lib/modules"
	(cd "$dir/deb" && apt-get -o APT::Sandbox::User=root download -qq "$pkg" >&2) || exit 77
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

echo "$dir"
