"""Expected output of examples/balance.flow for each case here.

    transactions (CSV) | group by account | update balance, deposits,
    withdrawals, fees, overdrawn, last_at { ... } emit updated

At the end of each batch, one row per account updated in it, in account
order: the key, then the state fields (LANGUAGE.md 6.3).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import casekit  # noqa: E402
from casekit import flowref as fr  # noqa: E402


def expected_stdout(case):
    max_records, params = casekit.run_options(case)
    limit = float(params.get("overdraft_limit", "-100"))
    records = fr.read_csv(casekit.path(case, "data", "transactions.csv"))
    state, rows = {}, []
    for batch in fr.batches(records, max_records):
        touched = set()
        for r in batch:
            s = state.setdefault(r["account"], {"balance": 0.0, "deposits": 0, "withdrawals": 0,
                                                "fees": 0.0, "overdrawn": False, "last_at": 0})
            amount = float(r["amount"])
            if r["kind"] == "deposit":
                s["balance"] += amount
                s["deposits"] += 1
            elif r["kind"] == "withdrawal":
                s["balance"] -= amount
                s["withdrawals"] += 1
            else:
                s["balance"] -= amount
                s["fees"] += amount
            s["overdrawn"] = s["balance"] < limit
            s["last_at"] = fr.parse_ts(r["at"])
            touched.add(r["account"])
        for account in sorted(touched, key=fr.sort_key):
            s = state[account]
            rows.append([account, s["balance"], s["deposits"], s["withdrawals"], s["fees"],
                         s["overdrawn"], fr.Ts(s["last_at"])])
    return fr.csv_lines(["account", "balance", "deposits", "withdrawals", "fees", "overdrawn",
                         "last_at"], rows)


for case in casekit.cases(__file__):
    casekit.write_expected(case, "stdout", expected_stdout(case))
