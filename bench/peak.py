"""Run a command and print its wall time and peak memory as JSON: {"seconds", "peak_kib"}.

    python -m bench.peak <command> [args...]

Why a launcher: a child's peak memory (wait4's ru_maxrss) also counts the memory of the process
it was forked from, up to its exec. Forked from a benchmark that has just issued 100,000 codes,
an export would be charged for them. Forked from this small process, it is charged for itself.
"""

import json
import os
import subprocess
import sys
import time


def main(command: list[str]) -> int:
    started = time.perf_counter()
    child = subprocess.Popen(command)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    print(json.dumps({"seconds": seconds, "peak_kib": usage.ru_maxrss, "status": code}))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
