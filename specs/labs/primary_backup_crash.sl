spec PrimaryBackupCrash
# Lab: primary-backup replication where the primary answers the client before the
# backup has the write.  The primary crashes right after answering; the backup sees
# that the primary is down (it reads `Primary.up`, as a failure detector would tell
# it) and takes over without the write the client was told is stored.  The fix: the
# primary answers only once the backup has acknowledged the write.

network bag

message Write(val: 1..1)
message Ack(val: 1..1)
message Replicate(val: 1..1)

process Client:
    var wrote: bool = false
    var acked: bool = false

    action write:
        require not wrote
        wrote := true
        send Write(1)

    on Ack(m):
        acked := true

process Primary:
    crash stop max 1
    var val: 0..1 = 0

    on Write(m):
        val := m.val
        send Ack(m.val)           # the bug: answers before the backup has the write
        send Replicate(m.val)

process Backup:
    var val: 0..1 = 0
    var primary: bool = false

    on Replicate(m):
        val := m.val

    action takeOver:
        require not Primary.up and not primary
        primary := true

# Once the backup serves, it has every write a client was told is stored.
invariant NoLostWrite: Backup.primary and Client.acked implies Backup.val == 1

allow deadlock

check lab:
    expect NoLostWrite violated
