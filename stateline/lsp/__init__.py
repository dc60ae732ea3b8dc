"""The language server: the library's front end and engines, spoken over LSP.

It sits at the top beside `cli` (which starts it: `stateline lsp`), calls the
same library functions the commands call, and nothing below imports it.
"""
