"""A liveness probe in a process of its own, for bench/attacks.py: what a kubelet would see.

Each probe opens a new connection, as a kubelet does, sends `GET /system/health` and reads the
whole answer; its latency is the time from connecting to the answer's last byte. It waits at
most a kubelet's `timeoutSeconds: 3`: a probe past that, refused, or answered other than 200
counts as failed, with that wait as its latency. The probe runs in its own process so that the
attacking threads cannot delay it through the GIL: what it measures is the server.

    python bench/attack_probe.py PORT

prints `ready`, probes until its standard input is closed, then prints its results as JSON.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass

PATH = "/system/health"
TIMEOUT_SECONDS = 3.0
INTERVAL_SECONDS = 0.02
# A bound on a probe run whatever the caller does: the longest attack, its tail and a margin.
MAX_SECONDS = 120.0


@dataclass(frozen=True)
class ProbeResults:
    latencies_ms: tuple[float, ...]
    failures: int


def probe_until(port: int, stop: threading.Event) -> ProbeResults:
    """Probe every INTERVAL_SECONDS until `stop` is set."""
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()
    while not stop.is_set() and time.perf_counter() - started < MAX_SECONDS:
        sent = time.perf_counter()
        ok = probe_once(port)
        latencies.append((time.perf_counter() - sent) * 1000)
        failures += not ok
        stop.wait(INTERVAL_SECONDS)
    return ProbeResults(tuple(latencies), failures)


def probe_once(port: int) -> bool:
    """One probe; True when it got a whole 200 in time."""
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS) as sock:
            sock.sendall(b"GET " + PATH.encode() + b" HTTP/1.1\r\nhost: probe\r\n\r\n")
            answer = b""
            while not complete(answer):
                sock.settimeout(max(0.001, deadline - time.perf_counter()))
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                answer += chunk
            return answer.startswith(b"HTTP/1.1 200 ")
    except OSError:  # refused, reset, or timed out (TimeoutError is an OSError)
        return False


def complete(answer: bytes) -> bool:
    """Whether `answer` holds a whole head and the body its `content-length` announces."""
    head, separator, body = answer.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def main(port: int) -> None:
    stop = threading.Event()

    def stop_at_end_of_input() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=stop_at_end_of_input, daemon=True).start()
    print("ready", flush=True)
    print(json.dumps(asdict(probe_until(port, stop))), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
