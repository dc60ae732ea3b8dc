"""The interactive explorer (a local web app) and the REPL: both drive an exploration
`Session` (session.py) over the compiled model of one check block.  Like `lsp`, this
package sits at the top beside `cli`: only `cli` starts it, nothing below imports it."""
