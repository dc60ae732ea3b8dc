spec SendOutside
network fifo
message Ping
process P(self in 1..2):
    action ping:
        send Ping to P[3]
    on Ping(m):
        pass
