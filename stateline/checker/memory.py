"""The peak resident memory of this process, as the statistics report it.

`getrusage(RUSAGE_SELF).ru_maxrss` is not this process's own peak on Linux when it
was started by a larger one: `exec` folds the high-water mark of the memory it
replaces (the parent's, after a fork or vfork) into the counter, so `stateline`
launched from a 1 GB pytest or IDE process would report 1 GB.  The kernel's
`VmHWM` line in /proc/self/status is the high-water mark of this process's own
address space; `ru_maxrss` is the fallback where /proc is missing.
"""
from __future__ import annotations

import resource


def peak_rss_mib() -> float:
    """This process's peak resident set size in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0       # the kernel writes kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # KiB on Linux
