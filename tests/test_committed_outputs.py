"""The committed notebooks' outputs are honest static views (issue 18, point 3).

GitHub and the course site show a notebook's stored outputs without a kernel. So a committed
``.ipynb`` in notebooks/, exercises/ or solutions/ must not carry:

- a widget output with no static image (``image/png`` or ``image/svg+xml``) in the same cell:
  without a kernel the widget shows as "FloatSlider(...)" and nothing else;
- a tqdm progress bar that is not at its final state (e.g. frozen at "0%"), or a stream that
  still holds a bar's intermediate states (carriage returns or cursor moves: GitHub prints them
  all, one per line);
- a machine path: this checkout's absolute path, /home, /tmp, /work, /root, site-packages or
  .venv, which leak the author's machine and mean nothing to a student.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "exercises", "solutions")
WIDGET = "application/vnd.jupyter.widget-view+json"
IMAGES = ("image/png", "image/svg+xml", "image/jpeg")
# A tqdm bar's counter: "| 3/10 [" (the bar's text form, in a stream or a widget's text/plain).
TQDM = re.compile(r"\|\s*(\d+)/(\d+)\s*\[")
MACHINE_PATHS = ("/home/", "/tmp/", "/work/", "/root/", "site-packages", ".venv")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_texts(output: dict) -> list[str]:
    """Every text an output carries: stream text, text/* data, a traceback."""
    texts = []
    if "text" in output:
        texts.append(_text(output["text"]))
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime == "application/json":
            texts.append(_text(value))
    if "traceback" in output:
        texts.append("\n".join(output["traceback"]))
    return texts


def problems(notebook: dict, root: Path = ROOT) -> list[str]:
    """Return one line per dishonest static view in a notebook's JSON (empty when clean)."""
    found = []
    markers = (str(root),) + MACHINE_PATHS
    for index, cell in enumerate(notebook.get("cells", [])):
        outputs = cell.get("outputs", [])
        # A tqdm bar's widget carries its bar as text/plain: that text is its static view.
        has_widget = any(
            WIDGET in out.get("data", {})
            and not TQDM.search(_text(out["data"].get("text/plain", "")))
            for out in outputs
        )
        has_image = any(mime in out.get("data", {}) for out in outputs for mime in IMAGES)
        if has_widget and not has_image:
            found.append(f"cell {index}: widget output without a static image")
        bars = []
        for out in outputs:
            if out.get("output_type") == "stream" and re.search(r"\r|\x1b\[\d*A", _text(out["text"])):
                found.append(f"cell {index}: a stream keeps a progress bar's intermediate states")
            for text in _output_texts(out):
                # A stream may hold every update of a bar; the last counter is the one shown.
                bars += TQDM.findall(text.split("\r")[-1] if "\r" in text else text)
                for marker in markers:
                    if marker in text:
                        found.append(f"cell {index}: machine path {marker!r} in an output")
        for done, total in bars[-1:]:
            if done != total:
                found.append(f"cell {index}: progress bar stopped at {done}/{total}")
    return found


def committed_notebooks() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))


@pytest.mark.parametrize(
    "path", committed_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_committed_notebook_is_an_honest_static_view(path):
    assert problems(json.loads(path.read_text())) == []


# --- the check itself fails on planted bad notebooks -------------------------------------------


def _notebook(*outputs) -> dict:
    return {"cells": [{"cell_type": "code", "source": "", "outputs": list(outputs)}]}


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}


WIDGET_OUT = _display({WIDGET: {"model_id": "abc"}, "text/plain": "FloatSlider(value=1.0)"})
PNG_OUT = _display({"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})


def test_widget_without_image_fails_and_with_image_passes():
    assert problems(_notebook(WIDGET_OUT)) == ["cell 0: widget output without a static image"]
    assert problems(_notebook(PNG_OUT, WIDGET_OUT)) == []


def test_frozen_progress_bar_fails_and_finished_bar_passes():
    frozen = _display({WIDGET: {"model_id": "x"}, "text/plain": "  0%|     | 0/10 [00:00<?, ?it/s]"})
    assert problems(_notebook(frozen)) == ["cell 0: progress bar stopped at 0/10"]
    done = _display({WIDGET: {"model_id": "x"}, "text/plain": "100%|#####| 10/10 [00:02<00:00]"})
    assert problems(_notebook(done)) == []
    stream = {"output_type": "stream", "name": "stderr", "text": "100%|###| 5/5 [00:01<00:00]\n"}
    assert problems(_notebook(stream)) == []
    stuck = {"output_type": "stream", "name": "stderr", "text": " 40%|#  | 2/5 [00:00<?]\n"}
    assert problems(_notebook(stuck)) == ["cell 0: progress bar stopped at 2/5"]


def test_a_stream_with_a_bars_intermediate_states_fails():
    for text in ("  0%|   | 0/5 [00:00<?]\r100%|###| 5/5 [00:01<00:00]\n",
                 "outer 1/1\n\rinner 5/5\x1b[A\n"):
        stream = {"output_type": "stream", "name": "stderr", "text": text}
        assert problems(_notebook(stream)) == [
            "cell 0: a stream keeps a progress bar's intermediate states"]


@pytest.mark.parametrize(
    "path", ["/home/ana/lstm/data", "/tmp/x.pt", "/work/main/notebooks", "/root/.cache",
             "lib/python3.11/site-packages/torch/nn.py", "/opt/course/.venv/bin/python"],
)
def test_machine_path_fails(path):
    out = {"output_type": "stream", "name": "stdout", "text": f"loaded {path}\n"}
    assert any("machine path" in p for p in problems(_notebook(out)))


def test_checkout_path_fails_and_clean_text_passes(tmp_path):
    out = {"output_type": "stream", "name": "stdout", "text": f"saved to {tmp_path}/model.pt\n"}
    assert problems(_notebook(out), root=tmp_path)  # also caught as /tmp/
    clean = {"output_type": "stream", "name": "stdout", "text": "saved to checkpoints/model.pt\n"}
    assert problems(_notebook(clean), root=tmp_path) == []
