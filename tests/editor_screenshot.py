"""What the VS Code extension shows, drawn from the language server's real answers.

VS Code is not available here, so this builds an editor-like HTML page from the
answers `stateline lsp` gives over its protocol for a spec with a mistake: the
diagnostic (squiggle and Problems line), the hover on a variable, and the
"check | prove" code lenses above the check blocks, then headless Chromium
takes its screenshot.  Regenerate the picture in docs/editors.md with:

    python tests/editor_screenshot.py docs/images/editor-lsp.png
"""

from __future__ import annotations

import html
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from browser import Chromium  # noqa: E402
from lsp_client import LspClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "two_phase_commit.sl"
# The lines shown (1-based): process TM, then the first check block and its lenses.
SHOWN = (range(20, 36), range(68, 73))
MISTAKE = ("tmPrepared := tmPrepared | {m.rm}", "tmPrepared := tmPrepard | {m.rm}")
HOVER_AT = ("require state == init and tmPrepared == RMs", "tmPrepared")

STYLE = """
body{margin:0;background:#1e1e1e;font:13px/19px "DejaVu Sans Mono",monospace;color:#d4d4d4}
.editor{position:relative;padding:10px 0}
.line{white-space:pre;height:19px}
.no{display:inline-block;width:48px;text-align:right;color:#858585;padding-right:18px}
.lens{white-space:pre;height:17px;font:11px "DejaVu Sans",sans-serif;color:#999;
  padding-left:66px}
.squiggle{text-decoration:underline wavy #f14c4c;text-underline-offset:3px}
.hover{position:absolute;background:#252526;border:1px solid #454545;color:#ccc;
  padding:6px 10px;font:12px/17px "DejaVu Sans",sans-serif;max-width:560px;
  box-shadow:0 2px 8px #000}
.hover pre{font:12px/17px "DejaVu Sans Mono",monospace;color:#9cdcfe;margin:6px 0 0}
.hover code{font-family:"DejaVu Sans Mono",monospace;color:#dcdcaa}
.panel{border-top:1px solid #454545;padding:6px 14px;font:12px/18px "DejaVu Sans",sans-serif}
.panel h4{margin:0 0 4px;font-size:11px;color:#bbb;letter-spacing:.05em}
.err{color:#f14c4c}
.kw{color:#569cd6}
"""


def _md(text: str) -> str:
    """The little Markdown a hover uses: **bold**, `code`, one ``` block."""
    out = []
    for part in re.split(r"```stateline\n(.*?)\n```", text, flags=re.S):
        if out and len(out) % 2 == 1:
            out.append(f"<pre>{html.escape(part)}</pre>")
            continue
        p = html.escape(part.strip())
        p = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", p)
        p = re.sub(r"`(.+?)`", r"<code>\1</code>", p)
        out.append(f"<div>{p}</div>" if p else "")
    return "".join(out)


def page() -> str:
    text = SPEC.read_text(encoding="utf-8").replace(*MISTAKE)
    lines = text.splitlines()
    uri = SPEC.with_name("two_phase_commit_edit.sl").as_uri()
    hover_line = next(i for i, x in enumerate(lines) if HOVER_AT[0] in x)
    hover_col = lines[hover_line].index(HOVER_AT[1]) + 2
    with LspClient() as client:
        diags = client.open(uri, text)["diagnostics"]
        hover = client.at("textDocument/hover", uri, hover_line, hover_col)
        lenses = client.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    (d,) = diags
    rows = []
    lens_lines = {x["range"]["start"]["line"] for x in lenses}
    for n in [n for part in SHOWN for n in part]:
        if n == SHOWN[1][0]:
            rows.append('<div class="line"><span class="no">⋮</span></div>')
        src = lines[n - 1]
        if n - 1 in lens_lines:
            rows.append('<div class="lens">check | prove</div>')
        r = d["range"]
        if r["start"]["line"] == n - 1:
            a, b = r["start"]["character"], r["end"]["character"]
            body = (html.escape(src[:a]) + f'<span class="squiggle">{html.escape(src[a:b])}'
                    f"</span>" + html.escape(src[b:]))
        else:
            body = html.escape(src)
        body = re.sub(r"\b(process|var|on|if|action|require|send|and)\b",
                      r'<span class="kw">\1</span>', body)
        rows.append(f'<div class="line"><span class="no">{n}</span>{body}</div>')
    top = 10 + 19 * (hover_line + 1 - SHOWN[0][0] + 1) + 6
    left = 66 + 8 * hover_col
    problems = (f'<div class="panel"><h4>PROBLEMS</h4><span class="err">⊗</span> '
                f'{html.escape(d["message"].splitlines()[0])} '
                f'<span style="color:#999">stateline({d["code"]}) [Ln '
                f'{d["range"]["start"]["line"] + 1}, Col '
                f'{d["range"]["start"]["character"] + 1}]</span><br>'
                f'<span style="color:#999;padding-left:14px">'
                f'{html.escape(d["message"].splitlines()[1])}</span></div>')
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style></head>"
            f"<body><div class='editor'>{''.join(rows)}"
            f"<div class='hover' style='top:{top}px;left:{left}px'>"
            f"{_md(hover['contents']['value'])}</div></div>{problems}</body></html>")


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/images/editor-lsp.png").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "editor.html"
        target.write_text(page(), encoding="utf-8")
        with Chromium() as browser:
            browser.open(target, width=900, height=590)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(browser.screenshot())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
