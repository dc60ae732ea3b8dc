spec NetworkOption
network bag lossless
message Ping
