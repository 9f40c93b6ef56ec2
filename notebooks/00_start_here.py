# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Start here
#
# Welcome to the open LSTM course. In this notebook, we:
#
# 1. look at the map of the course: what each notebook teaches and where the exercises are;
# 2. check that this machine is ready: Python and library versions, the device PyTorch will
#    use, the run profile, and the five data sets;
# 3. draw a first plot and move a first slider, to make sure JupyterLab shows both.
#
# Run every cell from top to bottom (menu *Run → Run All Cells*).

# %% [markdown]
# ## The course map
#
# Lecture notebooks (in `notebooks/`) teach with complete, worked code. Practice notebooks
# (in `exercises/`) ask you to write the key pieces yourself and check each answer at once;
# `solutions/` holds the worked answers.
#
# | # | lecture notebook | what you learn | practice |
# |---|---|---|---|
# | 00 | `00_start_here` | the course map, your set-up | — |
# | 01 | `01_from_rnn_to_lstm` | why plain RNNs forget; the LSTM's gates derived; the adding problem | RNN gradient norms; strong inputs and the tanh's saturation, predicted then measured |
# | 02 | `02_numpy_lstm_forward` | the LSTM forward pass in NumPy, shape by shape | `lstm_step_forward`, `lstm_forward` |
# | 03 | `03_numpy_lstm_backward` | backpropagation through time, gradient checks, proof against PyTorch | `lstm_step_backward`, `lstm_backward`, clipping, a planted bug found |
# | 04 | `04_the_data` | MNIST, IMDB, Penn Treebank, SST and GloVe, looked at | a vocabulary with `<unk>`, the BPTT layout, the `<unk>` rate of new text measured |
# | 05 | `05_numpy_to_pytorch` | the same cell in PyTorch; speed; batch size | torch cell, a training step; a broken step found by measuring it |
# | 06 | `06_mnist_rows` | an image read row by row | masked pooling / evaluation; which rows the model needs, predicted then measured |
# | 07 | `07_imdb_sentiment` | sentiment of movie reviews; padding done right | vocabulary + padding |
# | 08 | `08_ptb_word_lm` | word language models, perplexity, Zaremba et al. | perplexity, batchify, sampling; carried vs reset state, predicted then measured |
# | 09 | `09_ptb_char_lm` | a character language model, bits per character | bits per character, temperature sampling, the entropy's limits measured |
# | 10 | `10_sst5_attention` | fine-grained sentiment with attention | masked attention pooling; a planted masking bug found from its symptoms |
# | 11 | `11_hyperparameter_study` | a grid search done right | choose on dev, report test once, state the noise |
# | 12 | `12_lstm_variants` | the GRU, peepholes and coupled gates derived and checked; which parts of the LSTM matter (Greff et al.) | GRU step forward, and its backward derived |
#
# Every notebook runs in one of three **run profiles**, chosen by the environment variable
# `LSTM_COURSE_PROFILE`: `smoke` (tiny, seconds: what CI runs), `laptop` (the default: real
# data, minutes on a CPU) and `full` (the papers' configurations; a GPU helps).

# %% [markdown]
# ## Is this machine ready?
#
# `course_lib` is the course's helper package; every notebook imports it. Its doctor reports
# the versions, the device (a CUDA GPU, then Apple's MPS, then the CPU), the run profile, and
# where each data set was found. The same report is printed by `lstm-course doctor` in a shell.

# %%
from course_lib.tools.doctor import report

text, all_data_found = report()
print(text)

# %% [markdown]
# If a data set shows **MISSING**, run the command in its last column in a terminal (it
# downloads the files and checks their digests), or point `LSTM_COURSE_DATA` at a folder that
# already holds them, then run this notebook again.

# %%
if all_data_found:
    print("All five data sets are here: you are ready for the whole course.")
else:
    print("Some data sets are missing: notebooks 01-03 and 05 still work without them.")

# %% [markdown]
# ## A first plot
#
# The LSTM is built from two squashing functions: the **sigmoid** $\sigma(z) = 1/(1+e^{-z})$,
# whose output in $(0, 1)$ acts as a gate (0 = closed, 1 = open), and $\tanh$, whose output in
# $(-1, 1)$ carries content. Let us draw both.

# %%
import matplotlib.pyplot as plt
import numpy as np

z = np.linspace(-6, 6, 241)
sigmoid = 1 / (1 + np.exp(-z))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(z, sigmoid, label=r"sigmoid $\sigma(z)$: a gate")
ax.plot(z, np.tanh(z), label=r"$\tanh(z)$: content")
ax.axhline(0, color="grey", lw=0.5)
ax.set(title="The LSTM's two nonlinearities", xlabel="pre-activation z",
       ylabel="output", ylim=(-1.1, 1.1))
ax.legend()
plt.show()

# %% [markdown]
# Two values worth remembering: a gate at pre-activation 0 is half open, and $\tanh(0) = 0$.

# %%
# NBVAL_CHECK_OUTPUT
print(f"sigmoid(0) = {1 / (1 + np.exp(-0.0)):.2f}, tanh(0) = {np.tanh(0.0):.2f}")

# %% [markdown]
# ## A first slider: how long does a memory last?
#
# An LSTM keeps its memory in a cell state $c_t$. With no new input, each step multiplies it by
# the forget gate $f$: after $t$ steps, $c_t = f^{\,t}\, c_0$. Drag the slider (or click it and
# use the arrow keys) to see how fast a memory fades for each value of $f$.


# %%
def plot_memory(forget_gate: float = 0.9, steps: int = 50):
    """Draw c_t = f^t for t = 0..steps."""
    t = np.arange(steps + 1)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(t, forget_gate**t, marker=".")
    ax.set(title=f"Memory with forget gate f = {forget_gate:.2f}", xlabel="time step t",
           ylabel=r"remaining memory $c_t / c_0$", ylim=(0, 1.05))
    plt.show()
    print(f"after {steps} steps, {forget_gate**steps:.1%} of the memory remains")


# A static picture of the default f = 0.9 first: GitHub and the course site show this one;
# the live slider below redraws its own copy.
plot_memory(0.9)
try:
    import ipywidgets as widgets
    from IPython.display import display

    slider = widgets.FloatSlider(value=0.9, min=0.5, max=1.0, step=0.01,
                                 description="forget gate f", continuous_update=True,
                                 style={"description_width": "initial"})
    display(slider, widgets.interactive_output(plot_memory, {"forget_gate": slider}))
except ImportError:  # no ipywidgets: the static picture above is all there is
    pass

# %% [markdown]
# With $f = 0.9$ almost nothing is left after 50 steps; with $f = 0.99$ most of it is. The
# LSTM *learns* its forget gate, step by step, from the data: notebook 01 shows why this one
# multiplication is what lets it remember over hundreds of steps where a plain RNN cannot.
#
# ## Recap
#
# - The course runs from the gate equations (01) through NumPy (02-03) to PyTorch (05) and four
#   classic experiments (06-11); `exercises/` holds the practice notebooks.
# - `lstm-course doctor` (or the cell above) tells you whether the machine and data are ready.
# - `LSTM_COURSE_PROFILE` picks how big every run is: `smoke`, `laptop` or `full`.
#
# Next: `01_from_rnn_to_lstm`.
