spec TokenRing
# Dijkstra's self-stabilizing token ring with K states per node ("Self-
# stabilizing systems in spite of distributed control", CACM 1974).  Node 0
# moves when its counter equals its left neighbour's and increments it modulo M;
# any other node moves when its counter differs from its left neighbour's and
# copies it.  Every assignment of counters is a possible initial state, so the
# 6-node ring with M = 6 has 6^6 = 46,656 distinct states, as TLC finds.

const N = 6
const M = 6

var c in [0..N - 1 -> 0..M - 1]

def privileged(i) = c[0] == c[N - 1] if i == 0 else c[i] != c[i - 1]

action move(i in 0..N - 1):
    require privileged(i)
    c[i] := (c[0] + 1) % M if i == 0 else c[i - 1]

# M >= N - 1 makes the ring stabilise: from every state, some node is privileged.
invariant SomePrivilege: exists i in 0..N - 1: privileged(i)

check six(N = 6, M = 6):
    expect SomePrivilege holds
