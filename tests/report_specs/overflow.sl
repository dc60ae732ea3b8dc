spec Overflow
# A run-time error: y leaves its declared type after two bumps.
var y: 0..1 = 0

action bump:
    y := y + 1

invariant Fine: y >= 0

check c:
    expect Fine holds
