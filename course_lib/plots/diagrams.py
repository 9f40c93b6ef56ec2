"""Diagrams of the course, drawn by code: the cells, the unrolled graph, the backward paths,
truncated BPTT and the architectures of the experiment notebooks.

One visual language: a rounded box is a layer with its activation (sigma, tanh, linear), a
circle is an elementwise operation (⊙ or +), an arrow carries a named quantity. Every function
returns a :class:`Diagram` (``.figure`` and ``.alt``); as a notebook cell's last value it shows
as a PNG image with its alt text.
"""

import base64
import html
import io

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

GATE = "#cfe2f3"
TANH = "#d9ead3"
OP = "#fff2cc"
IO = "#eeeeee"
FONT = 11


class Diagram:
    """A figure with its plain-text description.

    - figure: the matplotlib Figure
    - alt: one or two sentences, used as alt text and caption
    - values: for an annotated cell, {arrow name: value drawn on it}
    """

    def __init__(self, figure, alt, values=None):
        self.figure = figure
        self.alt = alt
        self.values = dict(values or {})

    def png(self, dpi=110):
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = self.png()
        encoded = base64.b64encode(data).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        return {"image/png": data,
                "text/html": f'<img src="data:image/png;base64,{encoded}" alt="{alt}">',
                "text/plain": self.alt}

    def close(self):
        """Free the figure (it is not registered with pyplot, so nothing else holds it)."""
        self.figure.clear()


def _canvas(width, height, title=None):
    # a Figure outside pyplot: a notebook shows the Diagram once, not also as a stray figure
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=FONT + 2)
    return fig, ax


def _box(ax, x, y, text, color=GATE, w=1.0, h=0.6, fontsize=FONT):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                facecolor=color, edgecolor="black", linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _op(ax, x, y, symbol, r=0.22):
    ax.add_patch(Circle((x, y), r, facecolor=OP, edgecolor="black", linewidth=1.2))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=FONT + 1)


def _arrow(ax, start, end, label=None, offset=(0.0, 0.15), color="black", style="-|>",
           dashed=False, gid=None, fontsize=FONT - 1, shrink=14):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color,
                                 linestyle="--" if dashed else "-", linewidth=1.2,
                                 shrinkA=shrink, shrinkB=shrink))
    if label:
        mx = (start[0] + end[0]) / 2 + offset[0]
        my = (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="bottom", fontsize=fontsize, color=color,
                gid=gid, bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))


def _poly(ax, points, label=None, at=0, offset=(0.0, 0.12), dashed=False, color="black",
          gid=None):
    """A polyline arrow through points; the label sits on segment `at`."""
    for k in range(len(points) - 1):
        last = k == len(points) - 2
        _arrow(ax, points[k], points[k + 1], style="-|>" if last else "-", dashed=dashed,
               color=color, label=label if k == at else None, offset=offset, gid=gid,
               shrink=14 if last or k == 0 else 0)


def _cell_values(cache, unit):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    u = unit
    c = f[0, u] * prev_c[0, u] + i[0, u] * g[0, u]
    return {"c_prev": prev_c[0, u], "h_prev": prev_h[0, u], "i": i[0, u], "f": f[0, u],
            "g": g[0, u], "o": o[0, u], "f_c": f[0, u] * prev_c[0, u],
            "i_g": i[0, u] * g[0, u], "c": c, "tanh_c": tanh_c[0, u],
            "h": o[0, u] * tanh_c[0, u]}


def lstm_cell(cache=None, unit=0, variant="vanilla"):
    """The LSTM cell; with `cache` from `lstm_step_forward`, each arrow shows its value for
    `unit` (first batch row). variant: "vanilla", "peephole" (gates see the cell) or "cifg"
    (coupled input and forget gates, i = 1 - f)."""
    if variant not in ("vanilla", "peephole", "cifg"):
        raise ValueError(f"variant must be vanilla, peephole or cifg, not {variant!r}")
    values = _cell_values(cache, unit) if cache is not None else {}

    def lab(name, text):
        return f"{text} = {values[name]:.3f}" if name in values else text

    fig, ax = _canvas(11, 6.2, {"vanilla": "LSTM cell", "peephole": "LSTM cell with peepholes",
                                "cifg": "LSTM cell with coupled gates (CIFG)"}[variant])
    top, gy, bot = 5.0, 2.4, 0.8
    ax.text(0.3, top, "$c_{t-1}$", fontsize=FONT + 1, va="center")
    ax.text(0.3, bot, "$h_{t-1}$", fontsize=FONT + 1, va="center")
    ax.text(1.25, 0.05, "$x_t$", fontsize=FONT + 1, ha="center")
    ax.text(10.4, top, "$c_t$", fontsize=FONT + 1, va="center")
    ax.text(10.4, bot, "$h_t$", fontsize=FONT + 1, va="center")
    # the input bus: [h_{t-1}, x_t] feeds every gate
    ax.plot([0.9, 7.3], [bot, bot], color="black", lw=1.2)
    ax.plot([1.25, 1.25], [0.3, bot], color="black", lw=1.2)
    gates = {"f": 2.2, "i": 3.9, "g": 5.3, "o": 7.3}
    names = {"f": "f  σ", "i": "i  σ" if variant != "cifg" else "i = 1 − f", "g": "g  tanh",
             "o": "o  σ"}
    for key, gx in gates.items():
        _box(ax, gx, gy, names[key], color=TANH if key == "g" else GATE, w=1.2)
        if not (variant == "cifg" and key == "i"):
            _arrow(ax, (gx, bot), (gx, gy - 0.3), shrink=0)
    ax.text(1.0, bot - 0.35, lab("h_prev", "$h_{t-1}$"), fontsize=FONT - 1, gid="value:h_prev"
            if values else None)
    if variant == "cifg":
        _arrow(ax, (2.8, gy), (3.3, gy), shrink=0)
    # cell line
    _op(ax, 2.2, top, "⊙")
    _op(ax, 5.3, top, "+")
    _arrow(ax, (0.9, top), (2.2, top), lab("c_prev", "$c_{t-1}$"), gid="value:c_prev" if values else None)
    _arrow(ax, (2.2, top), (5.3, top), lab("f_c", "$f⊙c_{t-1}$"),
           gid="value:f_c" if values else None)
    _arrow(ax, (5.3, top), (10.3, top), lab("c", "$c_t$"), offset=(0.9, 0.15),
           gid="value:c" if values else None)
    _arrow(ax, (2.2, gy + 0.3), (2.2, top), lab("f", "f"), offset=(-0.55, -0.1),
           gid="value:f" if values else None, shrink=0)
    _op(ax, 4.6, 3.7, "⊙")
    _arrow(ax, (3.9, gy + 0.3), (4.6, 3.7), lab("i", "i"), offset=(-0.65, 0.0),
           gid="value:i" if values else None, shrink=2)
    _arrow(ax, (5.3, gy + 0.3), (4.6, 3.7), lab("g", "g"), offset=(0.75, -0.1),
           gid="value:g" if values else None, shrink=2)
    _arrow(ax, (4.6, 3.7), (5.3, top), lab("i_g", "i⊙g"), offset=(-0.75, 0.0),
           gid="value:i_g" if values else None)
    # output
    _box(ax, 8.6, 3.9, "tanh", color=TANH, w=0.9, h=0.5)
    ax.plot([8.6, 8.6], [top, 4.2], color="black", lw=1.2)
    _op(ax, 8.6, gy, "⊙")
    _arrow(ax, (8.6, 3.65), (8.6, gy), lab("tanh_c", "tanh $c_t$"), offset=(0.95, -0.1),
           gid="value:tanh_c" if values else None, shrink=2)
    _arrow(ax, (7.3 + 0.6, gy), (8.6, gy), lab("o", "o"), offset=(-0.2, 0.25),
           gid="value:o" if values else None, shrink=4)
    ax.plot([8.6, 8.6], [gy - 0.22, bot], color="black", lw=1.2)
    _arrow(ax, (8.6, bot), (10.3, bot), shrink=0)
    ax.text(9.4, bot + 0.12, lab("h", "$h_t$"), fontsize=FONT - 1, ha="center", va="bottom",
            gid="value:h" if values else None)
    if variant == "peephole":
        for key in ("f", "i"):
            _arrow(ax, (1.6 if key == "f" else 3.3, top), (gates[key] - 0.3, gy + 0.3),
                   color="#a61c00", dashed=True, shrink=2)
        _arrow(ax, (7.0, top), (7.3, gy + 0.3), color="#a61c00", dashed=True, shrink=2)
        ax.text(6.1, 3.4, "peepholes:\nf, i see $c_{t-1}$;\no sees $c_t$", color="#a61c00",
                fontsize=FONT - 2, ha="left")
    alt = ("The LSTM cell: x_t and h_{t-1} feed the gates f, i, o (sigmoid) and the candidate g "
           "(tanh); c_t = f⊙c_{t-1} + i⊙g and h_t = o⊙tanh(c_t).")
    if variant == "peephole":
        alt += " Peepholes: f and i also see c_{t-1}, and o sees c_t."
    if variant == "cifg":
        alt += " Coupled gates: the input gate is i = 1 − f, so writing and forgetting share a gate."
    if values:
        alt += f" Arrows show one real step's values for unit {unit}."
    return Diagram(fig, alt, values)


def rnn_cell():
    """The vanilla RNN cell, h_t = tanh(W_x x_t + W_h h_{t-1} + b)."""
    fig, ax = _canvas(7, 3.2, "RNN cell")
    ax.text(0.2, 1.6, "$h_{t-1}$", fontsize=FONT + 1, va="center")
    ax.text(3.0, 0.1, "$x_t$", fontsize=FONT + 1, ha="center")
    _box(ax, 3.0, 1.6, "tanh(W_x x + W_h h + b)", color=TANH, w=3.0, h=0.7)
    _arrow(ax, (0.9, 1.6), (1.5, 1.6), shrink=0)
    _arrow(ax, (3.0, 0.45), (3.0, 1.25), shrink=0)
    _arrow(ax, (4.5, 1.6), (6.2, 1.6), "$h_t$", shrink=0)
    return Diagram(fig, "The RNN cell: one tanh layer maps x_t and h_{t-1} to h_t; there is no "
                   "separate cell state and no gate.")


def _dot(ax, x, y):
    """A junction: one quantity goes two ways."""
    ax.add_patch(Circle((x, y), 0.06, facecolor="black", edgecolor="black"))


def gru_cell():
    """The GRU cell in PyTorch's formulation: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}. Laid out so that no two arrows cross."""
    fig, ax = _canvas(10, 6.2, "GRU cell")
    top, mid, gy, bot = 5.0, 3.75, 2.4, 0.8
    xz, xr, xm, xn = 2.4, 4.2, 5.7, 7.6  # z gate, r gate, the reset ⊙, candidate n
    r_op = 0.22  # radius of an operation circle
    ax.text(0.2, top, "$h_{t-1}$", fontsize=FONT + 1, va="center")
    ax.text(1.6, 0.05, "$x_t$", fontsize=FONT + 1, ha="center")
    ax.text(9.5, top, "$h_t$", fontsize=FONT + 1, va="center")
    # the state line along the top: h_{t-1} -> z ⊙ . -> + -> h_t
    _dot(ax, 1.0, top)
    _op(ax, xz, top, "⊙")
    _op(ax, xn, top, "+")
    _arrow(ax, (0.8, top), (xz - r_op, top), shrink=0)
    _arrow(ax, (xz + r_op, top), (xn - r_op, top), "$z⊙h_{t-1}$", offset=(0.0, 0.1), shrink=0)
    _arrow(ax, (xn + r_op, top), (9.4, top), shrink=0)
    # the input bus [h_{t-1}, x_t] along the bottom feeds z, r, W_hn h and the candidate
    ax.plot([1.0, 1.0], [top, bot], color="black", lw=1.2)
    ax.plot([1.0, xn], [bot, bot], color="black", lw=1.2)
    ax.plot([1.6, 1.6], [0.35, bot], color="black", lw=1.2)
    _dot(ax, 1.6, bot)
    ax.text(6.6, bot - 0.32, "$[h_{t-1}, x_t]$", fontsize=FONT - 1, ha="center")
    for name, gx, col in (("z  σ", xz, GATE), ("r  σ", xr, GATE), ("n  tanh", xn, TANH)):
        _box(ax, gx, gy, name, color=col, w=1.2)
        _arrow(ax, (gx, bot), (gx, gy - 0.35), shrink=0)
    # reset: r ⊙ (W_hn h_{t-1} + b_hn) enters the candidate
    _box(ax, xm, 1.55, "$W_{hn}h_{t-1}+b_{hn}$", color=IO, w=1.8, h=0.45, fontsize=FONT - 2)
    _arrow(ax, (xm, bot), (xm, 1.55 - 0.28), shrink=0)
    _op(ax, xm, gy, "⊙")
    _arrow(ax, (xm, 1.55 + 0.28), (xm, gy - r_op), shrink=0)
    _arrow(ax, (xr + 0.65, gy), (xm - r_op, gy), "r", offset=(0.0, 0.08), shrink=0)
    _arrow(ax, (xm + r_op, gy), (xn - 0.65, gy), shrink=0)
    # update: z gates the old state on top, 1 − z gates the candidate
    ax.plot([xz, xz], [gy + 0.35, mid], color="black", lw=1.2)
    _dot(ax, xz, mid)
    _arrow(ax, (xz, mid), (xz, top - r_op), shrink=0)
    ax.text(xz - 0.12, (mid + top) / 2 - 0.1, "z", fontsize=FONT - 1, ha="right")
    _box(ax, 4.6, mid, "1 − ·", color=IO, w=0.8, h=0.4, fontsize=FONT - 1)
    _arrow(ax, (xz, mid), (4.6 - 0.45, mid), shrink=0)
    _op(ax, xn, mid, "⊙")
    _arrow(ax, (4.6 + 0.45, mid), (xn - r_op, mid), "1 − z", offset=(0.0, 0.08), shrink=0)
    _arrow(ax, (xn, gy + 0.35), (xn, mid - r_op), shrink=0)
    ax.text(xn + 0.12, (gy + mid) / 2 - 0.1, "n", fontsize=FONT - 1, ha="left")
    _arrow(ax, (xn, mid + r_op), (xn, top - r_op), shrink=0)
    ax.text(xn + 0.12, (mid + top) / 2 - 0.1, "$(1 − z)⊙n$", fontsize=FONT - 1, ha="left")
    return Diagram(fig, "The GRU cell (PyTorch formulation): from [h_{t-1}, x_t], the update "
                   "gate z and the reset gate r (sigmoid); the candidate n = tanh(W_in x_t + "
                   "b_in + r⊙(W_hn h_{t-1} + b_hn)); then h_t = z⊙h_{t-1} + (1 − z)⊙n.")


def unrolled(steps=4):
    """The LSTM unrolled over `steps` steps; the same weights W in every copy."""
    fig, ax = _canvas(2.3 * steps + 2, 4.0, f"The LSTM unrolled over T = {steps} steps")
    for t in range(steps):
        x = 1.6 + 2.3 * t
        _box(ax, x, 2.0, "LSTM\nW, b", color=GATE, w=1.3, h=1.0, fontsize=FONT - 1)
        name = f"t={t + 1}"
        _arrow(ax, (x, 0.6), (x, 1.5), f"$x_{{{t + 1}}}$", offset=(0.35, -0.3), shrink=0)
        _arrow(ax, (x, 2.5), (x, 3.4), f"$h_{{{t + 1}}}$", offset=(0.35, -0.3), shrink=0)
        ax.text(x, 0.3, name, ha="center", fontsize=FONT - 2, color="gray")
        if t:
            _arrow(ax, (x - 1.65, 2.2), (x - 0.65, 2.2), "h, c", shrink=0)
    _arrow(ax, (0.1, 2.2), (0.95, 2.2), "$h_0, c_0$", shrink=0)
    ax.text(ax.get_xlim()[1] / 2, 3.75, "one set of parameters W, b shared by every step",
            ha="center", fontsize=FONT - 1, color="#1c4587")
    return Diagram(fig, f"The LSTM unrolled over {steps} steps: each copy reads x_t and the "
                   "previous (h, c) and emits h_t; all copies share the same weights W, b.")


CELL_PATH = "#1c4587"
H_PATH = "#a61c00"


def backward_paths(cell_path=None, h_path=None):
    """The two ways the gradient of c_t reaches c_{t-k}: along the cell (a product of forget
    gates) and through h (each step's gates and W_h, then back into the cell by o ⊙ tanh′).

    - cell_path: measured with the cell path alone, e.g. the gradient at the longest lag
      relative to lag 1 with the h paths cut
    - h_path: the same measure with the h paths too (full backpropagation)
    """
    measured = cell_path is not None or h_path is not None
    fig, ax = _canvas(10.5, 5.6 if measured else 4.8, "Two ways back from $c_t$ to $c_{t-k}$")
    top, bot, w, h = 3.9, 1.6, 1.0, 0.55
    xs = [1.2, 3.6, 6.0, 8.4]
    names = ["t-k", "...", "t-1", "t"]
    for x, n in zip(xs, names):
        _box(ax, x, top, "..." if n == "..." else f"$c_{{{n}}}$", color=IO, w=w, h=h)
        if n != "t":  # from c_t the gradient goes back, never to h_t
            _box(ax, x, bot, "..." if n == "..." else f"$h_{{{n}}}$", color=IO, w=w, h=h)
    edge = w / 2 + 0.08  # half a box and its padding
    for a, b in zip(xs[1:], xs[:-1]):  # one step back: from column a to column b
        last = a == xs[-1]
        # the cell path: dc_{s-1} = f_s ⊙ dc_s
        _arrow(ax, (a - edge, top), (b + edge, top), "⊙ f" if last else None,
               color=CELL_PATH, offset=(0, 0.08), shrink=0)
        # into h_{s-1} through the gates' pre-activations (W_h)
        _arrow(ax, (a - 0.3, top - h / 2 - 0.06), (b + 0.35, bot + h / 2 + 0.06),
               "gates, $W_h$" if last else None, color=H_PATH, dashed=True,
               offset=(0.85, -0.1), shrink=0)
        if a != xs[-1]:  # h_s -> h_{s-1} (W_h) and h_s -> c_s (o ⊙ tanh')
            _arrow(ax, (a - edge, bot), (b + edge, bot), "$W_h$" if a == xs[-2] else None,
                   color=H_PATH, dashed=True, offset=(0, 0.08), shrink=0)
        _arrow(ax, (b + 0.2, bot + h / 2 + 0.06), (b + 0.2, top - h / 2 - 0.06),
               "o ⊙ tanh′" if b == xs[-2] else None, color=H_PATH, dashed=True,
               offset=(-0.62, -0.1), shrink=0)
    # the legend, with the measured numbers
    cell = "cell path: one factor f per step, so it decays like ∏ f"
    hpath = "paths through h: gates and $W_h$ at each step, back into c by o ⊙ tanh′"
    ax.plot([0.4, 1.2], [0.75, 0.75], color=CELL_PATH, lw=1.6)
    ax.text(1.4, 0.75, cell, color=CELL_PATH, fontsize=FONT - 1, va="center")
    ax.plot([0.4, 1.2], [0.3, 0.3], color=H_PATH, lw=1.6, ls="--")
    ax.text(1.4, 0.3, hpath, color=H_PATH, fontsize=FONT - 1, va="center")
    if measured:
        lines = ["measured, longest lag ÷ lag 1:"]
        if cell_path is not None:
            lines.append(f"cell path alone: {cell_path:.2g}")
        if h_path is not None:
            lines.append(f"with the h paths (full): {h_path:.2g}")
        ax.text(10.3, 4.95, "\n".join(lines), ha="right", va="center", fontsize=FONT - 1,
                gid="value:measured", bbox=dict(facecolor="white", edgecolor="gray",
                                                boxstyle="round,pad=0.3"))
    alt = ("The gradient reaches c_{t-k} along the cell path, a product of forget gates, and "
           "along paths through h: from each c_s into h_{s-1} by the gates and W_h, along h by "
           "W_h, and back into the cell by o⊙tanh′; the full gradient is the sum of both.")
    if measured:
        alt += " Measured at the longest lag relative to lag 1: " + ", ".join(lines[1:]) + "."
    return Diagram(fig, alt, {"cell_path": cell_path, "h_path": h_path})


def truncated_bptt(window=5, windows=3):
    """Truncated BPTT: windows of `window` steps; the state is carried forward between windows
    but detached, so gradients stop at each window's start."""
    w = 0.55
    width = windows * (window * w + 1.0) + 1.0
    fig, ax = _canvas(width, 3.2, "Truncated BPTT")
    for k in range(windows):
        x0 = 0.8 + k * (window * w + 1.0)
        for t in range(window):
            _box(ax, x0 + t * w + w / 2, 1.6, "", color=GATE, w=w * 0.7, h=0.5)
        ax.add_patch(FancyBboxPatch((x0 - 0.05, 1.1), window * w + 0.1, 1.0,
                                    boxstyle="round,pad=0.05", fill=False, edgecolor="#1c4587",
                                    linestyle="--"))
        ax.text(x0 + window * w / 2, 2.3, f"window {k + 1}: backprop {window} steps",
                ha="center", fontsize=FONT - 2, color="#1c4587")
        _arrow(ax, (x0 + window * w - 0.1, 0.8), (x0 + 0.1, 0.8), color="#a61c00", shrink=0)
        if k < windows - 1:
            xe = x0 + window * w + 0.05
            _arrow(ax, (xe, 1.6), (xe + 0.9, 1.6), shrink=0)
            ax.text(xe + 0.45, 1.0, "detach", ha="center", fontsize=FONT - 2, color="#a61c00")
            ax.text(xe + 0.45, 1.75, "(h, c)", ha="center", fontsize=FONT - 2)
    ax.text(0.8, 0.35, "← gradients flow back only inside a window", color="#a61c00",
            fontsize=FONT - 2)
    return Diagram(fig, f"Truncated BPTT: the sequence is cut into windows of {window} steps; "
                   "the final (h, c) of one window is carried into the next but detached, so "
                   "gradients stop at the window boundary.")


def _stack(title, rows, alt, width=7.0):
    """A vertical flow of boxes, bottom to top: rows = [(text, color)]."""
    height = 1.0 + 1.0 * len(rows)
    fig, ax = _canvas(width, height, title)
    for k, (text, color) in enumerate(rows):
        y = 0.6 + k * 1.0
        _box(ax, width / 2, y, text, color=color, w=width - 1.2, h=0.6, fontsize=FONT - 1)
        if k:
            _arrow(ax, (width / 2, y - 0.7), (width / 2, y - 0.3), shrink=0)
    return fig, ax, alt


def mnist_rows_bilstm(hidden_size=128, num_layers=2):
    """Notebook 06: an image read as 28 rows of 28 pixels by a stacked bidirectional LSTM."""
    rows = [("28 rows × 28 pixels: x_1 … x_28", IO)]
    for layer in range(num_layers):
        rows.append((f"BiLSTM layer {layer + 1}: → {hidden_size} and ← {hidden_size}", GATE))
    rows += [("last states of both directions (dropout)", IO), ("linear → 10 classes, softmax",
                                                                 TANH)]
    fig, ax, alt = _stack("MNIST rows: stacked BiLSTM", rows,
                          f"Each image is a sequence of 28 rows; {num_layers} stacked "
                          f"bidirectional LSTM layers of {hidden_size} units per direction read "
                          "it, and a linear layer maps the final states to 10 digit classes.")
    return Diagram(fig, alt)


def imdb_classifier():
    """Notebook 07: embedding → BiLSTM → pooling over the real tokens only (mask)."""
    rows = [("token ids (padded) + mask", IO), ("embedding", TANH), ("BiLSTM", GATE),
            ("masked pooling: padding ignored", OP), ("linear → positive / negative", TANH)]
    fig, ax, alt = _stack("IMDB classifier", rows,
                          "A review's tokens are embedded, read by a bidirectional LSTM, pooled "
                          "over the real (unmasked) positions only, and classified by a linear "
                          "layer.")
    return Diagram(fig, alt)


def tied_language_model(hidden_size=200, num_layers=2):
    """Notebook 08: the word language model whose decoder is the embedding matrix transposed."""
    rows = [("word w_t", IO), (f"embedding E (V × {hidden_size})", TANH)]
    rows += [(f"LSTM layer {k + 1} ({hidden_size})", GATE) for k in range(num_layers)]
    rows += [("decoder: logits = h Eᵀ (tied to E)", TANH), ("softmax → P(w_{t+1})", IO)]
    fig, ax, alt = _stack("Word language model with tied weights", rows,
                          "Words are embedded with E, read by stacked LSTM layers, and the "
                          "decoder reuses the same matrix E (transposed) to score the next "
                          "word: the weights are tied.")
    top = 0.6 + 2 * 1.0 + (num_layers) * 1.0
    _arrow(ax, (0.5, 1.6), (0.5, top), "same E", offset=(0.0, 0.0), dashed=True,
           color="#a61c00", shrink=0)
    return Diagram(fig, alt)


def attention_pooling():
    """Notebook 10: a score per time step, softmax over the sentence, a weighted sum of h_t."""
    fig, ax = _canvas(9, 4.4, "Attention pooling")
    xs = [1.5, 3.2, 4.9, 6.6]
    for k, x in enumerate(xs):
        _box(ax, x, 0.8, f"$h_{k + 1}$", color=GATE, w=0.9, h=0.5)
        _box(ax, x, 2.0, f"$s_{k + 1} = v·h_{k + 1}$", color=TANH, w=1.4, h=0.5,
             fontsize=FONT - 2)
        _arrow(ax, (x, 1.05), (x, 1.75), shrink=0)
        _arrow(ax, (x, 2.25), (4.05, 3.2), shrink=2)
    _box(ax, 4.05, 3.5, "α = softmax(s);  pooled = Σ α_t h_t", color=OP, w=4.2, h=0.55,
         fontsize=FONT - 1)
    _arrow(ax, (6.15, 3.5), (8.6, 3.5), "classifier", offset=(0, 0.1), shrink=0)
    return Diagram(fig, "Attention pooling: each LSTM output h_t gets a score s_t; a softmax "
                   "over the sentence turns scores into weights α_t, and the sentence vector is "
                   "the weighted sum Σ α_t h_t.")


def tree_lstm_node():
    """Notebook 10: a binary Tree-LSTM node with one forget gate per child."""
    fig, ax = _canvas(9, 4.6, "Tree-LSTM node (binary)")
    _box(ax, 2.0, 0.7, "left child\n$h_L, c_L$", color=IO, w=1.8, h=0.8, fontsize=FONT - 1)
    _box(ax, 7.0, 0.7, "right child\n$h_R, c_R$", color=IO, w=1.8, h=0.8, fontsize=FONT - 1)
    for k, name in enumerate(["i σ", "$f_L$ σ", "$f_R$ σ", "o σ", "u tanh"]):
        x = 1.3 + 1.6 * k
        _box(ax, x, 2.3, name, color=TANH if "tanh" in name else GATE, w=1.2, h=0.5,
             fontsize=FONT - 1)
    _arrow(ax, (2.0, 1.1), (3.5, 2.05), shrink=2)
    _arrow(ax, (7.0, 1.1), (5.5, 2.05), shrink=2)
    _box(ax, 4.5, 3.8, "c = i⊙u + $f_L$⊙$c_L$ + $f_R$⊙$c_R$;   h = o⊙tanh(c)", color=OP,
         w=6.2, h=0.55, fontsize=FONT - 1)
    _arrow(ax, (4.5, 2.55), (4.5, 3.5), shrink=0)
    return Diagram(fig, "A binary Tree-LSTM node: the gates read both children's h; each child "
                   "has its own forget gate f_L, f_R, and the node's cell sums i⊙u and both "
                   "children's gated cells.")
