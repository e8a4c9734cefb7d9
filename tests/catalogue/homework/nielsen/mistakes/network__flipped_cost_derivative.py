# Planted mistake: the cost's derivative with its sign flipped.
# A copy of ../network.py with one change.
"""
network.py

A learner's file in the form of Michael Nielsen's "Neural Networks and Deep Learning", chapter 1
and 2 (src/network.py): a `Network` class that keeps one bias column and one weight matrix per layer
in lists, a `backprop(x, y)` that loops over those lists for one example given as a column, and the
quadratic cost implied by `cost_derivative`. Written for this catalogue in the book's style.
"""
import random

import numpy as np


class Network(object):

    def __init__(self, sizes):
        """`sizes[i]` is how many neurons layer i has; layer 0 is the input."""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n, 1) for n in sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """The network's output for the input column `a`."""
        for bias, weight in zip(self.biases, self.weights):
            a = sigmoid(np.dot(weight, a) + bias)
        return a

    def train(self, examples, rounds, batch_size, eta):
        """Plain mini-batch gradient descent over a list of (x, y) pairs."""
        for _ in range(rounds):
            random.shuffle(examples)
            for start in range(0, len(examples), batch_size):
                self.step(examples[start:start + batch_size], eta)

    def step(self, batch, eta):
        """One gradient step on a mini batch, the per-example gradients averaged."""
        sum_b = [np.zeros(b.shape) for b in self.biases]
        sum_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            grad_b, grad_w = self.backprop(x, y)
            sum_b = [s + g for s, g in zip(sum_b, grad_b)]
            sum_w = [s + g for s, g in zip(sum_w, grad_w)]
        rate = eta / len(batch)
        self.weights = [w - rate * g for w, g in zip(self.weights, sum_w)]
        self.biases = [b - rate * g for b, g in zip(self.biases, sum_b)]

    def backprop(self, x, y):
        """The gradient of the cost for one example, as two lists shaped like
        `self.biases` and `self.weights`: (nabla_b, nabla_w)."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # forward, keeping every weighted input and every activation
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # the output layer's error, then each earlier layer's from the one after it
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            sp = sigmoid_prime(zs[-l])
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def accuracy(self, examples):
        """How many (x, label) pairs the network classifies right."""
        return sum(int(np.argmax(self.feedforward(x)) == label) for x, label in examples)

    def cost_derivative(self, output_activations, y):
        """∂C/∂a at the output for the quadratic cost C = ½‖a − y‖²."""
        return (y - output_activations)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """σ′(z), written with σ itself."""
    return sigmoid(z) * (1 - sigmoid(z))
