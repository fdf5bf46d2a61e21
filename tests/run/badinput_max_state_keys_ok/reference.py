# Expected output: count() per value % 2000 over generate(count: 3000), keys in
# ascending order (LANGUAGE.md 6.2: a group by stream emits each updated key).
from collections import Counter
c = Counter(v % 2000 for v in range(3000))
open("expected_stdout", "w").write("k,c\n" + "".join("%d,%d\n" % (k, c[k]) for k in sorted(c)))
