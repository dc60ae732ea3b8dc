"""Exit codes of every `stateline` command (the same table is in the README).

  0  every expectation met
  1  an expectation failed: a violation where `holds` was expected, or the reverse
  2  a spec or the command line is invalid (including a run-time error in the
     spec, such as a value outside its declared type)
  3  a bound (--max-states, --max-depth, --max-seconds), a signal (Ctrl-C, SIGTERM,
     SIGHUP) or a closed output pipe stopped a run before every verdict was known,
     and no expectation failed
  4  internal error: a bug in Stateline (please report it)
"""

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_BOUND, EXIT_INTERNAL = 0, 1, 2, 3, 4
