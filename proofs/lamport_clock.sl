# Lamport clocks: the clock condition (and the spec's other invariants) are
# inductive together with these lemmas.
#     stateline prove specs/lamport_clock.sl --induction --proof proofs/lamport_clock.sl

proof LamportClock

# The events that happened are exactly each process's first `count` events, so the
# next event a process takes is new.
lemma EventsNumbered:
    forall e in AllEvents: (e in happened) == (e.n <= Node[e.proc].count)

# Causal pasts and histories only hold events that happened ...
lemma PastsHappened: forall f in happened: past[f] <= happened
lemma HistoriesHappened: forall p in Procs: Node[p].history <= happened

# ... a history is closed under causal pasts ...
lemma HistoriesClosed:
    forall p in Procs: forall f in Node[p].history: past[f] <= Node[p].history

# ... and every event in a process's history is stamped at most its clock.
lemma HistoryBehindClock:
    forall p in Procs: forall e in Node[p].history: stamp[e] <= Node[p].clock

# A message in flight carries its send event's timestamp.
lemma MessagesCarryStamps:
    forall m in sent(Msg): m.ev in happened and m.ts == stamp[m.ev]

# Clocks and timestamps never pass the number of events so far (so clocks fit).
lemma ClocksCountEvents:
    (forall p in Procs: Node[p].clock <= len(happened)) and
    (forall e in happened: stamp[e] <= len(happened))
