# Source: Andrej Karpathy, "Building makemore Part 4: Becoming a Backprop Ninja" (nn-zero-to-hero, makemore_part4
# notebook), exercise 1: the forward pass broken into small steps and the backward pass written by hand through
# each of them, cell by cell at module level. Here in NumPy, with a random batch of embeddings in place of the
# names data set, and a tanh layer without batch normalisation.
import numpy as np

np.random.seed(42)
n = 32  # a short batch
n_embd = 10  # the dimensionality of the embedded context
n_hidden = 64  # the number of neurons in the hidden layer of the MLP
vocab_size = 27
embcat = np.random.randn(n, n_embd)
Yb = np.random.randint(0, vocab_size, size=n)
W1 = np.random.randn(n_embd, n_hidden) * (5 / 3) / (n_embd ** 0.5)
b1 = np.random.randn(n_hidden) * 0.1
W2 = np.random.randn(n_hidden, vocab_size) * 0.1
b2 = np.random.randn(vocab_size) * 0.1

# forward pass, "chunkated" into smaller steps that are possible to backward one at a time
hprebn = embcat @ W1 + b1  # hidden layer pre-activation
h = np.tanh(hprebn)  # hidden layer
logits = h @ W2 + b2  # output layer
logit_maxes = logits.max(1, keepdims=True)
norm_logits = logits - logit_maxes  # subtract max for numerical stability
counts = np.exp(norm_logits)
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum ** -1
probs = counts * counts_sum_inv
logprobs = np.log(probs)
loss = -logprobs[range(n), Yb].mean()

# Exercise 1: backprop through the whole thing manually, backpropagating through exactly all of the variables
# as they are defined in the forward pass above, one by one
dlogprobs = np.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdims=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-counts_sum ** -2) * dcounts_sum_inv
dcounts += np.ones_like(counts) * dcounts_sum
dnorm_logits = counts * dcounts
dlogits = dnorm_logits.copy()
dlogit_maxes = (-dnorm_logits).sum(1, keepdims=True)
dlogits += np.eye(logits.shape[1])[np.argmax(logits, axis=1)] * dlogit_maxes
dh = dlogits @ W2.T
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
dhprebn = (1.0 - h ** 2) * dh
dW1 = embcat.T @ dhprebn
db1 = dhprebn.sum(0)
