# 'choose v in S:' in a handler with S read from the message: S is evaluated before the message is bound (SL106)
spec ChooseFromMessage
network bag
message Offer(vals: set[1..3])

process Server:
    var got: 0..3 = 0

    on Offer(m):
        choose v in m.vals:
            got := v

check c:
    expect DeadlockFreedom holds
