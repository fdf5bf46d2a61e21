# Writes tx.csv (run by run_tests.py in each scratch copy, and by
# reference.py): 30,000 transactions of 400 accounts, event times rising by
# 0 to 20 ms, amounts -600 .. 1000. Half the accounts go quiet for a minute
# now and then, so that `expire after 20s` removes keys mid-run. Seeded:
# deterministic.
import random

rng = random.Random(1616)
ts = 1767225600000
with open("tx.csv", "w") as f:
    f.write("id,account,amount,ts\n")
    for i in range(30000):
        ts += rng.randint(0, 20)
        quiet = (ts // 60000) % 2  # this minute, odd accounts are quiet
        n = rng.randrange(400)
        if n % 2 == 1 and quiet and rng.random() < 0.97:
            n -= 1
        f.write(f"{i},acct-{n},{rng.randint(-600, 1000)},{ts}\n")
