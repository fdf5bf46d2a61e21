# Expected output of examples/user_agents.flow (this case's pipeline.flow is
# a link to it), from a Python reading of the rules documented in
# examples/user_agent.cpp: browser and platform by the first token found,
# bots by name, by tool prefix or by a missing header.
import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import flowref as fr
os.chdir(os.path.dirname(os.path.abspath(__file__)))


def browser(ua):
    for token, name in [("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
                        ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("Chrome/", "Chrome"),
                        ("CriOS/", "Chrome"), ("Safari/", "Safari")]:
        if token in ua:
            return name
    return "other"


def platform(ua):
    for tokens, name in [(("Android",), "Android"), (("iPhone", "iPad"), "iOS"), (("Windows",), "Windows"),
                         (("Macintosh",), "macOS"), (("Linux",), "Linux")]:
        if any(t in ua for t in tokens):
            return name
    return "other"


def is_bot(ua):
    low = ua.lower()  # the header is ASCII here
    return (ua == "" or any(w in low for w in ("bot", "crawl", "spider"))
            or ua.startswith(("curl/", "Wget/", "python-requests/")))


recs = fr.read_jsonl("data/requests.jsonl")
for r in recs:
    r.setdefault("user_agent", "")
assert sum(is_bot(r["user_agent"]) for r in recs) >= 5  # the data has bots to drop
rows, late = fr.event_time_windows(
    [recs], lambda r: r["ts"], lambda r: None if is_bot(r["user_agent"]) else r,
    lambda r: (browser(r["user_agent"]), platform(r["user_agent"])),
    lambda: [fr.Agg("count"), fr.Agg("count_distinct", lambda r: r["path"])], 60_000, delay=5_000)
assert late == 0
fr.write("expected_stdout", fr.csv_lines(["window_start", "window_end", "browser", "platform", "views", "pages"],
                                         fr.flatten(rows)))
bots = [(fr.Ts(r["ts"]), r["path"], r["user_agent"]) for r in recs if is_bot(r["user_agent"])]
fr.write("expected/out/bots.jsonl", fr.json_lines(["ts", "path", "user_agent"], bots))
