spec MessageArity
network set
message Ack(from: 0..2)
action ack:
    send Ack(1, 2)
