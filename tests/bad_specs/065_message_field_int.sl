spec MessageInt
network set
message Tick(n: int)
