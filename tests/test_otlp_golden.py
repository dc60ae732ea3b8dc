"""Golden files: one small counterexample in every format, byte for byte.

Regenerate with `python tests/golden/otlp/regen.py` (never edit them by hand);
the diff then shows exactly what an exporter change did to the output.
"""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

from stateline.otlp import formats
from stateline.otlp.causal import build
from stateline.otlp.importer import read

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden" / "otlp"
sys.path.insert(0, str(GOLDEN))
import regen  # noqa: E402


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return regen.generate(tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("name", regen.FILES)
def test_golden_bytes(fresh, name):
    new = next(p for p in fresh if p.name == name).read_bytes()
    assert new == (GOLDEN / name).read_bytes(), \
        f"{name} changed; if intended, run: python tests/golden/otlp/regen.py"


def test_the_three_otlp_formats_hold_the_same_trace():
    json_doc = json.loads((GOLDEN / regen.FILES[0]).read_text())
    assert formats.dumps_protobuf(json_doc) == (GOLDEN / regen.FILES[2]).read_bytes()
    assert formats.dumps_jsonl(json_doc) == (GOLDEN / regen.FILES[1]).read_text()
    graphs = [build(read(str(GOLDEN / name)).spans).edges() for name in regen.FILES[:3]]
    assert graphs[0] == graphs[1] == graphs[2] and len(graphs[0]) == 2


def test_the_picture_in_the_docs_is_drawn_from_the_trace(tmp_path):
    new = regen.picture(tmp_path / "picture.svg").read_text()
    assert new == regen.PICTURE.read_text(), \
        "docs/otlp-paxos-no-quorum.svg changed; run: python tests/golden/otlp/regen.py"
    assert 'class="msc"' in new and 'aria-label="check small: Agreement violated"' in new
    time = (tmp_path / "picture-time.svg").read_text()
    assert time == regen.TIME_PICTURE.read_text(), \
        "docs/otlp-paxos-no-quorum-time.svg changed; run: python tests/golden/otlp/regen.py"
    assert "PaxosNoQuorum: check small: Agreement violated" in time
