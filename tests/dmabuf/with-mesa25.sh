#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the command given under Mesa 25's software EGL device: the Mesa 25
# libraries the test VM's runner fetched (tests/vm/vm-run) and
# EGLVIEW_OFFSCREEN_EGL=software-device, from the env file it passes in as
# EGLVIEW_VM_MESA25_ENV. Foreign dma-bufs (udmabuf) crash Mesa 22.3's
# kms_swrast, so tests that import them run only through this.
set -u
env_file=${EGLVIEW_VM_MESA25_ENV:-}
if [ -z "$env_file" ] || [ ! -f "$env_file" ]; then
	echo "skipped: no Mesa 25 (EGLVIEW_VM_MESA25_ENV unset or missing);" \
	     "foreign dma-bufs run only inside the test VM (tests/vm/vm-run)"
	exit 77
fi
if [ ! -c /dev/udmabuf ]; then
	echo "skipped: no /dev/udmabuf"
	exit 77
fi
. "$env_file"
if [ "${EGLVIEW_OFFSCREEN_EGL:-}" != software-device ] ||
   [ ! -d "${LIBGL_DRIVERS_PATH:-/nonexistent}" ]; then
	echo "with-mesa25: $env_file does not select Mesa 25's software EGL device" >&2
	exit 1
fi
exec "$@"
