spec OnRecord
network set
record Entry(n: 0..1)
message Ping
process P:
    var x: 0..1 = 0
    on Entry(m):
        x := 1
