#!/usr/bin/python3
"""bench_fake - the twilio loopback fake, timed on the server side (TEST ONLY).

    bench_fake.py <the arguments of tests/fakes/twilio_fake.py>

Serves tests/fakes/twilio_fake.py's TwilioFake unchanged (same wire format,
same authentication, same records) and measures, for the first request of
every API connection (the module opens one connection per message):

  wall  from the moment the handler thread starts on the accepted
        connection to the response written: the server side of the TLS
        handshake, parsing, the fake's handler (including the fsync'ed
        record) and the answer, but also the time spent waiting for the
        client's TLS flights and request
  cpu   CPU time of that handler thread over the same span: what the fake
        itself costs (Python, and the server's half of the TLS crypto),
        without any waiting
  proc  CPU time of the whole fake process since the last reset divided by
        the requests served (adds the accept loop and thread start-up)

Control endpoints, besides fakebase's:
  GET  /__timing  -> "n wall_p50 wall_p99 cpu_p50 cpu_p99 proc_avg\\n"
                     (microseconds, nearest-rank quantiles)
  POST /__timing  -> forget the samples and restart the process clock

Used by tests/bench/run_bench.sh only.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fakes"))

import fakebase  # noqa: E402  (path set above)
import twilio_fake  # noqa: E402


def quantile(sorted_us, q):
    """Nearest-rank quantile of a sorted list (0 when empty)."""
    if not sorted_us:
        return 0.0
    rank = max(1, min(len(sorted_us), int(q * len(sorted_us) + 0.999999)))
    return sorted_us[rank - 1]


class TimedTwilioFake(twilio_fake.TwilioFake):
    NAME = "twilio"

    def __init__(self, args):
        super().__init__(args)
        self._tlock = threading.Lock()
        self._wall = []
        self._cpu = []
        self._proc0 = time.process_time()

    def add_sample(self, wall_s, cpu_s):
        with self._tlock:
            self._wall.append(wall_s * 1e6)
            self._cpu.append(cpu_s * 1e6)

    def timing_text(self):
        with self._tlock:
            wall, cpu = sorted(self._wall), sorted(self._cpu)
            proc = time.process_time() - self._proc0
        n = len(wall)
        return "%d %.1f %.1f %.1f %.1f %.1f\n" % (
            n, quantile(wall, 0.5), quantile(wall, 0.99),
            quantile(cpu, 0.5), quantile(cpu, 0.99),
            proc * 1e6 / n if n else 0.0)

    def control(self, method, path, body):
        if path == "/__timing" and method == "GET":
            return fakebase.Response(200, self.timing_text())
        if path == "/__timing" and method == "POST":
            with self._tlock:
                self._wall, self._cpu = [], []
                self._proc0 = time.process_time()
            return fakebase.Response(200, "ok")
        return super().control(method, path, body)


class TimedHandler(fakebase._Handler):  # pylint: disable=protected-access
    """fakebase's handler, timing the first request of each connection."""

    # TCP_NODELAY, as any production HTTPS server sets: without it the
    # fake's small writes (TLS session tickets, then the answer) meet the
    # client's delayed ACK and every request stalls for 40 ms.
    disable_nagle_algorithm = True

    def setup(self):
        self._t0 = time.perf_counter()
        self._c0 = time.thread_time()
        self._timed = False
        super().setup()

    def handle_one_request(self):
        self.path = ""
        super().handle_one_request()
        if self._timed or not self.path or self.path.startswith("/__"):
            return
        self._timed = True
        self.server.fake.add_sample(time.perf_counter() - self._t0,
                                    time.thread_time() - self._c0)


if __name__ == "__main__":
    # fakebase.main() builds its server with the module's _Handler.
    fakebase._Handler = TimedHandler  # pylint: disable=protected-access
    sys.exit(fakebase.main(TimedTwilioFake))
