#!/usr/bin/env python3
"""`--metrics HOST:PORT` end to end (LANGUAGE.md 13 "Run options").

    python3 tests/metrics/test_metrics.py --flowc build/compiler/flowc

The endpoint is read with Prometheus' own text parser (Debian's
python3-prometheus-client) after a known input, and every family is
checked against counts worked out by hand below. The pipeline follows its
input file (follow: true), so it runs until SIGTERM and can be scraped
after each part of the input.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

FAILURES = []
TIMEOUT = 30  # seconds to wait for the run to reach a state

PIPELINE = """\
pipeline metered
batch 100ms

source clicks = file("in/clicks.jsonl", follow: true)
  format json
  schema { ts: timestamp, user: string, page: string }
  event_time ts watermark 1s
  on_error skip

table pages = file("in/pages.csv")
  format csv(header: true)
  schema { page: string, category: string }
  key page

stream per_user = clicks | window tumbling 10s | group by user | aggregate n = count()
stream visits = clicks | group by page | update hits: int = 0 { hits += 1 }
stream joined = clicks | join pages on page | select user, category

sink per_user to stdout
sink joined to file("out/joined.csv")
sink visits to file("out/visits.csv")
sink joined to stdout
"""

# Part A, one write (one batch). Watermark after it: 12 s - 1 s = 11 s.
#   per_user  [0,10s): u1 x2, u2 x2 fire (end 10 s <= 11 s): 2 rows; (10s, u3) stays open
#   visits    /a x3, /b, /z: 3 keys, 3 rows (one per key updated)
#   joined    every record but /z: 4 rows (to a file and to stdout)
PART_A = [
    {"ts": 1000, "user": "u1", "page": "/a"},
    {"ts": 2000, "user": "u2", "page": "/b"},
    {"ts": 3000, "user": "u1", "page": "/z"},
    "this is not json",
    {"ts": 12000, "user": "u3", "page": "/a"},
    {"ts": 4000, "user": "u2", "page": "/a"},
]
# Part B, one write. 5 s is late for per_user (its window ended at 10 s <=
# 11 s, the watermark when the batch began) but counts for visits and
# joined; a bad timestamp is a bad record. Watermark after: 25 - 1 = 24 s.
#   per_user  (10s, u3) fires with 2: 1 row; (20s, u4) stays open
#   visits    /a, /c, /b updated: 3 rows; keys /a /b /z /c
#   joined    3 rows
PART_B = [
    {"ts": 5000, "user": "u1", "page": "/a"},
    {"ts": 13000, "user": "u3", "page": "/c"},
    {"ts": "not a time", "user": "u5", "page": "/b"},
    {"ts": 25000, "user": "u4", "page": "/b"},
]

AFTER_A = {
    ("flowc_records_in_total", (("source", "clicks"),)): 6,
    ("flowc_records_in_total", (("source", "pages"),)): 3,
    ("flowc_bad_records_total", (("source", "clicks"),)): 1,
    ("flowc_bad_records_total", (("source", "pages"),)): 0,
    ("flowc_rows_out_total", (("sink", "stdout"),)): 2 + 4,
    ("flowc_rows_out_total", (("sink", "out/joined.csv"),)): 4,
    ("flowc_rows_out_total", (("sink", "out/visits.csv"),)): 3,
    ("flowc_late_records_total", (("stream", "per_user"),)): 0,
    ("flowc_late_records_total", (("stream", "visits"),)): 0,
    ("flowc_watermark_seconds", (("source", "clicks"),)): 11.0,
    ("flowc_state_keys", (("stream", "per_user"),)): 1,
    ("flowc_state_keys", (("stream", "visits"),)): 3,
}
AFTER_B = {
    ("flowc_records_in_total", (("source", "clicks"),)): 10,
    ("flowc_records_in_total", (("source", "pages"),)): 3,
    ("flowc_bad_records_total", (("source", "clicks"),)): 2,
    ("flowc_bad_records_total", (("source", "pages"),)): 0,
    ("flowc_rows_out_total", (("sink", "stdout"),)): 3 + 7,
    ("flowc_rows_out_total", (("sink", "out/joined.csv"),)): 7,
    ("flowc_rows_out_total", (("sink", "out/visits.csv"),)): 6,
    ("flowc_late_records_total", (("stream", "per_user"),)): 1,
    ("flowc_late_records_total", (("stream", "visits"),)): 0,
    ("flowc_watermark_seconds", (("source", "clicks"),)): 24.0,
    ("flowc_state_keys", (("stream", "per_user"),)): 1,
    ("flowc_state_keys", (("stream", "visits"),)): 4,
}
FAMILIES = {
    "flowc_records_in": "counter", "flowc_rows_out": "counter", "flowc_bad_records": "counter",
    "flowc_late_records": "counter", "flowc_batches": "counter",
    "flowc_batch_duration_seconds": "histogram", "flowc_watermark_seconds": "gauge",
    "flowc_state_keys": "gauge", "flowc_checkpoint_duration_seconds": "histogram",
}


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        FAILURES.append(name)
        if detail:
            print("     " + str(detail).replace("\n", "\n     "))


def scrape(address):
    with urllib.request.urlopen("http://%s/metrics" % address, timeout=5) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def parse(text):
    """{(sample name, sorted labels): value}, {family name: type}."""
    samples, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, types


def wait_for(address, predicate, what):
    deadline = time.time() + TIMEOUT
    samples = {}
    while time.time() < deadline:
        samples, _ = parse(scrape(address)[1])
        if predicate(samples):
            return samples
        time.sleep(0.05)
    check("reached: " + what, False, samples)
    return samples


def start_run(flowc, cwd, *args, program=None):
    err = open(os.path.join(cwd, "stderr"), "w+")
    command = [program] if program else [flowc, "run", "metered.flow"]
    proc = subprocess.Popen(command + ["--metrics", "127.0.0.1:0", *args],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        err.seek(0)
        m = re.search(r"metrics on http://([0-9.]+:[0-9]+)/metrics", err.read())
        if m:
            return proc, err, m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    err.seek(0)
    raise RuntimeError("the run did not start serving metrics: " + err.read())


def append(path, records):
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.write(fd, text.encode())  # one write: the run reads it in one batch
    os.close(fd)


def expect_samples(samples, expected, label):
    wrong = {k: (v, samples.get(k)) for k, v in expected.items() if samples.get(k) != v}
    check(label, not wrong, "\n".join("%s%s: expected %s, got %s" % (k[0], dict(k[1]), v, got)
                                       for k, (v, got) in wrong.items()))


def test_counts_after_known_input(flowc, tmp):
    work = os.path.join(tmp, "run")
    os.makedirs(os.path.join(work, "in"))
    with open(os.path.join(work, "metered.flow"), "w") as f:
        f.write(PIPELINE)
    with open(os.path.join(work, "in", "pages.csv"), "w") as f:
        f.write("page,category\n/a,A\n/b,B\n/c,C\n")
    clicks = os.path.join(work, "in", "clicks.jsonl")
    open(clicks, "w").close()
    proc, err, address = start_run(flowc, work, "--checkpoint", "ck")
    try:
        content_type, text = scrape(address)
        check("content type is the 0.0.4 text format",
              content_type == "text/plain; version=0.0.4; charset=utf-8", content_type)
        samples, types = parse(text)
        check("every family, with its type", all(types.get(n) == t for n, t in FAMILIES.items()),
              types)
        check("no kafka family without kafka", "flowc_kafka_lag" not in types, types)

        append(clicks, PART_A)
        s = wait_for(address, lambda s: s.get(("flowc_records_in_total", (("source", "clicks"),))) == 6,
                     "part A read")
        expect_samples(s, AFTER_A, "after part A: exact counts")
        append(clicks, PART_B)
        s = wait_for(address, lambda s: s.get(("flowc_records_in_total", (("source", "clicks"),))) == 10,
                     "part B read")
        expect_samples(s, AFTER_B, "after part B: exact counts")

        batches = s[("flowc_batches_total", ())]
        check("batches: at least one per part", batches >= 2, batches)
        check("batch histogram: one observation per batch",
              s[("flowc_batch_duration_seconds_count", ())] == batches and
              s[("flowc_batch_duration_seconds_bucket", (("le", "+Inf"),))] == batches and
              s[("flowc_batch_duration_seconds_sum", ())] > 0, s)
        check("checkpoint histogram: one checkpoint per batch",
              s[("flowc_checkpoint_duration_seconds_count", ())] == batches, s)
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in s.items()
                         if k[0] == "flowc_batch_duration_seconds_bucket")
        check("buckets are cumulative", all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])),
              buckets)

        http_behaviour(address)

        last = parse(scrape(address)[1])[0]
    except OSError:
        # The run is gone (the scrape was refused): say why it ended.
        err.seek(0)
        print("the run's stderr:\n" + err.read(), file=sys.stderr)
        raise
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TIMEOUT)
    err.seek(0)
    stderr = err.read()
    m = re.search(r"flowc: (\d+) records in, (?:(\d+) table rows, )?(\d+) rows out, (\d+) batches, "
                  r"(\d+) bad, (\d+) late",
                  stderr)
    check("the run ends cleanly after SIGTERM", proc.returncode == 0 and m is not None, stderr)
    if m:
        # The summary counts a table's rows apart; the metric labels them
        # by the table's name.
        records, table_rows, rows, batches, bad, late = (int(g or 0) for g in m.groups())
        records += table_rows
        total = lambda name: sum(v for k, v in last.items() if k[0] == name)  # noqa: E731
        check("the summary (--progress's counters) agrees with the metrics",
              (records, rows, bad, late) == (total("flowc_records_in_total"),
                                             total("flowc_rows_out_total"),
                                             total("flowc_bad_records_total"),
                                             total("flowc_late_records_total"))
              and batches >= last[("flowc_batches_total", ())],
              (m.groups(), last))


def raw_request(address, data, read=True):
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)


def http_behaviour(address):
    status = lambda r: r.split(b"\r\n", 1)[0]  # noqa: E731
    check("404 for another path",
          status(raw_request(address, b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n")) ==
          b"HTTP/1.1 404 Not Found")
    check("405 for POST",
          status(raw_request(address, b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) ==
          b"HTTP/1.1 405 Method Not Allowed")
    head = raw_request(address, b"HEAD /metrics HTTP/1.1\r\n\r\n")
    check("HEAD: headers only", head.startswith(b"HTTP/1.1 200 OK") and head.endswith(b"\r\n\r\n"),
          head[-200:])
    check("a query string is fine",
          status(raw_request(address, b"GET /metrics?x=1 HTTP/1.0\r\n\r\n")) == b"HTTP/1.1 200 OK")
    big = raw_request(address, b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
    check("431 for an oversized request", status(big) == b"HTTP/1.1 431 Request Header Fields Too Large",
          big[:100])
    check("400 for garbage", status(raw_request(address, b"hello\r\n\r\n")) == b"HTTP/1.1 400 Bad Request")

    # Slow clients (connected, silent) do not hold up a scrape, and are cut
    # off after the deadline.
    host, port = address.split(":")
    silent = [socket.create_connection((host, int(port)), timeout=10) for _ in range(5)]
    t0 = time.time()
    scrape(address)
    check("a scrape is not held up by silent clients", time.time() - t0 < 1.0, time.time() - t0)
    silent[0].settimeout(10)
    t0 = time.time()
    closed = silent[0].recv(10) == b""
    check("a silent client is disconnected after about 2 s", closed and time.time() - t0 < 5,
          time.time() - t0)
    for s in silent:
        s.close()

    # Many concurrent scrapes all succeed.
    results = []

    def hammer():
        for _ in range(10):
            try:
                results.append(scrape(address)[1].startswith("# HELP"))
            except (OSError, urllib.error.URLError):
                results.append(False)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("80 concurrent scrapes all answered", len(results) == 80 and all(results),
          results.count(False))


def test_bad_addresses(flowc, tmp):
    work = os.path.join(tmp, "bad")
    os.makedirs(os.path.join(work, "in"))
    with open(os.path.join(work, "metered.flow"), "w") as f:
        f.write(PIPELINE)
    for address in ["9100", "localhost:http", "127.0.0.1:70000", "::1:9100"]:
        p = subprocess.run([flowc, "run", "metered.flow", "--metrics", address], cwd=work,
                           capture_output=True, text=True, timeout=TIMEOUT)
        check("usage error (exit 2) for --metrics %s" % address,
              p.returncode == 2 and "--metrics expects HOST:PORT" in p.stderr, p.stderr)
    # A port that is taken: a runtime failure (exit 3) before any input is read.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    p = subprocess.run([flowc, "run", "metered.flow", "--metrics", "127.0.0.1:%d" % port],
                       cwd=work, capture_output=True, text=True, timeout=TIMEOUT)
    taken.close()
    check("exit 3 when the port is taken",
          p.returncode == 3 and "cannot serve metrics on 127.0.0.1:%d" % port in p.stderr, p.stderr)


def test_built_program(flowc, tmp):
    work = os.path.join(tmp, "built")
    os.makedirs(os.path.join(work, "in"))
    with open(os.path.join(work, "metered.flow"), "w") as f:
        f.write(PIPELINE)
    with open(os.path.join(work, "in", "pages.csv"), "w") as f:
        f.write("page,category\n/a,A\n/b,B\n/c,C\n")
    clicks = os.path.join(work, "in", "clicks.jsonl")
    open(clicks, "w").close()
    program = os.path.join(work, "metered")
    subprocess.run([flowc, "build", "metered.flow", "-o", program], cwd=work, check=True,
                   timeout=TIMEOUT)
    proc, err, address = start_run(flowc, work, program=program)
    try:
        append(clicks, PART_A)
        s = wait_for(address, lambda s: s.get(("flowc_records_in_total", (("source", "clicks"),))) == 6,
                     "built program: part A read")
        expect_samples(s, AFTER_A, "built program: the same counts after part A")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TIMEOUT)


KAFKA_PIPELINE = """\
source orders = kafka(brokers: "%s", topic: "orders", group: "metrics-test", start: "earliest")
  format lines
stream n = orders | select line
sink n to file("out/orders.txt")
"""


def test_kafka_lag(flowc, tmp):
    if shutil.which("kcat") is None:
        print("skip kafka lag: no kcat")
        return
    mock = subprocess.Popen([flowc, "kafka-mock", "--topic", "orders:2"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        bootstrap = mock.stdout.readline().strip()
        for partition, n in ((0, 5), (1, 3)):
            subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "orders", "-p", str(partition)],
                           input="".join("p%d-%d\n" % (partition, i) for i in range(n)), text=True,
                           check=True, timeout=60)
        work = os.path.join(tmp, "kafka")
        os.makedirs(work)
        with open(os.path.join(work, "metered.flow"), "w") as f:
            f.write(KAFKA_PIPELINE % bootstrap)
        proc, err, address = start_run(flowc, work, "--batch", "100ms")
        try:
            key = ("flowc_records_in_total", (("source", "orders"),))
            s = wait_for(address, lambda s: s.get(key) == 8 and
                         len([k for k in s if k[0] == "flowc_kafka_lag"]) == 2, "8 messages read")
            lags = {dict(k[1])["partition"]: v for k, v in s.items() if k[0] == "flowc_kafka_lag"}
            topics = {dict(k[1])["topic"] for k in s if k[0] == "flowc_kafka_lag"}
            check("kafka lag: both partitions caught up", lags == {"0": 0, "1": 0} and
                  topics == {"orders"}, s)
            _, types = parse(scrape(address)[1])
            check("kafka lag is a gauge", types.get("flowc_kafka_lag") == "gauge", types)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=TIMEOUT)
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=TIMEOUT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    # make test-tsan: librdkafka's threads are not instrumented.
    ap.add_argument("--no-kafka", action="store_true", help="leave out the Kafka lag test")
    args = ap.parse_args()
    flowc = os.path.abspath(args.flowc)
    with tempfile.TemporaryDirectory() as tmp:
        test_counts_after_known_input(flowc, tmp)
        test_bad_addresses(flowc, tmp)
        test_built_program(flowc, tmp)
        if not args.no_kafka:
            test_kafka_lag(flowc, tmp)
    print("%d failed" % len(FAILURES) if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
