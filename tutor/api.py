"""shapetutor from Python: in a notebook, a script or an autograder's test cell.

    import tutor
    result = tutor.check("default", "W1", "(yhat - y) @ W2.T * h * (1 - h) @ x")
    result.verdict                      # 'shape_error'
    print(result)                       # the diagnosis, as the command line prints it
    tutor.assert_correct("default", "W1", answer, suggestion=False)   # one line in a graded test cell

Two people stand behind every call, and they are told apart. The instructor's inputs (the network,
the leaf, the dimensions) raise `ShapetutorError` when they are wrong. The learner's text never
raises: text that cannot be used is a `CheckResult` whose verdict is `unusable`, with a located
diagnostic.

This is the top layer, beside the command line. Nothing heavy is imported here: the engine is
imported when a function is called (`import tutor` loads neither NumPy nor rich nor typer), and
the terminal front only when a result is drawn (`str()`, `_repr_html_()`, `__rich__()`).
"""
from __future__ import annotations

import numbers
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, Union, cast

from .engine.diagnostics import Diagnostic
from .engine.errors import TutorError

if TYPE_CHECKING:
    from .engine.language.network import Network as EngineNetwork
    from .judge.result import CheckResult as JudgeResult, JudgedStep
    from .teach.derivation import Derivation as EngineDerivation, LeafGradient

__all__ = ["load", "derive", "check", "check_file", "assert_correct", "FileResult", "Network", "Derivation", "Gradient", "Factor",
           "CheckResult", "Diagnostic", "ShapetutorError"]

NetworkLike = Union[str, "os.PathLike[str]", "Network"]
DimsLike = Union[Mapping[str, int], str, None]
JsonShape = tuple  # a shape as JSON has it: integers and symbols, ("Dx", "H") or (1, "H")


class ShapetutorError(TutorError):
    """An instructor's mistake, which no learner's text can cause: an unknown network or leaf,
    dimensions the network does not use or that are not positive integers, a network that does
    not parse. `str()` gives the located message; `code`, `origin`, `span` and `expected` say
    more. (A learner's text that cannot be used is a `CheckResult` with verdict `unusable`.)"""

    @classmethod
    def of(cls, error: TutorError) -> "ShapetutorError":
        message = error.message
        if error.argument:  # the engine names the argument; Python spells it as a keyword
            parameter, value = error.argument
            message = f"{parameter}={value!r}: {message}"
        return cls.carrying(replace(error.diagnostic, message=message), source=error.source, argument=error.argument)

    def __str__(self) -> str:
        if self.span or self.origin:
            return self.located()
        return self.message + (f"\n  expected: {self.expected}" if self.expected else "")


@contextmanager
def instructor_errors() -> Iterator[None]:
    """The engine's errors about the instructor's inputs, raised as the one documented type."""
    try:
        yield
    except ShapetutorError:
        raise
    except TutorError as error:
        raise ShapetutorError.of(error) from None


def look():
    from .front.look import Look
    return Look(unicode=True)


def json_shape(shape) -> JsonShape:
    return tuple(d.json() for d in shape)


# -- networks ------------------------------------------------------------------------------------

class Drawn:
    """A result the front draws (`__rich__`): the same drawing as plain text for `str()` and assertion
    messages, and as HTML for a notebook, so a learner reads one diagnosis wherever they meet it."""

    #: A verdict's prose stays whole, for the notebook or the test report to wrap; tables keep their width.
    soft_wrap = False

    def __rich__(self):
        raise NotImplementedError

    def __str__(self) -> str:
        from .front.text import plain_text
        return plain_text(self.__rich__(), soft_wrap=self.soft_wrap)

    def _repr_html_(self) -> str:
        from .front.text import html
        return html(self.__rich__(), soft_wrap=self.soft_wrap)


class Network(Drawn):
    """A network, read and shape-checked: its leaves, every node's symbolic shape, its loss.

    In a notebook it shows as the table of shapes; `to_json()` is what `shapetutor shapes --json` prints.
    """

    def __init__(self, engine: "EngineNetwork"):
        self.engine = engine

    @property
    def origin(self) -> str:
        """Where it came from: a path, `NAME (bundled)`, or `<network>` for source text."""
        return self.engine.origin

    @property
    def source(self) -> str:
        return self.engine.source

    @property
    def loss(self) -> str:
        """The loss: the network's last definition."""
        return self.engine.loss

    @property
    def dims(self) -> tuple[str, ...]:
        """The dimension symbols, in the order the forward pass meets them."""
        return self.engine.dims

    @property
    def leaves(self) -> dict[str, JsonShape]:
        """Each leaf (the data and the parameters) and its declared shape."""
        return {name: json_shape(shape) for name, shape in self.engine.leaves.items()}

    @property
    def shapes(self) -> dict[str, JsonShape]:
        """Every node (leaves, then definitions) and its symbolic shape."""
        return {name: json_shape(self.engine.shapes[name]) for name in self.engine.nodes}

    def bindings(self, dims: DimsLike = None) -> dict[str, int]:
        """The number bound to every dimension symbol: `dims` first, distinct defaults for the rest."""
        with instructor_errors():
            return self.engine.bindings(given_dims(dims))

    def to_json(self, dims: DimsLike = None) -> dict:
        """Exactly what `shapetutor shapes --json` prints (docs/json.md)."""
        return {"loss": self.loss, "dims": self.bindings(dims), "nodes": self.engine.nodes_json()}

    def __repr__(self) -> str:
        return (f"<tutor.Network {self.origin}: {len(self.engine.leaves)} leaves, "
                f"{len(self.engine.definitions)} definitions, loss {self.loss}>")

    def __rich__(self):
        from .front.render import shapes_table
        return shapes_table(self.engine, self.bindings(), look())



def load(network: NetworkLike = "default") -> Network:
    """A network from a bundled example's name (`"default"`, `"batch"`, …), a path to a `.net` file,
    or the network's source text itself. Raises `ShapetutorError` when it cannot be read."""
    if isinstance(network, Network):
        return network
    from .engine.language.network import load as load_file, parse_network
    with instructor_errors():
        if isinstance(network, os.PathLike):
            return Network(load_file(os.fspath(network)))
        if not isinstance(network, str):
            raise TutorError(f"a network is a bundled example's name, a path or source text, not "
                             f"{type(network).__name__}")
        if not network.strip():  # never the default network in its place: an empty name is a mistake
            raise TutorError("the network is empty", expected="a bundled example's name (\"default\"), a path "
                             "or source text")
        if is_source(network):
            from .notation.reading import is_math_network
            if is_math_network(None, network):  # a network written as mathematics (SPEC §8)
                from .notation.placed import network_from_math
                return Network(network_from_math(network, "<network>")[0])
            return Network(parse_network(network, "<network>"))
        from .notation.reading import load_any
        return Network(load_any(network)[0])


def is_source(text: str) -> bool:
    """Source text rather than a name or a path: every network defines its loss with `=`."""
    return "\n" in text or ("=" in text and not os.path.exists(text))


def given_dims(dims: DimsLike) -> dict[str, int]:
    """`{"Dx": 5}` or `"Dx=5,H=3"`, read by the same rules as `--dims`."""
    from .engine.language.dims import parse_bindings
    with instructor_errors():
        if dims is None:
            return {}
        if isinstance(dims, str):
            return parse_bindings(dims)
        if isinstance(dims, Mapping):
            for name, value in dims.items():  # each checked alone: never spliced into the text of --dims
                if not isinstance(name, str) or not name.isidentifier():
                    raise TutorError(f"dims has the key {name!r}, which is not a dimension's name",
                                     expected="names such as 'Dx' or 'H'")
                if isinstance(value, bool) or not isinstance(value, (numbers.Integral, str)) or \
                        (isinstance(value, str) and not value.strip().isdigit()):
                    raise TutorError(f"dims[{name!r}] is {value!r}, not a positive integer", expected="a size such as 5")
            return parse_bindings(",".join(f"{name}={int(value)}" for name, value in dims.items()))
        raise TutorError(f"dims is a mapping such as {{'Dx': 5, 'H': 3}} or a string 'Dx=5,H=3', "
                         f"not {type(dims).__name__}")


# -- derivations ---------------------------------------------------------------------------------

class Factor(NamedTuple):
    """One chain-rule factor ∂of/∂wrt and its generalized Jacobian shape (of's shape, then wrt's)."""

    of: str
    wrt: str
    shape: JsonShape


class Gradient:
    """∂J/∂leaf: its shape (the leaf's), its formula as code, and the chain of factors it comes from."""

    def __init__(self, engine: "LeafGradient"):
        self.engine = engine

    @property
    def leaf(self) -> str:
        return self.engine.leaf

    @property
    def shape(self) -> JsonShape:
        return json_shape(self.engine.shape)

    @property
    def formula(self) -> str | None:
        """The gradient in the network language, as a teacher writes it; None when it is too long to write out."""
        return self.engine.formula_code

    @property
    def chain(self) -> tuple[Factor, ...]:
        return tuple(Factor(f.of, f.wrt, json_shape(f.shape)) for f in self.engine.chain)

    def __str__(self) -> str:
        return self.formula or f"(∂J/∂{self.leaf} is too long to write out; its chain has {len(self.chain)} factors)"

    def __repr__(self) -> str:
        return f"<tutor.Gradient of {self.leaf} {self.shape}: {self}>"


class Derivation(Drawn):
    """Every gradient of a network's loss (or one leaf's), with its chain, its formula and the numeric proof.

    `to_json()` is what `shapetutor derive --json` prints; `str()` and a notebook show what
    `shapetutor derive` shows.
    """

    def __init__(self, engine: "EngineDerivation", network: Network):
        self.engine = engine
        self.network = network

    @property
    def dims(self) -> dict[str, int]:
        return dict(self.engine.bindings)

    @cached_property
    def gradients(self) -> dict[str, Gradient]:
        """Leaf → its gradient."""
        return {leaf: Gradient(g) for leaf, g in self.engine.gradients.items()}

    @property
    def verification(self) -> dict:
        """`verified`, `worst_relative_error`, `draws`, `dims`, and `skipped` (why not, when it was not run)."""
        return self.engine.verification_json()

    @property
    def verified(self) -> bool:
        """Every formula agreed with complex-step derivatives of the network itself."""
        return self.verification["verified"]

    def to_json(self) -> dict:
        """Exactly what `shapetutor derive --json` prints (docs/json.md)."""
        return self.engine.to_json()

    def __repr__(self) -> str:
        return (f"<tutor.Derivation of {self.network.origin}: gradients of {', '.join(self.engine.gradients)}; "
                f"{'verified' if self.verified else 'not verified'}>")

    def __rich__(self):
        from .front.render import derivation_view
        return derivation_view(self.engine, look())



def given_wrt(wrt: object, required: bool) -> None:
    """The leaf's name: a non-empty string (or None where every leaf is meant)."""
    with instructor_errors():
        if wrt is None and not required:
            return
        if not isinstance(wrt, str) or not wrt.strip():
            raise TutorError(f"wrt is {wrt!r}, not a leaf's name", expected="a leaf's name such as \"W1\"")


def derive(network: NetworkLike, wrt: str | None = None, dims: DimsLike = None, *,
           verify: bool = True) -> Derivation:
    """The gradient of the loss with respect to every leaf, or to `wrt` alone.

    `dims` binds dimension symbols (`{"Dx": 784}` or `"Dx=784,H=100"`); the rest get distinct small
    numbers. Every formula is checked numerically unless `verify=False`. Raises `ShapetutorError`
    for an unknown network or leaf or bad dimensions.
    """
    from .teach.derivation import derive as derive_engine
    given_wrt(wrt, required=False)
    net = load(network)
    given = given_dims(dims)
    with instructor_errors():
        return Derivation(derive_engine(net.engine, given, wrt=wrt, check=verify), net)


# -- checking a learner's derivation -------------------------------------------------------------

class CheckResult(Drawn):
    """The verdict on a learner's derivation of ∂J/∂wrt, with its located diagnostics.

    `verdict` is one of `correct`, `shape_error`, `wrong_shape`, `transposed`, `scaled`,
    `wrong_value` or `unusable` (the text cannot be read). `str()` is the plain-text diagnosis the
    command line prints; a notebook shows it with the learner's line underlined; `to_json()` is
    what `shapetutor check --json` prints.
    """

    soft_wrap = True

    def __init__(self, engine: "JudgeResult"):
        self.engine = engine

    @property
    def verdict(self) -> str:
        return self.engine.verdict

    @property
    def correct(self) -> bool:
        return self.engine.correct

    @property
    def wrt(self) -> str:
        return self.engine.wrt

    @property
    def derivation(self) -> str:
        """The learner's text, as given."""
        return self.engine.source

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """What went wrong, first error first: each with `code`, `severity`, `message`, `line`, `col`,
        `end_col`, and often a `note` (why) and a `help` (the fix)."""
        return self.engine.diagnostics

    @property
    def suggestion(self) -> str | None:
        """A right derivation, built on the learner's own correct steps where it can be; None when
        withheld (`suggestion=False`) or when the text could not be read."""
        return self.engine.suggestion

    @property
    def expected_shape(self) -> JsonShape:
        """The leaf's shape, which its gradient has."""
        return json_shape(self.engine.expected_shape)

    @property
    def shape(self) -> JsonShape | None:
        """The shape the derivation computes; None when an operation does not conform or the text is unusable."""
        return json_shape(self.engine.shape) if self.engine.shape is not None else None

    @property
    def shape_ok(self) -> bool:
        return self.engine.shape_ok

    @property
    def value_ok(self) -> bool | None:
        return self.engine.value_ok

    @property
    def steps(self) -> tuple["JudgedStep", ...]:
        """Each line `dNAME = …` that claims ∂J/∂NAME, judged on its own (`name`, `claims`, `line`,
        `shape_ok`, `value_ok`)."""
        return self.engine.steps

    def to_json(self) -> dict:
        """Exactly what `shapetutor check --json` prints (docs/json.md)."""
        return self.engine.to_json()

    def __repr__(self) -> str:
        return f"<tutor.CheckResult ∂J/∂{self.wrt}: {self.verdict}>"

    def __rich__(self):
        from .front.diagnostics import check_view
        return check_view(self.engine, look())



def check(network: NetworkLike, wrt: str, derivation: str, dims: DimsLike = None,
          suggestion: bool = True) -> CheckResult:
    """Judge a learner's derivation of ∂J/∂wrt, step by step, like a compiler would.

    `derivation` is what the learner wrote: one or more lines `name = expr` (the last may be a bare
    expression); a line `dNAME = …` claims ∂J/∂NAME and is checked on its own. With
    `suggestion=False` (graded work) the result holds no suggestion and no fix that gives the
    answer away. Text that cannot be used gives the verdict `unusable`, never an exception;
    `ShapetutorError` is for the instructor's inputs (network, `wrt`, `dims`).
    """
    from .notation.judged import check_text  # code, or LaTeX, Unicode and typed math (SPEC §8)
    given_wrt(wrt, required=True)
    net = load(network)
    given = given_dims(dims)
    with instructor_errors():
        if not isinstance(derivation, str):
            return CheckResult(not_text(net.engine, wrt, given, derivation))
        return CheckResult(check_text(net.engine, wrt, derivation, given, suggestion=suggestion).result)


def not_text(network: "EngineNetwork", wrt: str, given: dict[str, int], derivation: object) -> "JudgeResult":
    """A learner's answer that is not text at all (an unanswered cell's None or ...): unusable."""
    from .judge.check import unreadable
    error = TutorError(f"the derivation is not text: it is {type(derivation).__name__}",
                       expected="a string such as \"x.T @ dz1\"", code="E100")
    return unreadable(network, wrt, error, given)


class FileResult(Drawn):
    """The verdict on a homework file: every gradient it computes, each with `check`'s verdict, located in the
    file. `to_json()` is exactly what `check FILE.py --json` prints (SPEC §7)."""

    soft_wrap = True

    def __init__(self, engine):
        self.engine = engine

    @property
    def verdict(self) -> str:
        return self.engine.verdict

    @property
    def correct(self) -> bool:
        return self.engine.correct

    @property
    def entry(self) -> str | None:
        return self.engine.entry

    @property
    def gradients(self) -> dict[str, str]:
        """The learner's name for each parameter → its verdict."""
        return {k: g.verdict for k, g in self.engine.gradients.items()}

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.engine.diagnostics

    def to_json(self) -> dict:
        return self.engine.to_json()

    def __repr__(self) -> str:
        return f"<tutor.FileResult {self.engine.file}: {self.verdict}>"

    def __rich__(self):
        from .front.homework import file_view
        return file_view(self.engine, look())



def check_file(path: "str | os.PathLike[str]", *, function: str | None = None, wrt: str | None = None,
               dims: DimsLike = None, settings: Mapping | str | None = None, shapes: str | None = None,
               suggestion: bool = True) -> FileResult:
    """Judge every gradient a homework file computes (SPEC §7), reading it statically: nothing in it is run.

    `settings` are what its entry point or constructor takes (`{"hidden_dims": [4, 3]}` or
    `"hidden_dims=[4,3]"`), `shapes` declarations for what the file does not say (`"X: [N, D]"`). A file
    that cannot be read is a result with verdict `unusable` and diagnostics saying what to add."""
    from .homework.judge import check_file as check_engine, parse_sets, parse_shapes
    with instructor_errors():
        sets = parse_sets(settings) if isinstance(settings, str) else dict(settings or {})
        return FileResult(check_engine(os.fspath(path), function=function, wrt=wrt, dims=given_dims(dims),
                                       settings=sets, shapes=parse_shapes(shapes), suggestion=suggestion))


# The public types print as `tutor.CheckResult`, `tutor.ShapetutorError`…: the names a user imports.
for _public in (ShapetutorError, Network, Gradient, Derivation, CheckResult, FileResult):
    _public.__module__ = "tutor"


def assert_correct(network: NetworkLike, wrt: str | None = None, derivation: str | None = None,
                   dims: DimsLike = None, suggestion: bool = True, **homework) -> "CheckResult | FileResult":
    """`check`, as one line of a test cell: returns the result when it is correct, and otherwise raises
    `AssertionError` whose text is the plain-text diagnosis (pass `suggestion=False` for graded work).
    A homework file (a path ending in .py, no derivation) is judged whole, as `check_file` does."""
    __tracebackhide__ = True  # pytest and otter show the diagnosis, not this frame
    result: CheckResult | FileResult
    if derivation is None and isinstance(network, (str, os.PathLike)) and str(network).endswith(".py"):
        result = check_file(network, wrt=wrt, dims=dims, suggestion=suggestion, **homework)
    else:  # a missing wrt or derivation is refused by check itself, with its own error
        result = check(network, cast(str, wrt), cast(str, derivation), dims, suggestion)
    if not result.correct:
        raise AssertionError(str(result))
    return result
