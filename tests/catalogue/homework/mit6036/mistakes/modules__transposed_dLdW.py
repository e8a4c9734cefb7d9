# Planted mistake: dLdW computed transposed.
# A copy of ../modules.py with one change.
# Source: MIT 6.036 (Introduction to Machine Learning), homework 7 "Neural networks": the Module classes in
# the form the homework publishes (column vectors, forward(A) then backward(dLdZ) returning dLdA and storing
# the weights' gradients), completed as in public solutions.
import numpy as np
import math as m


class Module:
    def sgd_step(self, lrate): pass  # For modules w/o weights


# Linear modules
class Linear(Module):
    def __init__(self, m, n):
        self.m, self.n = (m, n)  # (in size, out size)
        self.W0 = np.zeros([self.n, 1])  # (n x 1)
        self.W = np.random.normal(0, 1.0 * m ** (-.5), [m, n])  # (m x n)

    def forward(self, A):
        self.A = A   # (m x b)  Hint: make sure you understand what b stands for
        return np.dot(self.W.T, A) + self.W0  # Your code (n x b)

    def backward(self, dLdZ):  # dLdZ is (n x b), uses stored self.A
        self.dLdW = np.dot(dLdZ, self.A.T)                  # Your code
        self.dLdW0 = np.sum(dLdZ, axis=1).reshape((self.n, 1))  # Your code
        return np.dot(self.W, dLdZ)            # Your code: return dLdA (m x b)

    def sgd_step(self, lrate):  # Gradient descent step
        self.W = self.W - lrate*self.dLdW            # Your code
        self.W0 = self.W0 - lrate*self.dLdW0           # Your code


# Activation modules
class Tanh(Module):            # Layer activation
    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dLdA):    # Uses stored self.A
        return dLdA * (1.0 - (self.A ** 2))       # Your code: return dLdZ (?, b)


class ReLU(Module):              # Layer activation
    def forward(self, Z):
        self.A = np.maximum(0, Z)            # Your code: (?, b)
        return self.A

    def backward(self, dLdA):
        return dLdA * (self.A != 0)             # Your code: return dLdZ (?, b)


class SoftMax(Module):           # Output activation
    def forward(self, Z):
        return np.exp(Z) / np.sum(np.exp(Z), axis=0)              # Your code: (?, b)

    def backward(self, dLdZ):    # Assume that dLdZ is passed in
        return dLdZ

    def class_fun(self, Ypred):  # Return class indices
        return np.argmax(Ypred, axis=0)              # Your code: (1, b)


# Loss modules
class NLL(Module):       # Loss
    def forward(self, Ypred, Y):
        self.Ypred = Ypred
        self.Y = Y
        return float(np.sum(-Y * np.log(Ypred)))  # Your code

    def backward(self):  # Use stored self.Ypred, self.Y
        return self.Ypred - self.Y       # Your code (?, b)
