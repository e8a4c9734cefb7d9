"""shapetutor: where the shapes in backpropagation come from."""

__version__ = "0.1.0"
