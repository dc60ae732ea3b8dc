spec UnknownMessage
network set
message Ping
process P:
    var n: 0..1 = 0
    on Pong(m):
        n := 1
