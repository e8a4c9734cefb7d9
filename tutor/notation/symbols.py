"""The tables of mathematics as people write it: characters, macros, function names.

Unicode math is first rewritten into the LaTeX it stands for (`ŷ` → `\\hat{y}`, `W₂ᵀ` → `W_{2}^{T}`),
so one tokenizer reads both. Each table maps what is written to what the network language means.
"""
from __future__ import annotations

#: Unicode characters → the LaTeX they stand for (applied before tokenizing).
UNICODE = {
    "ŷ": r"\hat{y}", "Ŷ": r"\hat{Y}", "ᵀ": "^{T}", "⊤": r"\top ", "−": "-", "–": "-", "∘": r"\circ ",
    "⊙": r"\odot ", "·": r"\cdot ", "⋅": r"\cdot ", "∙": r"\cdot ", "×": r"\times ", "∗": "*",
    "σ": r"\sigma ", "δ": r"\delta ", "Δ": r"\Delta ", "∂": r"\partial ", "∇": r"\nabla ", "Σ": r"\sum ",
    "∑": r"\sum ", "∈": r"\in ", "ℝ": r"\mathbb{R}", "√": r"\sqrt ", "′": "'", "’": "'", "⊗": r"\otimes ",
    "ℓ": r"\ell ", "η": r"\eta ", "λ": r"\lambda ", "θ": r"\theta ", "α": r"\alpha ", "β": r"\beta ",
    "ϵ": r"\epsilon ", "ε": r"\epsilon ", "μ": r"\mu ", "π": r"\pi ", "‖": r"\| ", "⟨": "(", "⟩": ")",
    "\u0302": "", "\u00a0": " ", "…": r"\ldots ",
}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙₘₜₓ₊₋", "0123456789ijknmtx+-"))
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ⁱⁿ⁽⁾", "0123456789-in()"))

#: Macros that only change how a letter looks: `\mathbf{W}` is W.
STYLES = {"boldsymbol", "mathbf", "bm", "mathrm", "mathit", "vec", "mathsf", "bf", "rm", "it", "mathnormal",
          "pmb", "underline", "overrightarrow", "mathtt", "textbf", "textit", "displaystyle", "textstyle",
          "scriptstyle", "limits", "nolimits", "mathbold", "symbf", "symbfit", "symit", "symrm", "mathbfit", "bold",
          "vb", "vv", "va", "boldmath", "textup", "emph", "sf", "tt", "cal", "scriptscriptstyle"}
#: Decorations that make a new name: `\hat{y}` is yhat.
DECORATIONS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
               "widetilde": "tilde", "dot": "dot"}
#: Macros that are words: `\text{softmax}`, `\operatorname{diag}`.
WORDS = {"text", "operatorname", "textrm", "textnormal", "mbox", "mathop", "textsf", "texttt", "mathcal",
         "mathscr", "mathbb", "Bbb"}
#: Spacing and sizing that mean nothing here.
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "Biggl", "Biggr", "middle", ",", ";", ":", "!", "quad", "qquad", " ", "nonumber", "notag", "label",
           "tag", "ldots", "cdots", "dots", "displaystyle", "hspace", "vspace", "phantom", "mathstrut", "strut",
           "limits", "nolimits", "underbrace", "overbrace"}
#: Greek letters are names (`\delta_1`, `\theta`); `\sigma` alone is the sigmoid unless the network has a sigma.
GREEK = {"alpha", "beta", "gamma", "delta", "Delta", "epsilon", "varepsilon", "eta", "theta", "Theta", "lambda",
         "mu", "nu", "pi", "rho", "sigma", "Sigma", "tau", "phi", "varphi", "Phi", "psi", "omega", "Omega", "ell",
         "xi", "zeta", "kappa", "chi"}

#: Operators that always mean the elementwise (Hadamard) product.
HADAMARD = {"circ", "odot", "ast", "star", "bullet"}
#: Operators whose meaning (matrix or elementwise or scalar product) the shapes decide.
PRODUCT = {"cdot", "times", "dot_"}
TRANSPOSE = {"T", "top", "intercal", "mathsf{T}", "t", "tr", "transpose"}

#: Function names as written → the network language's function (what reads an argument).
FUNCTIONS = {
    "sigma": "sigmoid", "sigmoid": "sigmoid", "sig": "sigmoid", "logistic": "sigmoid",
    "tanh": "tanh", "relu": "relu", "ReLU": "relu", "ReLu": "relu", "Relu": "relu", "RELU": "relu",
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs",
    "softmax": "softmax", "Softmax": "softmax", "SoftMax": "softmax", "softmax_": "softmax",
    "diag": "diag", "Diag": "diag", "sum": "sum", "mean": "mean",
    "CE": "cross_entropy", "cross_entropy": "cross_entropy", "crossentropy": "cross_entropy",
    "CrossEntropy": "cross_entropy", "H_": "cross_entropy", "xent": "cross_entropy", "L_{CE}": "cross_entropy",
    "max": "max_", "outer": "outer", "log_softmax": "log_softmax", "vec": "vec",
}
#: Functions of one argument that may be written without parentheses: `\log \hat{y}_i`, `\sigma z`.
BARE_ARGUMENT = {"log", "exp", "sigmoid", "tanh", "sqrt", "relu"}
#: Letters that are indices when written as subscripts of a name that is not in the network: `y_i`.
INDEX_LETTERS = set("ijklmnt") | {"ij", "ik", "jk", "n", "k"}

#: A symbol whose reading is a word the network language keeps for itself gets another name: λ is `lambd`, as
#: deeplearning.ai writes it; any other keyword gets a trailing underscore.
RESERVED = {"lambda": "lambd"}


def unreserved(name: str) -> str:
    from keyword import iskeyword
    return RESERVED.get(name, name + "_") if iskeyword(name) else name


def plain_letters(text: str) -> str:
    """Mathematical italic and bold letters (𝑑𝑤, 𝐖, ℎ), as word processors and some sites paste them, as the plain
    letters they style, and δJ/δW1 (δ typed where ∂ is not at hand) as ∂J/∂W1: one character for one, so that
    places in the text stay where they were."""
    import re
    import unicodedata
    text = re.sub(r"δ(\s*[A-Za-z]\w*\s*/\s*)δ(?=\s*[A-Za-z])", r"∂\1∂", text)

    def plain(ch: str) -> str:
        folded = unicodedata.normalize("NFKC", ch)
        return folded if len(folded) == 1 else ch
    return "".join(plain(ch) if "\U0001d400" <= ch <= "\U0001d7ff" or ch == "ℎ" else ch for ch in text)
