# Expected output: good rows on stdout, bad ones as dead letters. Errors use
# section 9's form: field "F": expected T, got "RAW" / field "F": missing.
import json, os
def dead(line, error, record):
    return json.dumps({"source": "readings", "position": "in/readings.csv:%d" % line,
                       "error": error, "record": record},
                      ensure_ascii=False, separators=(",", ":"))
raw = open("in/readings.csv", "rb").read().split(b"\n")
rec = lambda n: raw[n - 1].decode("utf-8", "replace")
lines = [
    dead(5, 'field "value": expected float, got "abc"', rec(5)),
    dead(6, 'field "at": expected timestamp, got "not-a-time"', rec(6)),
    dead(7, 'field "value": missing', rec(7)),
    dead(8, 'field "value": expected float, got "x"', rec(8)),
]
os.makedirs("expected/out", exist_ok=True)
open("expected/out/dead.jsonl", "w", encoding="utf-8").write("\n".join(lines) + "\n")
z, one, five = "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:01.000Z", "1970-01-01T00:00:00.005Z"
open("expected_stdout", "w").write('sensor,value,at\ns1,1.5,%s\n"multi\nline",2,%s\ns5,5,%s\ns6\\,6,%s\n'
                                   % (z, one, five, z))
open("expected_stderr", "w").write("")
