proof CrashFair

rank Down: 0 helps Server
