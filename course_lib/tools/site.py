"""``lstm-course site build``: the course as a website (Jupyter Book 1), from the committed
notebooks, without executing them.

The sources in site/ are copied to build/site-src/ together with the lectures (notebooks/), the
practice notebooks as students get them (exercises/, never solutions/) and a results page
generated from results/*.json; the HTML goes to build/site/_build/html/ (git-ignored).
Math is served from a local MathJax copy (Debian ``libjs-mathjax``): nothing comes from a CDN.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.env.paths import REPO_ROOT
from course_lib.runs.summary import load_runs, results_table

SOURCES = REPO_ROOT / "site"
STAGING = REPO_ROOT / "build" / "site-src"
OUTPUT = REPO_ROOT / "build" / "site"
# Local MathJax copies, first found wins: (folder to copy, script inside it).
MATHJAX = (
    (Path("/usr/share/javascript/mathjax"), "MathJax.js?config=TeX-AMS_SVG"),  # SVG: no font files
    (Path("/usr/share/nodejs/mathjax-full/es5"), "tex-mml-chtml.js"),
)


def find_mathjax() -> tuple[Path, str] | None:
    """The first local MathJax; ``LSTM_COURSE_MATHJAX`` may name a MathJax 2 folder instead."""
    candidates = MATHJAX
    if os.environ.get("LSTM_COURSE_MATHJAX"):
        candidates = ((Path(os.environ["LSTM_COURSE_MATHJAX"]), MATHJAX[0][1]),)
    for folder, script in candidates:
        if (folder / script.split("?")[0]).exists():
            return folder, script
    return None


def committed_plots(results_dir: Path, pattern: str) -> list[Path]:
    """The plots matching ``pattern`` in ``results_dir``, without the smoke runs' plots: those
    are never committed (.gitignore), so a site built after a smoke run would show them."""
    return [p for p in sorted(Path(results_dir).glob(pattern)) if "-smoke" not in p.name]


def results_page(results_dir: Path = REPO_ROOT / "results") -> str:
    """Markdown of every recorded run: the README table, then per run its plots,
    configuration, seeds, command and provenance."""
    runs = load_runs(results_dir)
    parts = ["# Results", "", "Generated from `results/*.json` by `lstm-course site build`.", "",
             results_table(runs), ""]
    for run in runs:
        name = run["experiment"]
        parts += [f"## {name}", "", f"Command: `{run['command']}`", ""]
        for plot in committed_plots(results_dir, f"{name}-*.png"):
            parts += [f"![{name}: {plot.stem.removeprefix(name + '-')} per epoch](results/{plot.name})", ""]
        for key in ("config", "seeds", "provenance", "code", "device"):
            if key in run:
                value = run[key]
                if key == "code" and isinstance(value, dict):  # one hash per file: too long
                    value = {k: v for k, v in value.items() if k != "files"}
                text = json.dumps(value, indent=1, sort_keys=True)
                parts += [f"**{key}**", "", "```json", text, "```", ""]
    return "\n".join(parts)


def stage() -> Path:
    """Copy sources, notebooks and results into build/site-src/ and write its table of contents."""
    if STAGING.exists():
        shutil.rmtree(STAGING)
    shutil.copytree(SOURCES, STAGING)
    chapters = {}
    for folder, target in (("notebooks", "lectures"), ("exercises", "practice")):
        (STAGING / target).mkdir()
        chapters[target] = []
        for nb in sorted((REPO_ROOT / folder).glob("*.ipynb")):
            shutil.copy(nb, STAGING / target / nb.name)
            chapters[target].append(f"{target}/{nb.stem}")
    (STAGING / "results").mkdir()
    for png in committed_plots(REPO_ROOT / "results", "*.png"):
        shutil.copy(png, STAGING / "results" / png.name)
    (STAGING / "results.md").write_text(results_page())
    toc = ["format: jb-book", "root: intro", "parts:"]
    for caption, files in (("Lectures", chapters["lectures"]), ("Practice", chapters["practice"]),
                           ("Course", ["results", "instructor", "references"])):
        toc += [f"- caption: {caption}", "  chapters:"] + [f"  - file: {f}" for f in files]
    (STAGING / "_toc.yml").write_text("\n".join(toc) + "\n")
    return STAGING


# Sphinx writes math as \( \) and \[ \] inside elements of class "math", and MyST-NB marks the
# page "tex2jax_ignore": MathJax 2 must be told to typeset those elements all the same.
MATHJAX2_CONFIG = """    mathjax3_config: null
    mathjax2_config:
      tex2jax:
        inlineMath: [["\\\\(", "\\\\)"]]
        displayMath: [["\\\\[", "\\\\]"]]
        processEscapes: true
        processClass: "math|tex2jax_process|mathjax_process|output_area"
        ignoreClass: "tex2jax_ignore|mathjax_ignore"
      messageStyle: none
      menuSettings: {explorer: false, assistiveMML: false, semantic: false}
"""


def build(allow_missing_mathjax: bool = False) -> Path:
    staging = stage()
    config = (staging / "_config.yml").read_text()
    mathjax = find_mathjax()
    if mathjax:
        folder, script = mathjax
        # not in _static: Jupyter Book adds a <script> for every .js file found there
        shutil.copytree(folder, staging / "vendor" / "mathjax",
                        ignore=shutil.ignore_patterns("unpacked", "test"))
        config += f"    html_static_path: [vendor]\n    mathjax_path: mathjax/{script}\n"
        if script.startswith("MathJax.js"):  # MathJax 2 (Debian): it needs its own config,
            config += MATHJAX2_CONFIG  # the Sphinx default is written for MathJax 3
    elif not allow_missing_mathjax:
        raise SystemExit("no local MathJax: install it (apt-get install libjs-mathjax); "
                         "the site loads nothing from a CDN")
    else:
        print("warning: no local MathJax, math will not render", file=sys.stderr)
        config += "    mathjax_path: mathjax/missing.js\n"
    (staging / "_config.yml").write_text(config)
    subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", str(staging),
                    "--path-output", str(OUTPUT)], check=True)
    html = OUTPUT / "_build" / "html"
    # Jupyter Book's index.html is a bare <meta> refresh to intro.html: no title, no language,
    # and the browser's requests from it (its icon) are cut off by the redirect. The landing
    # page is a copy of intro.html instead (same folder, so its relative links hold).
    shutil.copyfile(html / "intro.html", html / "index.html")
    print(f"site built: {html / 'index.html'}")
    return html


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    b = sub.add_parser("build", help="build the site into build/site/_build/html (no execution)")
    b.add_argument("--allow-missing-mathjax", action="store_true",
                   help="build even without a local MathJax (math then does not render)")


def main(args) -> int:
    build(allow_missing_mathjax=args.allow_missing_mathjax)
    return 0
