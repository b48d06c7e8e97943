"""What tests running inside the dma-buf test VM (tests/vm) share."""
import os
import re


def load_mesa25():
    """The VM's Mesa 25 env file (EGLVIEW_VM_MESA25_ENV) into os.environ:
    QEMU, weston, the shim and the viewers started afterwards inherit it."""
    with open(os.environ["EGLVIEW_VM_MESA25_ENV"]) as f:
        for line in f:
            m = re.match(r"\s*export\s+(\w+)=(.*)$", line.strip())
            if m:
                os.environ[m.group(1)] = m.group(2).strip("'\"")
