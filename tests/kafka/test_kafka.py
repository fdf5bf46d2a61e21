#!/usr/bin/env python3
"""Kafka source and sink tests against librdkafka's mock cluster.

Every test starts its own cluster with `flowc kafka-mock` (loopback only) and
stops it. Messages are produced and read back with kcat, an independent
client; the expected outputs are computed here from the messages produced,
never from flowc's output.

What the mock cluster cannot test (said plainly, also in README.md "Kafka"):
  * Transactions. The mock accepts InitProducerId, AddPartitionsToTxn,
    AddOffsetsToTxn, TxnOffsetCommit and EndTxn, but keeps no transaction
    state: offsets sent in a transaction (TxnOffsetCommit) are discarded,
    EndTxn writes no commit/abort markers, so read_committed readers see
    aborted messages, and zombie fencing is not enforced. test_exactly_once
    therefore only checks that the transactional path runs and delivers
    every row; exactly-once across a crash is NOT tested here.
  * Real group-coordinator timing: the mock waits session.timeout.ms - 1 s
    on every rebalance after the first, so the tests use a short
    session.timeout.ms.
  * Replication and leader failover: a topic's partitions live on one
    broker each (replication factor 1); "broker down" makes its partitions
    unavailable until the broker is back.

Run: python3 tests/kafka/test_kafka.py --flowc build/compiler/flowc
Ends with a line `N passed, N failed`.
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

FLOWC = None
TIMEOUT = 120  # seconds for any one flowc run
# The mock's coordinator waits session.timeout.ms - 1 s for members on
# every rebalance after the first one: keep it short in tests.
SESSION = '"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"'


class MockCluster:
    """`flowc kafka-mock` in the background; control commands on its stdin."""

    def __init__(self, brokers=1, topics=()):
        args = [FLOWC, "kafka-mock", "--brokers", str(brokers)]
        for name, parts in topics:
            args += ["--topic", f"{name}:{parts}"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.bootstrap = self.proc.stdout.readline().strip()
        if not self.bootstrap.startswith("127.0.0.1:"):
            raise RuntimeError("kafka-mock did not start: " + self.proc.stderr.read())
        self.lock = threading.Lock()

    def control(self, command):
        with self.lock:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise RuntimeError(f"kafka-mock: {command}: {answer}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


def kcat_produce(bootstrap, topic, values, keys=None, partition=None):
    """Produces one message per value (values must not contain newlines)."""
    args = ["kcat", "-P", "-b", bootstrap, "-t", topic, "-X", "linger.ms=5"]
    if partition is not None:
        args += ["-p", str(partition)]
    if keys is not None:
        args += ["-K", "\t"]
        data = "".join(f"{k}\t{v}\n" for k, v in zip(keys, values))
    else:
        data = "".join(v + "\n" for v in values)
    subprocess.run(args, input=data, text=True, check=True, timeout=60)


def kcat_consume(bootstrap, topic):
    """Every message of the topic as (key, value) pairs (key None if null)."""
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning",
                          "-e", "-q", "-J"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return [(m["key"], m["payload"]) for m in map(json.loads, out.splitlines())]


def kcat_keys(bootstrap, topic):
    """The keys of every message of the topic (values may be binary)."""
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning",
                          "-e", "-q", "-f", "%k\\n"], capture_output=True, check=True,
                         timeout=60).stdout
    return out.decode().splitlines()


def committed_offsets(bootstrap, group, topic, partitions):
    """The group's committed offsets per partition, read with kafka-python
    (an independent client); None where none."""
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                      api_version=(2, 5, 0))
    try:
        return [c.committed(TopicPartition(topic, p)) for p in range(partitions)]
    finally:
        c.close()


def lines_of(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def json_row(**fields):
    """flowc's JSON output form: schema order, no spaces, floats in the
    shortest form that reads back (10.0 is written 10)."""
    fields = {k: int(v) if isinstance(v, float) and v == int(v) else v for k, v in fields.items()}
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


class KafkaTest(unittest.TestCase):
    brokers = 1
    topics = ()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="flowc-kafka-")
        self.mock = MockCluster(self.brokers, self.topics)
        self.b = self.mock.bootstrap

    def tearDown(self):
        self.mock.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write_flow(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def run_flowc(self, args, expect=0):
        r = subprocess.run(args, cwd=self.dir, capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, expect, f"{args}: exit {r.returncode}\n{r.stderr}")
        return r

    def run_flow(self, flow, *extra, expect=0):
        return self.run_flowc([FLOWC, "run", flow, "--quiet", *extra], expect)

    def build(self, flow, program):
        self.run_flowc([FLOWC, "build", flow, "-o", self.path(program)])
        return self.path(program)


class SourceTests(KafkaTest):
    topics = (("events", 3), ("csvin", 2), ("linesin", 1), ("logsin", 1))

    def events(self, n, start=0):
        return [json_row(id=i, user=f"u{i % 7}", ms=float(i) / 4) for i in range(start, start + n)]

    def source_flow(self, name, group, sink, extra=""):
        return self.write_flow(name, f"""
source ev = kafka(brokers: "{self.b}", topic: "events", group: "{group}",
                  start: "earliest", stop_at_end: true, {SESSION}{extra})
  format json
  schema {{ id: int, user: string, ms: float }}
stream slow = ev | where ms >= 10 | select id, user, ms
sink slow to file("{sink}")
""")

    def expected_slow(self, ids):
        return collections.Counter(json_row(id=i, user=f"u{i % 7}", ms=float(i) / 4)
                                   for i in ids if i / 4 >= 10)

    def test_json_run_and_built_program_exact_multiset(self):
        # A bad record first, on a known partition: its position is exact.
        kcat_produce(self.b, "events", ['{"id": "x"}'], partition=1)
        kcat_produce(self.b, "events", self.events(500), keys=[str(i) for i in range(500)])
        flow = self.source_flow("run.flow", "g-run", "run.jsonl")
        r = self.run_flow(flow)
        self.assertEqual(collections.Counter(lines_of(self.path("run.jsonl"))),
                         self.expected_slow(range(500)))
        self.assertIn('events/1@0: bad record: ', r.stderr)

        flow = self.source_flow("built.flow", "g-built", "built.jsonl")
        program = self.build(flow, "built")
        self.run_flowc([program, "--quiet"])
        self.assertEqual(collections.Counter(lines_of(self.path("built.jsonl"))),
                         self.expected_slow(range(500)))

    def test_csv_lines_regex_values(self):
        rows = [(i, f"name {i}", i * 3) for i in range(60)]
        kcat_produce(self.b, "csvin", [f'{i},"{n}",{v}' for i, n, v in rows])
        kcat_produce(self.b, "linesin", [f"line {i}" for i in range(40)])
        # kcat skips empty lines; an empty value is produced as a keyed message.
        kcat_produce(self.b, "linesin", ["", "tail"], keys=["k", "k"])
        kcat_produce(self.b, "logsin", [f"GET /p{i} {200 + i % 3}" for i in range(30)] + ["junk"])
        flow = self.write_flow("formats.flow", f"""
source c = kafka(brokers: "{self.b}", topic: "csvin", group: "gf-c", start: "earliest", stop_at_end: true)
  format csv(header: false)
  schema {{ id: int, name: string, v: int }}
source l = kafka(brokers: "{self.b}", topic: "linesin", group: "gf-l", start: "earliest", stop_at_end: true)
  format lines
  schema {{ line: string }}
source g = kafka(brokers: "{self.b}", topic: "logsin", group: "gf-g", start: "earliest", stop_at_end: true)
  format regex("(?P<verb>[A-Z]+) (?P<path>\\\\S+) (?P<status>\\\\d+)")
  schema {{ verb: string, path: string, status: int }}
sink c to file("c.csv")
sink l to file("l.jsonl")
sink g to file("g.jsonl")
""")
        r = self.run_flow(flow)
        self.assertEqual(collections.Counter(lines_of(self.path("c.csv"))[1:]),
                         collections.Counter(f'{i},{n},{v}' for i, n, v in rows))
        self.assertEqual(collections.Counter(lines_of(self.path("l.jsonl"))),
                         collections.Counter([json_row(line=f"line {i}") for i in range(40)] +
                                             [json_row(line=""), json_row(line="tail")]))
        self.assertEqual(collections.Counter(lines_of(self.path("g.jsonl"))),
                         collections.Counter(json_row(verb="GET", path=f"/p{i}", status=200 + i % 3)
                                             for i in range(30)))
        self.assertIn("logsin/0@30: bad record", r.stderr)

    def test_second_run_in_group_reads_only_new_messages(self):
        kcat_produce(self.b, "events", self.events(200))
        flow = self.source_flow("first.flow", "g-commit", "first.jsonl")
        self.run_flow(flow)
        self.assertEqual(collections.Counter(lines_of(self.path("first.jsonl"))),
                         self.expected_slow(range(200)))
        kcat_produce(self.b, "events", self.events(150, start=200))
        flow = self.source_flow("second.flow", "g-commit", "second.jsonl")
        self.run_flow(flow)
        self.assertEqual(collections.Counter(lines_of(self.path("second.jsonl"))),
                         self.expected_slow(range(200, 350)))
        # And a third run finds nothing new.
        flow = self.source_flow("third.flow", "g-commit", "third.jsonl")
        self.run_flow(flow)
        self.assertEqual(lines_of(self.path("third.jsonl")), [])


class ScaleOutTests(KafkaTest):
    topics = (("wide", 12),)
    N = 6000

    def flow(self, stop_at_end, checkpoint=""):
        return self.write_flow("scale.flow", f"""
param out: string = "part.jsonl"
source ev = kafka(brokers: "{self.b}", topic: "wide", group: "g-scale", start: "earliest",
                  stop_at_end: {"true" if stop_at_end else "false"}, {SESSION})
  format json
  schema {{ id: int, k: string }}
sink ev to file(out)
{checkpoint}
""")

    def values(self, start, n):
        return [json_row(id=i, k=f"k{i % 97}") for i in range(start, start + n)]

    def test_two_processes_read_every_message_once(self):
        vals = self.values(0, self.N)
        kcat_produce(self.b, "wide", vals, keys=[f"k{i % 97}" for i in range(self.N)])
        program = self.build(self.flow(True), "scale")
        procs = [subprocess.Popen([program, "--quiet", "--param", f"out=p{j}.jsonl"], cwd=self.dir,
                                  stderr=subprocess.PIPE, text=True) for j in range(2)]
        errs = []
        for p in procs:
            _, err = p.communicate(timeout=TIMEOUT)
            errs.append(err)
            self.assertEqual(p.returncode, 0, err)
        if os.environ.get("KAFKA_TEST_LOG"):
            for j, err in enumerate(errs):
                with open(f"{os.environ['KAFKA_TEST_LOG']}.{j}", "w") as f:
                    f.write(err)
        a, b = lines_of(self.path("p0.jsonl")), lines_of(self.path("p1.jsonl"))
        self.assertEqual(collections.Counter(a + b), collections.Counter(vals))
        self.assertTrue(a and b, f"one process read nothing: {len(a)} + {len(b)}")

    def test_rebalance_mid_stream_loses_and_repeats_nothing(self):
        self.rebalance_mid_stream(self.flow(False), [[], []])

    def test_rebalance_forces_a_checkpoint(self):
        # With checkpoints an hour apart, the revocation must force one (the
        # batch's offsets are committed only with a checkpoint), so the first
        # copy writes a checkpoint between its first and its last. Nothing
        # may be lost. Exactly once is not asserted here: the mock refuses
        # commits while members rejoin an eager rebalance (real brokers
        # accept them), also the carried commit at the next assignment, so
        # the moved partitions' new owner may read them again from the last
        # commit. The cooperative assignor avoids the refusal, but Debian
        # 12's librdkafka 2.0.2 can abort in it at shutdown (#4312).
        flow = self.flow(False, checkpoint='checkpoint "ck" every 1h')
        got, errs = self.rebalance_mid_stream(
            flow, [["--checkpoint", "ck0"], ["--checkpoint", "ck1"]], exact=False,
            env=dict(os.environ, FLOWC_CHECKPOINT_TRACE="1"))
        self.assertEqual(set(got), set(self.values(0, 3000)), "records lost")
        checkpoints = [l for l in errs[0].splitlines() if l.startswith("flowc: checkpoint: ")]
        self.assertGreaterEqual(len(checkpoints), 3, "no checkpoint at the revocation:\n" + errs[0])

    def rebalance_mid_stream(self, flow, extra, exact=True, env=None):
        # The second copy joins while the first is reading: the first is
        # revoked mid-batch, finishes and commits it, then both share.
        program = self.build(flow, "stream")
        total = 3000
        first = subprocess.Popen([program, "--quiet", "--batch", "200ms", "--param", "out=q0.jsonl",
                                  *extra[0]],
                                 cwd=self.dir, stderr=subprocess.PIPE, text=True, env=env)
        second = None
        try:
            for chunk in range(10):
                kcat_produce(self.b, "wide", self.values(chunk * 300, 300),
                             keys=[f"k{i}" for i in range(chunk * 300, chunk * 300 + 300)])
                if chunk == 3:
                    # Only once the first has read and written rows: its
                    # partitions are then revoked in the middle of the stream.
                    joined = time.time() + 60
                    while not lines_of(self.path("q0.jsonl")) and time.time() < joined:
                        time.sleep(0.1)
                    self.assertTrue(lines_of(self.path("q0.jsonl")), "the first copy read nothing")
                    second = subprocess.Popen(
                        [program, "--quiet", "--batch", "200ms", "--param", "out=q1.jsonl",
                         *extra[1]],
                        cwd=self.dir, stderr=subprocess.PIPE, text=True)
                time.sleep(0.5)
            deadline = time.time() + 90
            while time.time() < deadline:
                n = len(lines_of(self.path("q0.jsonl"))) + len(lines_of(self.path("q1.jsonl")))
                if n >= total:
                    break
                time.sleep(0.5)
            time.sleep(1.5)  # would a duplicate still arrive?
        finally:
            for p in (first, second):
                if p is not None:
                    p.send_signal(signal.SIGTERM)
            errs = [p.communicate(timeout=60)[1] for p in (first, second) if p is not None]
        self.assertEqual(first.returncode, 0, errs[0])
        self.assertEqual(second.returncode, 0, errs[1])
        got = lines_of(self.path("q0.jsonl")) + lines_of(self.path("q1.jsonl"))
        if exact:
            twice = sorted(v for v, n in collections.Counter(got).items() if n > 1)
            self.assertEqual(collections.Counter(got), collections.Counter(self.values(0, total)),
                             f"{len(twice)} read twice, e.g. {twice[:3]}\nfirst:\n{errs[0]}\n"
                             f"second:\n{errs[1]}")
        return got, errs


class SinkTests(KafkaTest):
    topics = (("keyed", 4), ("csvout", 1), ("txout", 2), ("events", 2))

    def input_file(self, n):
        p = self.path("in.csv")
        with open(p, "w", encoding="utf-8") as f:
            f.write("id,name\n")
            for i in range(n):
                f.write(f'{i},"n{i % 13}, ok"\n')
        return p

    def test_keys_and_values_exact(self):
        self.input_file(400)
        flow = self.write_flow("sink.flow", f"""
source r = file("in.csv") format csv schema {{ id: int, name: string }}
stream s = r | where id % 2 == 0 | select id, name, twice = id * 2
sink s to kafka(brokers: "{self.b}", topic: "keyed") key name
sink s to kafka(brokers: "{self.b}", topic: "csvout") format csv key id
""")
        self.run_flow(flow)
        ids = [i for i in range(400) if i % 2 == 0]
        self.assertEqual(collections.Counter(kcat_consume(self.b, "keyed")),
                         collections.Counter((f"n{i % 13}, ok", json_row(id=i, name=f"n{i % 13}, ok",
                                                                         twice=i * 2)) for i in ids))
        self.assertEqual(collections.Counter(kcat_consume(self.b, "csvout")),
                         collections.Counter((str(i), f'{i},"n{i % 13}, ok",{i * 2}') for i in ids))

    def test_built_program_kafka_to_kafka(self):
        vals = [json_row(id=i, user=f"u{i % 5}") for i in range(300)]
        kcat_produce(self.b, "events", vals)
        flow = self.write_flow("k2k.flow", f"""
source ev = kafka(brokers: "{self.b}", topic: "events", group: "g-k2k", start: "earliest", stop_at_end: true)
  format json schema {{ id: int, user: string }}
stream up = ev | select id, user = upper(user)
sink up to kafka(brokers: "{self.b}", topic: "keyed") key user
""")
        self.run_flowc([self.build(flow, "k2k"), "--quiet"])
        self.assertEqual(collections.Counter(kcat_consume(self.b, "keyed")),
                         collections.Counter((f"U{i % 5}", json_row(id=i, user=f"U{i % 5}"))
                                             for i in range(300)))

    def test_built_program_takes_every_kafka_argument_from_param(self):
        # LANGUAGE.md 13, issue 13 item 4: a built program's kafka arguments
        # follow --param — brokers, topics, a computed group, a bool option
        # (stop_at_end: without it the run would not end) and a dotted
        # librdkafka property. The declared values point nowhere.
        vals = [json_row(id=i, user=f"u{i % 5}") for i in range(200)]
        kcat_produce(self.b, "events", vals)
        flow = self.write_flow("kparam.flow", f"""
param brokers: string = "127.0.0.1:1"
param topic_in: string = "nowhere"
param topic_out: string = "nowhere-out"
param app: string = "x"
param stop: bool = false
source ev = kafka(brokers: brokers, topic: topic_in, group: app + "-in", start: "earliest",
                  stop_at_end: stop, "client.id": app + "-client", {SESSION})
  format json schema {{ id: int, user: string }}
sink ev to kafka(brokers: brokers, topic: topic_out) key user
""")
        program = self.build(flow, "kparam")
        self.run_flowc([program, "--quiet", "--param", f"brokers={self.b}", "--param", "topic_in=events",
                        "--param", "topic_out=keyed", "--param", "app=kp", "--param", "stop=true"])
        self.assertEqual(collections.Counter(kcat_consume(self.b, "keyed")),
                         collections.Counter((f"u{i % 5}", json_row(id=i, user=f"u{i % 5}"))
                                             for i in range(200)))
        # The group is the computed one: the offsets were committed there.
        self.assertEqual(sum(o or 0 for o in committed_offsets(self.b, "kp-in", "events", 2)), 200)

    def test_exactly_once_runs_and_delivers(self):
        # The mock keeps no transaction state (see the top of this file):
        # this checks that the transactional path runs and delivers every
        # row, not that aborted rows are invisible or offsets are atomic.
        vals = [json_row(id=i, user="x") for i in range(100)]
        kcat_produce(self.b, "events", vals)
        flow = self.write_flow("eos.flow", f"""
source ev = kafka(brokers: "{self.b}", topic: "events", group: "g-eos", start: "earliest", stop_at_end: true)
  format json schema {{ id: int, user: string }}
sink ev to kafka(brokers: "{self.b}", topic: "txout", exactly_once: true) key id
""")
        self.run_flow(flow)
        self.assertEqual(collections.Counter(kcat_consume(self.b, "txout")),
                         collections.Counter((str(i), json_row(id=i, user="x")) for i in range(100)))

    def test_failed_delivery_is_exit_3(self):
        self.input_file(10)
        flow = self.write_flow("fail.flow", f"""
source r = file("in.csv") format csv schema {{ id: int, name: string }}
sink r to kafka(brokers: "{self.b}", topic: "keyed", "message.timeout.ms": "1500")
""")
        self.mock.control("broker-down 1")
        r = self.run_flow(flow, expect=3)
        self.assertIn("could not be delivered", r.stderr)


class ExampleTests(KafkaTest):
    topics = (("orders", 2), ("large-orders", 1))

    def test_built_bundled_example_takes_brokers_from_param(self):
        # Issue 13 item 4, as reported: `flowc build examples/kafka_in_out.flow
        # -o kio && ./kio --param brokers=...` exited 2 ("fixed when this
        # program was built"). Built, it must read the mock cluster named by
        # --param and write the large EUR/USD orders, keyed by customer.
        orders = [dict(order_id=f"o{i}", customer=f"c{i % 4}", total=float(40 * (i % 6)),
                       currency=("EUR", "USD", "GBP")[i % 3], at=f"2026-01-01T00:00:{i:02d}.000Z")
                  for i in range(30)]
        kcat_produce(self.b, "orders", [json.dumps(o) for o in orders])
        want = collections.Counter(
            (o["customer"], json_row(order_id=o["order_id"], customer=o["customer"], total=o["total"],
                                     currency=o["currency"], placed=o["at"]))
            for o in orders if o["total"] >= 100 and o["currency"] in ("EUR", "USD"))
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                               "kafka_in_out.flow")
        program = self.build(example, "kio")
        proc = subprocess.Popen([program, "--quiet", "--param", f"brokers={self.b}"], cwd=self.dir,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + TIMEOUT
            got = collections.Counter()
            while got != want and time.time() < deadline and proc.poll() is None:
                time.sleep(0.5)
                got = collections.Counter(kcat_consume(self.b, "large-orders"))
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertEqual(got, want)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)


class FaultTests(KafkaTest):
    brokers = 3
    topics = (("faulty", 6), ("faultout", 6))

    def values(self, start, n):
        return [json_row(id=i, v=f"v{i}") for i in range(start, start + n)]

    def source_flow(self, name, group, out):
        return self.write_flow(name, f"""
source ev = kafka(brokers: "{self.b}", topic: "faulty", group: "{group}", start: "earliest",
                  stop_at_end: true, {SESSION})
  format json schema {{ id: int, v: string }}
sink ev to file("{out}")
""")

    def test_source_survives_a_broker_down(self):
        vals = self.values(0, 3000)
        kcat_produce(self.b, "faulty", vals, keys=[str(i) for i in range(3000)])
        flow = self.source_flow("down.flow", "g-down", "down.jsonl")
        proc = subprocess.Popen([FLOWC, "run", flow, "--quiet", "--batch", "100ms",
                                 "--max-batch-records", "100"],
                                cwd=self.dir, stderr=subprocess.PIPE, text=True)
        time.sleep(0.3)
        self.mock.control("broker-down 2")
        time.sleep(3)
        self.mock.control("broker-up 2")
        _, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(collections.Counter(lines_of(self.path("down.jsonl"))),
                         collections.Counter(vals))

    def test_request_errors_are_retried(self):
        vals = self.values(0, 2000)
        kcat_produce(self.b, "faulty", vals, keys=[str(i) for i in range(2000)])
        self.mock.control("request-errors Fetch NOT_LEADER_FOR_PARTITION 4")
        self.mock.control("request-errors OffsetCommit COORDINATOR_LOAD_IN_PROGRESS 3")
        self.mock.control("request-errors Produce NOT_LEADER_FOR_PARTITION 3")
        self.mock.control("request-errors ListOffsets NOT_LEADER_FOR_PARTITION 2")
        flow = self.write_flow("errs.flow", f"""
source ev = kafka(brokers: "{self.b}", topic: "faulty", group: "g-errs", start: "earliest",
                  stop_at_end: true, {SESSION})
  format json schema {{ id: int, v: string }}
sink ev to file("errs.jsonl")
sink ev to kafka(brokers: "{self.b}", topic: "faultout") key id
""")
        self.run_flow(flow, "--max-batch-records", "300")
        self.assertEqual(collections.Counter(lines_of(self.path("errs.jsonl"))),
                         collections.Counter(vals))
        self.assertEqual(collections.Counter(kcat_consume(self.b, "faultout")),
                         collections.Counter((str(i), v) for i, v in enumerate(vals)))
        # The offsets were committed despite the errors: nothing is left.
        flow = self.source_flow("again.flow", "g-errs", "again.jsonl")
        self.run_flow(flow)
        self.assertEqual(lines_of(self.path("again.jsonl")), [])

    def test_sink_survives_a_broker_down(self):
        p = self.path("in.jsonl")
        vals = self.values(0, 5000)
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(vals) + "\n")
        flow = self.write_flow("sinkdown.flow", f"""
source r = file("in.jsonl") format json schema {{ id: int, v: string }}
sink r to kafka(brokers: "{self.b}", topic: "faultout") key id
""")
        self.mock.control("broker-down 3")
        proc = subprocess.Popen([FLOWC, "run", flow, "--quiet"], cwd=self.dir,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        self.mock.control("broker-up 3")
        _, err = proc.communicate(timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(collections.Counter(kcat_consume(self.b, "faultout")),
                         collections.Counter((str(i), v) for i, v in enumerate(vals)))


class KeyedStateTests(KafkaTest):
    """Keyed state moves with its partitions (docs/scale-out.md): two copies
    of a built program in one group count messages per user with `update
    ... emit each` and a running aggregate; partitions move from the first to
    the second when it joins and when the first stops, and their state goes
    with them through the changelog topic. The expected count of every
    message is computed here from the messages produced: the n-th message
    of a user (in its partition's order) has count n."""
    topics = (("clicks", 6), ("mixed", 2))
    USERS = 23
    CHUNK = 480

    def flow(self):
        return self.write_flow("counts.flow", f"""
param out: string = "a.jsonl"
param totals: string = "a-totals.jsonl"
source clicks = kafka(brokers: "{self.b}", topic: "clicks", group: "g-counts", start: "earliest",
                      {SESSION})
  format json schema {{ id: int, user: string }}
stream counts = clicks
  | group by user
  | update n: int = 0 {{ n += 1 }} emit each
stream per_user = clicks | group by user | aggregate n = count()
sink counts to file(out)
sink per_user to file(totals)
""")

    def user(self, i):
        return f"u{(i * 7) % self.USERS}"

    def produce(self, start, n):
        kcat_produce(self.b, "clicks", [json_row(id=i, user=self.user(i)) for i in range(start, start + n)],
                     keys=[self.user(i) for i in range(start, start + n)])

    def expected(self, total):
        seen, rows = collections.Counter(), {}
        for i in range(total):
            seen[self.user(i)] += 1
            rows[i] = json_row(id=i, user=self.user(i), n=seen[self.user(i)])
        return rows

    def ids(self):
        return {json.loads(l)["id"] for f in ("a.jsonl", "b.jsonl") for l in lines_of(self.path(f))}

    def wait_ids(self, total, procs, what):
        deadline = time.time() + 90
        while not set(range(total)) <= self.ids():
            for p in procs:
                if p.poll() is not None:
                    self.fail(f"a copy stopped (exit {p.returncode}) while waiting for {what}:\n"
                              + p.stderr.read())
            self.assertLess(time.time(), deadline, f"{what}: {total - len(self.ids())} messages never read")
            time.sleep(0.2)

    def start(self, program, out):
        totals = out.replace(".jsonl", "-totals.jsonl")
        # Two threads: the state per partition stays on the thread that reads
        # Kafka (docs/threads.md), whatever --threads says.
        return subprocess.Popen([program, "--batch", "200ms", "--threads", "2", "--param", f"out={out}",
                                 "--param", f"totals={totals}"], cwd=self.dir,
                                stderr=subprocess.PIPE, text=True)

    def scenario(self, stop_first):
        program = self.build(self.flow(), "counts")
        self.produce(0, self.CHUNK)
        a = self.start(program, "a.jsonl")
        b = None
        try:
            self.wait_ids(self.CHUNK, [a], "the first copy alone")
            b = self.start(program, "b.jsonl")
            # The second copy joins mid-stream: messages keep coming while the
            # group rebalances (the mock holds it for session.timeout.ms - 1 s).
            for k in range(12):
                self.produce(self.CHUNK + k * self.CHUNK // 12, self.CHUNK // 12)
                time.sleep(0.6)
            self.wait_ids(2 * self.CHUNK, [a, b], "both copies")
            self.assertTrue(lines_of(self.path("b.jsonl")), "the second copy never read a partition")
            stop_first(a)
            err_a = a.communicate(timeout=60)[1]
            for k in range(4):
                self.produce(2 * self.CHUNK + k * self.CHUNK // 4, self.CHUNK // 4)
                time.sleep(0.5)
            self.wait_ids(3 * self.CHUNK, [b], "the second copy alone")
            time.sleep(1)  # would a row still come?
        finally:
            for p in (a, b):
                if p is not None and p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            err_b = b.communicate(timeout=60)[1] if b is not None else ""
        self.assertEqual(b.returncode, 0, err_b)
        return err_a, err_b

    def rows(self, name):
        per_user = collections.defaultdict(list)
        rows = lines_of(self.path(name))
        for line in rows:
            row = json.loads(line)
            per_user[row["user"]].append(row["n"])
        return rows, per_user

    def check_rows(self, total, exact, logs):
        want = self.expected(total)
        a, a_users = self.rows("a.jsonl")
        b, b_users = self.rows("b.jsonl")
        # Every row is the right count of its message: no state restarted.
        wrong = [r for r in a + b if r not in want.values()]
        self.assertEqual(wrong[:5], [], f"counts that restarted or skipped\n{logs}")
        self.assertEqual(set(a + b), set(want.values()), "messages lost")
        for name, users in (("first", a_users), ("second", b_users)):
            for user, ns in users.items():
                self.assertEqual(ns, list(range(ns[0], ns[0] + len(ns))),
                                 f"{user} in the {name} copy does not rise by one: {ns}")
        final = collections.Counter(self.user(i) for i in range(total))
        for user, n in final.items():
            self.assertEqual(max(a_users.get(user, []) + b_users.get(user, [])), n, user)
        if exact:
            self.assertEqual(collections.Counter(a + b), collections.Counter(want.values()),
                             f"rows repeated\n{logs}")
        # The running aggregate's rows (one per user and batch): each copy's
        # rise, the last is the total, and without a crash no count comes twice.
        _, ta = self.rows("a-totals.jsonl")
        _, tb = self.rows("b-totals.jsonl")
        for user, n in final.items():
            for name, ns in (("first", ta.get(user, [])), ("second", tb.get(user, []))):
                self.assertEqual(ns, sorted(set(ns)), f"{user}'s totals in the {name} copy: {ns}")
            both = ta.get(user, []) + tb.get(user, [])
            self.assertEqual(max(both), n, user)
            if exact:
                self.assertEqual(len(both), len(set(both)), f"{user}'s totals restarted: {both}")

    def test_counts_follow_partitions_when_copies_join_and_stop(self):
        err_a, err_b = self.scenario(lambda p: p.send_signal(signal.SIGTERM))
        self.check_rows(3 * self.CHUNK, True, f"first:\n{err_a}\nsecond:\n{err_b}")
        # The state went through the changelog, named after the pipeline and source.
        heads = set(kcat_keys(self.b, "counts-clicks-changelog"))
        self.assertEqual(heads, {f"clicks/{p}" for p in range(6)})

    def test_counts_survive_kill_9_of_a_copy(self):
        # The second copy reads again what the first read after its last
        # commit point: rows may repeat, but every count is right.
        err_a, err_b = self.scenario(lambda p: p.kill())
        self.check_rows(3 * self.CHUNK, False, f"first:\n{err_a}\nsecond:\n{err_b}")


    def test_changelog_goes_in_the_sinks_transaction(self):
        # exactly_once: the changelog's messages are produced by the sink's
        # transactional producer (the mock cannot show that they commit or
        # abort with the rows: docs/scale-out.md); a second run in the group
        # restores the state from them and counts on.
        flow = self.write_flow("txn.flow", f"""
source clicks = kafka(brokers: "{self.b}", topic: "clicks", group: "g-txn", start: "earliest",
                      stop_at_end: true, {SESSION})
  format json schema {{ id: int, user: string }}
stream counts = clicks | group by user | update n: int = 0 {{ n += 1 }} emit each
sink counts to kafka(brokers: "{self.b}", topic: "txn-out", exactly_once: true) key user
""")
        self.produce(0, 60)
        self.run_flow(flow)
        self.produce(60, 40)
        self.run_flow(flow)
        want = self.expected(100)
        got = [v for _, v in kcat_consume(self.b, "txn-out")]
        self.assertEqual(collections.Counter(got), collections.Counter(want.values()))
        self.assertEqual(set(kcat_keys(self.b, "txn-clicks-changelog")), {f"clicks/{p}" for p in range(6)})

    def test_key_from_two_partitions_is_reported_once(self):
        # "mixed" is not partitioned by user: u1 and u2 both arrive in
        # partitions 0 and 1. The run warns once, naming one such key and
        # both its partitions, and keeps its state in the changelog it was
        # given instead of the default name.
        flow = self.write_flow("mixed.flow", f"""
source clicks = kafka(brokers: "{self.b}", topic: "mixed", group: "g-mixed", start: "earliest",
                      stop_at_end: true, changelog: "mixed-state", {SESSION})
  format json schema {{ id: int, user: string }}
stream counts = clicks | group by user | aggregate n = count()
sink counts to file("out.jsonl")
""")
        for part, ids in ((0, (0, 1)), (1, (2, 3))):
            kcat_produce(self.b, "mixed", [json_row(id=i, user=f"u{1 + i % 2}") for i in ids],
                         partition=part)
        err = self.run_flow(flow).stderr
        warnings = [l for l in err.splitlines() if "warning" in l]
        self.assertEqual(len(warnings), 1, err)
        m = re.search(r"stream 'counts': key \"(u1|u2)\" arrived from partitions mixed/([01]) "
                      r"and mixed/([01])", warnings[0])
        self.assertIsNotNone(m, warnings[0])
        self.assertNotEqual(m.group(2), m.group(3), warnings[0])
        # A row per partition the key came from: 1 each, not 2.
        self.assertEqual(collections.Counter(lines_of(self.path("out.jsonl"))),
                         collections.Counter([json_row(user="u1", n=1)] * 2 +
                                             [json_row(user="u2", n=1)] * 2))
        self.assertEqual(set(kcat_keys(self.b, "mixed-state")), {"mixed/0", "mixed/1"})


class WindowStateTests(KafkaTest):
    """Windows and session windows per partition move too (docs/scale-out.md):
    a first copy reads half the messages, fires the windows its watermark
    passes and stops with SIGTERM (open windows stay open); a second copy
    takes every partition over, restores the open panes and sessions from
    the changelog, reads the rest and ends (stop_at_end), which fires them.
    Together they emit every window once, with every message counted,
    computed here from the messages."""
    topics = (("win", 4),)
    USERS = 8
    BASE = 1767225600000  # 2026-01-01T00:00:00Z

    def at(self, i):
        # 1 s apart, with a 70 s pause after every 100 messages: sessions
        # (30 s gap) end there; a user's messages are 8 s apart otherwise.
        return self.BASE + i * 1000 + (i // 100) * 70000

    def text(self, ms):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"

    def produce(self, ids):
        users = [f"u{i % self.USERS}" for i in ids]
        kcat_produce(self.b, "win", [json_row(id=i, user=u, at=self.text(self.at(i)))
                                     for i, u in zip(ids, users)], keys=users)

    def expected(self, total):
        per_minute, times = collections.Counter(), collections.defaultdict(list)
        for i in range(total):
            user, t = f"u{i % self.USERS}", self.at(i)
            per_minute[(t // 60000 * 60000, user)] += 1
            times[user].append(t)
        minutes = [json_row(window_start=self.text(m), window_end=self.text(m + 60000), user=u, n=n)
                   for (m, u), n in per_minute.items()]
        sessions = []
        for user, ts in times.items():
            start = last = ts[0]
            n = 1
            for t in ts[1:] + [None]:
                if t is not None and t - last < 30000:
                    last, n = t, n + 1
                    continue
                sessions.append(json_row(window_start=self.text(start), window_end=self.text(last + 30000),
                                         user=user, n=n))
                if t is not None:
                    start = last = t
                    n = 1
        return collections.Counter(minutes), collections.Counter(sessions)

    def test_open_windows_and_sessions_move_to_the_next_copy(self):
        flow = self.write_flow("win.flow", f"""
param minutes: string = "minutes-a.jsonl"
param sessions: string = "sessions-a.jsonl"
param seen: string = "seen-a.jsonl"
param stop: bool = false
source ev = kafka(brokers: "{self.b}", topic: "win", group: "g-win", start: "earliest",
                  stop_at_end: stop, {SESSION})
  format json schema {{ id: int, user: string, at: timestamp }}
  event_time at watermark 0s
stream per_minute = ev | window tumbling 1m | group by user | aggregate n = count()
stream visits = ev | window session 30s | group by user | aggregate n = count()
stream ids = ev | select id
sink per_minute to file(minutes)
sink visits to file(sessions)
sink ids to file(seen)
""")
        program = self.build(flow, "win")
        self.produce(range(0, 250))
        a = subprocess.Popen([program, "--batch", "200ms"], cwd=self.dir,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 90
            while len(lines_of(self.path("seen-a.jsonl"))) < 250:
                self.assertIsNone(a.poll(), "the first copy stopped")
                self.assertLess(time.time(), deadline, "the first copy never read every message")
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            a.send_signal(signal.SIGTERM)
            err_a = a.communicate(timeout=60)[1]
        self.assertEqual(a.returncode, 0, err_a)
        self.produce(range(250, 500))
        b = self.run_flowc([program, "--batch", "200ms", "--param", "stop=true",
                            "--param", "minutes=minutes-b.jsonl", "--param", "sessions=sessions-b.jsonl",
                            "--param", "seen=seen-b.jsonl"])
        minutes, sessions = self.expected(500)
        got_minutes = collections.Counter(lines_of(self.path("minutes-a.jsonl")) +
                                          lines_of(self.path("minutes-b.jsonl")))
        got_sessions = collections.Counter(lines_of(self.path("sessions-a.jsonl")) +
                                           lines_of(self.path("sessions-b.jsonl")))
        logs = f"first:\n{err_a}\nsecond:\n{b.stderr}"
        self.assertTrue(lines_of(self.path("minutes-a.jsonl")), "the first copy fired no window")
        self.assertTrue(lines_of(self.path("sessions-b.jsonl")), "the second copy closed no session")
        self.assertEqual(got_minutes, minutes, logs)
        self.assertEqual(got_sessions, sessions, logs)


class WatermarkTests(KafkaTest):
    """Event time over partitions (README "Kafka"): the watermark follows the
    slowest partition that still has records to read; a caught-up one does
    not hold it."""
    topics = (("wm", 2),)
    BASE = 1_767_225_600_000  # 2026-01-01T00:00:00Z

    def test_a_partition_with_unread_records_holds_the_watermark(self):
        # Both partitions hold event times 0..99 s. Read one after the other
        # (librdkafka hands over a fetch a partition at a time), a watermark
        # taken over everything read would pass 60 s with the first
        # partition and drop the second's first minute as late.
        for part in (0, 1):
            kcat_produce(self.b, "wm", [json_row(id=part * 1000 + s, ts=self.BASE + s * 1000)
                                        for s in range(100)], partition=part)
        flow = self.write_flow("wm.flow", f"""
source ev = kafka(brokers: "{self.b}", topic: "wm", group: "g-wm", start: "earliest",
                  stop_at_end: true)
  format json schema {{ id: int, ts: timestamp }}
  event_time ts
stream per_minute = ev | window tumbling 1m | aggregate n = count()
sink per_minute to file("wm.csv") format csv
""")
        r = self.run_flow(flow, "--max-batch-records", "10", "--batch", "1000000h")
        self.assertEqual(lines_of(self.path("wm.csv")), [
            "window_start,window_end,n",
            "2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,120",
            "2026-01-01T00:01:00.000Z,2026-01-01T00:02:00.000Z,80",
        ], r.stderr)


class CheckpointTests(KafkaTest):
    """Kafka offsets in checkpoints (LANGUAGE.md 10): a restarted run seeks
    to the checkpoint's offsets, and the group's offsets are committed only
    when a checkpoint is written."""
    topics = (("ck", 4),)
    KEYS = 23

    def flow(self, every=""):
        return self.write_flow("ck.flow", f"""
param grp: string = "g-ck"
param stop: bool = false
source ev = kafka(brokers: "{self.b}", topic: "ck", group: grp, start: "earliest",
                  stop_at_end: stop, {SESSION})
  format json schema {{ id: int, k: string, v: int }}
stream totals = ev
  | group by k
  | update n: int = 0, total: int = 0 {{ n += 1  total += v }}
    emit updated
sink ev to file("all.jsonl")
sink totals to file("totals.jsonl")
checkpoint "state"{every}
""")

    def values(self, start, n):
        return [json_row(id=i, k=f"k{i % self.KEYS}", v=i * 3) for i in range(start, start + n)]

    def produce(self, start, n):
        kcat_produce(self.b, "ck", self.values(start, n),
                     keys=[f"k{i % self.KEYS}" for i in range(start, start + n)])

    def start(self, flow, *params):
        args = [FLOWC, "run", flow, "--quiet", "--max-batch-records", "100", "--batch", "1000000h"]
        for p in params:
            args += ["--param", p]
        return subprocess.Popen(args, cwd=self.dir, stderr=subprocess.PIPE, text=True)

    def wait_lines(self, name, n, proc):
        deadline = time.time() + TIMEOUT
        while len(lines_of(self.path(name))) < n:
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertLess(time.time(), deadline, f"{name} never reached {n} lines")
            time.sleep(0.02)

    def check_exact(self, total):
        """Every message once in all.jsonl; per key, the update rows count
        up with no gap or repeat and end at the true n and total."""
        self.assertEqual(collections.Counter(lines_of(self.path("all.jsonl"))),
                         collections.Counter(self.values(0, total)))
        seen = collections.defaultdict(list)
        for line in lines_of(self.path("totals.jsonl")):
            row = json.loads(line)
            seen[row["k"]].append((row["n"], row["total"]))
        want_n, want_total = collections.Counter(), collections.Counter()
        for i in range(total):
            want_n[f"k{i % self.KEYS}"] += 1
            want_total[f"k{i % self.KEYS}"] += i * 3
        self.assertEqual(set(seen), set(want_n))
        for k, rows in seen.items():
            ns = [n for n, _ in rows]
            self.assertEqual(ns, sorted(set(ns)), f"{k}: counts repeat or go back: {ns}")
            self.assertEqual(rows[-1], (want_n[k], want_total[k]), k)

    def committed(self, group):
        return committed_offsets(self.b, group, "ck", 4)

    def test_restart_seeks_to_the_checkpoint_not_the_group(self):
        flow = self.flow()
        self.produce(0, 1500)
        first = self.start(flow, "grp=g-first")
        try:
            # Three batches of 100 written: at least two checkpoints hold offsets.
            self.wait_lines("all.jsonl", 300, first)  # killed mid-stream, or idle
        finally:
            first.kill()
            first.communicate(timeout=60)
        self.produce(1500, 1500)
        # A new group has no committed offsets: with start "earliest" it
        # would read from 0. The checkpoint's offsets must win.
        r = self.run_flowc([FLOWC, "run", flow, "--quiet", "--max-batch-records", "100",
                            "--param", "grp=g-second", "--param", "stop=true"])
        self.check_exact(3000)
        # The offsets the second run committed to its group: the topic's ends.
        self.assertEqual(sum(o or 0 for o in self.committed("g-second")), 3000, r.stderr)

    def test_offsets_are_committed_only_at_checkpoints(self):
        flow = self.flow(every=" every 1h")
        self.produce(0, 1000)
        first = self.start(flow)
        try:
            self.wait_lines("all.jsonl", 1000, first)
            time.sleep(0.5)
            # Rows are in the sink, but no checkpoint since the start: the
            # group must not be ahead of the checkpoint.
            self.assertEqual(self.committed("g-ck"), [None] * 4)
        finally:
            first.kill()
            first.communicate(timeout=60)
        # The restart resumes from the first checkpoint: the sinks are cut
        # back to empty and every message is read again, once.
        self.run_flowc([FLOWC, "run", flow, "--quiet", "--param", "stop=true"])
        self.check_exact(1000)
        self.assertEqual(sum(o or 0 for o in self.committed("g-ck")), 1000)

    def test_sigterm_commits_a_final_checkpoint(self):
        flow = self.flow(every=" every 1h")
        self.produce(0, 800)
        first = self.start(flow)
        try:
            self.wait_lines("all.jsonl", 800, first)
        finally:
            first.send_signal(signal.SIGTERM)
            _, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)
        self.assertEqual(sum(o or 0 for o in self.committed("g-ck")), 800)
        self.produce(800, 400)
        self.run_flowc([FLOWC, "run", flow, "--quiet", "--param", "stop=true"])
        self.check_exact(1200)


class TopicsTests(KafkaTest):
    """Several topics in one source (LANGUAGE.md 13 "Kafka topics"): a list,
    and the topics a regex matches, re-checked as topics appear; positions
    per topic-partition in checkpoints (partition 0 of `a` is not partition
    0 of `b`)."""
    topics = (("ta", 2), ("tb", 1), ("logs-x", 2), ("other", 1))

    def values(self, topic, start, n):
        return [json_row(id=i, t=topic) for i in range(start, start + n)]

    def produce(self, topic, start, n):
        kcat_produce(self.b, topic, self.values(topic, start, n), keys=[str(i) for i in range(start, start + n)])

    def flow(self, name, subscription, group="grp", stop="stop", extra=""):
        return self.write_flow(name, f"""
param grp: string = "g-topics"
param stop: bool = true
source ev = kafka(brokers: "{self.b}", {subscription}, group: {group}, start: "earliest",
                  stop_at_end: {stop}, {SESSION}{extra})
  format json schema {{ id: int, t: string }}
sink ev to file("rows.jsonl")
""")

    def start(self, flow, *params):
        args = [FLOWC, "run", flow, "--quiet", "--max-batch-records", "50", "--batch", "100ms",
                "--checkpoint", "ck"]
        for p in params:
            args += ["--param", p]
        return subprocess.Popen(args, cwd=self.dir, stderr=subprocess.PIPE, text=True)

    def wait_lines(self, n, proc):
        deadline = time.time() + TIMEOUT
        while len(lines_of(self.path("rows.jsonl"))) < n:
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertLess(time.time(), deadline, f"rows.jsonl never reached {n} lines")
            time.sleep(0.02)

    def rows(self):
        return collections.Counter(lines_of(self.path("rows.jsonl")))

    def test_topic_list_reads_every_listed_topic_run_and_built(self):
        kcat_produce(self.b, "tb", ['{"id": "x"}'], partition=0)  # a bad record: named by its topic
        self.produce("ta", 0, 300)
        self.produce("tb", 0, 200)
        self.produce("other", 0, 50)  # not listed: not read
        flow = self.flow("list.flow", 'topic: " ta, tb "')
        r = self.run_flow(flow)
        want = collections.Counter(self.values("ta", 0, 300) + self.values("tb", 0, 200))
        self.assertEqual(self.rows(), want)
        self.assertIn("tb/0@0: bad record: ", r.stderr)
        os.remove(self.path("rows.jsonl"))
        program = self.build(flow, "list")
        self.run_flowc([program, "--quiet", "--param", "grp=g-built"])
        self.assertEqual(self.rows(), want)

    def test_topic_pattern_picks_up_a_new_topic(self):
        flow = self.flow("pattern.flow", 'topic_pattern: "^logs-.*"', stop="false",
                         extra=', "topic.metadata.refresh.interval.ms": "500"')
        self.produce("logs-x", 0, 200)
        self.produce("other", 0, 50)
        proc = self.start(flow)
        try:
            self.wait_lines(200, proc)
            # A topic that appears while the pipeline runs, matching; and
            # one that does not match.
            self.mock.control("topic logs-y 3")
            self.mock.control("topic nologs-z 1")
            self.produce("logs-y", 1000, 300)
            self.produce("nologs-z", 0, 20)
            self.produce("logs-x", 200, 100)
            self.wait_lines(600, proc)
            time.sleep(0.5)  # a message read twice or from another topic shows now
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(self.rows(), collections.Counter(
            self.values("logs-x", 0, 300) + self.values("logs-y", 1000, 300)))

    def test_checkpoint_positions_per_topic_partition(self):
        # Killed mid-stream, restarted in a new group (no committed offsets:
        # "earliest" would read everything again): the checkpoint's offsets
        # per topic-partition must win, for both topics.
        flow = self.flow("ck.flow", 'topic: "ta,tb"', group="grp", stop="stop")
        self.produce("ta", 0, 600)
        self.produce("tb", 0, 600)
        first = self.start(flow, "stop=false")
        try:
            self.wait_lines(300, first)
        finally:
            first.kill()
            first.communicate(timeout=60)
        self.produce("ta", 600, 200)
        self.produce("tb", 600, 200)
        second = self.start(flow, "grp=g-second")
        _, err = second.communicate(timeout=TIMEOUT)
        self.assertEqual(second.returncode, 0, err)
        want = collections.Counter(self.values("ta", 0, 800) + self.values("tb", 0, 800))
        self.assertEqual(self.rows(), want)
        # An incremental run (LANGUAGE.md 13) on the ended run's checkpoint,
        # in yet another group: only what arrived since.
        self.produce("ta", 800, 70)
        self.produce("tb", 800, 30)
        third = self.start(flow, "grp=g-third")
        _, err = third.communicate(timeout=TIMEOUT)
        self.assertEqual(third.returncode, 0, err)
        want.update(self.values("ta", 800, 70) + self.values("tb", 800, 30))
        self.assertEqual(self.rows(), want)


class TopicStateTests(KafkaTest):
    """Keyed state per partition of a source that reads several topics
    (issues 18 and 19 together): partition 0 of one topic is not partition
    0 of another, in the tables, in the warning about a key from two
    partitions, in the changelog, and across a restart from the checkpoint
    when the topics were numbered in another order than their names'.
    Every expected count is computed here: the n-th message of a user in
    its topic-partition has count n."""
    topics = (("sa", 2), ("sb", 2), ("t-b", 1))

    def flow(self, name, subscription, extra=""):
        return self.write_flow(name, f"""
param grp: string = "g-state"
param stop: bool = true
source ev = kafka(brokers: "{self.b}", {subscription}, group: grp, start: "earliest",
                  stop_at_end: stop, {SESSION}{extra})
  format json schema {{ id: int, user: string }}
stream counts = ev | group by user | update n: int = 0 {{ n += 1 }} emit each
sink counts to file("rows.jsonl")
""")

    def produce(self, topic, partition, messages):
        """messages: (id, user) pairs, in the order they go to the partition."""
        kcat_produce(self.b, topic, [json_row(id=i, user=u) for i, u in messages],
                     partition=partition)

    @staticmethod
    def expected(sent):
        """sent: (topic, partition, id, user) in each partition's order."""
        seen, rows = collections.Counter(), []
        for topic, part, i, user in sent:
            seen[(topic, part, user)] += 1
            rows.append(json_row(id=i, user=user, n=seen[(topic, part, user)]))
        return collections.Counter(rows)

    def rows(self):
        return collections.Counter(lines_of(self.path("rows.jsonl")))

    def split_warning(self, err, first, second):
        warnings = [l for l in err.splitlines() if "warning" in l]
        self.assertEqual(len(warnings), 1, err)
        m = re.search(r"stream 'counts': key \"u1\" arrived from partitions (\S+) and (\S+): ",
                      warnings[0])
        self.assertIsNotNone(m, warnings[0])
        self.assertEqual({m.group(1), m.group(2)}, {first, second}, warnings[0])

    def test_two_topics_partition_zero_are_two_state_partitions(self):
        sent = []
        plan = (("sa", 0, "u1", 3), ("sb", 0, "u1", 2), ("sa", 1, "u2", 4), ("sb", 1, "u3", 1))
        next_id = 0
        for topic, part, user, n in plan:
            msgs = [(next_id + k, user) for k in range(n)]
            next_id += n
            self.produce(topic, part, msgs)
            sent += [(topic, part, i, u) for i, u in msgs]
        flow = self.flow("two.flow", 'topic: "sa,sb"')
        err = self.run_flow(flow).stderr
        self.assertEqual(self.rows(), self.expected(sent), err)
        self.split_warning(err, "sa/0", "sb/0")
        self.assertEqual(set(kcat_keys(self.b, "two-ev-changelog")),
                         {"sa/0", "sa/1", "sb/0", "sb/1"})
        # A second run in the group and no checkpoint: each topic-partition's
        # state comes back from the changelog, and the counts go on from it.
        more = [("sb", 0, next_id, "u1"), ("sa", 0, next_id + 1, "u1"), ("sb", 0, next_id + 2, "u1"),
                ("sb", 1, next_id + 3, "u3")]
        for topic, part, i, u in more:
            self.produce(topic, part, [(i, u)])
        err = self.run_flow(flow).stderr
        self.assertEqual(self.rows(), self.expected(sent + more), err)
        self.split_warning(err, "sa/0", "sb/0")

    def test_topic_numbers_survive_a_restart_from_the_checkpoint(self):
        # t-b is read first (number 0); t-a appears while the pipeline runs
        # (number 1), so that names in order would number them the other way.
        # The restart, in another group (the checkpoint's offsets and state
        # win), must give each its own counts back.
        flow = self.flow("numbers.flow", 'topic_pattern: "^t-"',
                         extra=', "topic.metadata.refresh.interval.ms": "500"')
        sent = []

        def produce(topic, ids):
            self.produce(topic, 0, [(i, "u1") for i in ids])
            sent.extend((topic, 0, i, "u1") for i in ids)

        produce("t-b", range(0, 5))
        args = [FLOWC, "run", flow, "--quiet", "--batch", "100ms", "--checkpoint", "ck",
                "--param", "stop=false"]
        first = subprocess.Popen(args, cwd=self.dir, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + TIMEOUT
            while len(lines_of(self.path("rows.jsonl"))) < 5:
                self.assertIsNone(first.poll(), "the first run stopped")
                self.assertLess(time.time(), deadline, "t-b never read")
                time.sleep(0.05)
            self.mock.control("topic t-a 1")
            produce("t-a", range(100, 103))
            while len(lines_of(self.path("rows.jsonl"))) < 8:
                self.assertIsNone(first.poll(), "the first run stopped")
                self.assertLess(time.time(), deadline, "t-a never read")
                time.sleep(0.05)
        finally:
            first.send_signal(signal.SIGTERM)
            _, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)
        self.assertEqual(self.rows(), self.expected(sent), err)
        produce("t-b", range(5, 9))
        produce("t-a", range(103, 105))
        second = self.run_flowc([FLOWC, "run", flow, "--quiet", "--checkpoint", "ck",
                                 "--param", "grp=g-state-2"])
        self.assertEqual(self.rows(), self.expected(sent), second.stderr)
        self.split_warning(second.stderr, "t-a/0", "t-b/0")
        # The second run ended (stop_at_end): a third on its checkpoint is an
        # incremental run (LANGUAGE.md 13) and counts on from both states.
        produce("t-a", range(105, 107))
        produce("t-b", range(9, 10))
        third = self.run_flowc([FLOWC, "run", flow, "--quiet", "--checkpoint", "ck",
                                "--param", "grp=g-state-3"])
        self.assertEqual(self.rows(), self.expected(sent), third.stderr)


class CountingResult(unittest.TextTestResult):
    pass


def main():
    global FLOWC
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowc", required=True)
    ap.add_argument("-k", dest="pattern", default=None, help="only tests whose name contains this")
    args = ap.parse_args()
    FLOWC = os.path.abspath(args.flowc)
    try:
        import kafka  # noqa: F401  (kafka-python, Debian's python3-kafka)
    except ImportError:
        # Another python3 first on PATH (pyenv): use the system one, which
        # has python3-kafka.
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            os.execv(system, [system] + sys.argv)
        print("kafka-python (python3-kafka) is not installed")
        print("0 passed, 1 failed")
        return 1
    if shutil.which("kcat") is None:
        print("kcat is not installed")
        print("0 passed, 1 failed")
        return 1
    suite = unittest.TestSuite()
    for case in (SourceTests, ScaleOutTests, SinkTests, ExampleTests, FaultTests, WatermarkTests,
                 CheckpointTests, KeyedStateTests, WindowStateTests, TopicsTests,
                 TopicStateTests):
        for t in unittest.defaultTestLoader.loadTestsFromTestCase(case):
            if args.pattern is None or args.pattern in t.id():
                suite.addTest(t)
    result = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
