#!/usr/bin/env python3
"""Time from process start to the first 200 from /readyz, in milliseconds (median of RUNS).

    scripts/time-to-ready.py BINARY PORT [RUNS]

Starts `BINARY serve` with the environment it is given (plus LISTEN_ADDR=127.0.0.1:PORT), polls
`GET /readyz` every half millisecond from the moment the process is spawned, then stops it with
SIGTERM. Polling from one process avoids counting the start of a `curl` per attempt.
"""
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time


def once(binary: str, port: int) -> float:
    env = dict(os.environ, LISTEN_ADDR=f"127.0.0.1:{port}")
    started = time.monotonic()
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return (time.monotonic() - started) * 1000
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit(f"the server exited with {server.returncode} before it was ready")
            time.sleep(0.0005)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


def main() -> None:
    binary, port = sys.argv[1], int(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times = [once(binary, port) for _ in range(runs)]
    print(f"{statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
