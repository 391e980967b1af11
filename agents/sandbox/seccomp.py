"""A seccomp filter that refuses new user namespaces inside the sandbox.

Why: as root we run the sandbox without a user namespace of its own (see isolation.py), so
`unshare -Ur` inside gave uid 0 with every capability in a namespace of its own: a wide kernel
surface for untrusted code. Like Flatpak and Docker, the filter refuses unshare/clone with
CLONE_NEWUSER (EPERM) and clone3, whose flags it cannot read (ENOSYS: libc falls back to clone).
Everything else is allowed. A classic BPF program, as bubblewrap's --seccomp takes it.
"""

from __future__ import annotations

import platform
import struct

_CLONE_NEWUSER = 0x10000000
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_EPERM, _ENOSYS = 1, 38
_X32 = 0x40000000  # x86-64's x32 syscall numbers: refused outright rather than listed twice
# audit arch, unshare, clone, clone3
_ARCHES = {"x86_64": (0xC000003E, 272, 56, 435), "aarch64": (0xC00000B7, 97, 220, 435)}
_LD, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (arg0's low half, little-endian)


def program() -> bytes | None:
    """The filter for this machine's architecture; None where we have no syscall table."""
    known = _ARCHES.get(platform.machine())
    if known is None:
        return None
    arch, unshare, clone, clone3 = known
    ops = [
        (_LD, 0, 0, _ARCH),
        (_JEQ, 0, 9, arch),                  # another ABI (e.g. i386 on x86-64): refused below
        (_LD, 0, 0, _NR),
        (_JGE, 7, 0, _X32),                  # → EPERM
        (_JEQ, 3, 0, unshare),               # → check flags
        (_JEQ, 2, 0, clone),                 # → check flags
        (_JEQ, 5, 0, clone3),                # → ENOSYS
        (_RET, 0, 0, _ALLOW),
        (_LD, 0, 0, _ARG0),                  # flags
        (_JSET, 1, 0, _CLONE_NEWUSER),       # → EPERM
        (_RET, 0, 0, _ALLOW),
        (_RET, 0, 0, _ERRNO | _EPERM),
        (_RET, 0, 0, _ERRNO | _ENOSYS),
    ]
    return b"".join(struct.pack("<HBBI", code, jt, jf, k) for code, jt, jf, k in ops)
