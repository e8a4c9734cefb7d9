# Source: Andrej Karpathy, "Building makemore Part 4: Becoming a Backprop Ninja" (nn-zero-to-hero, makemore_part4
# notebook), exercise 1 with the batch normalisation layer: the forward pass in small steps (the variance with
# Bessel's n - 1) and the backward pass by hand through each, the second branches added with +=, the summed
# broadcasts written with np.ones_like as learners' solutions write them (mrkkrj/generate-words among them).
# Here in NumPy, with a random batch of embeddings in place of the names data set.
import numpy as np

np.random.seed(1)
n = 32
n_embd = 10
n_hidden = 64
vocab_size = 27
embcat = np.random.randn(n, n_embd)
Yb = np.random.randint(0, vocab_size, size=n)
W1 = np.random.randn(n_embd, n_hidden) * (5 / 3) / (n_embd ** 0.5)
b1 = np.random.randn(n_hidden) * 0.1
W2 = np.random.randn(n_hidden, vocab_size) * 0.1
b2 = np.random.randn(vocab_size) * 0.1
bngain = np.random.randn(1, n_hidden) * 0.1 + 1.0
bnbias = np.random.randn(1, n_hidden) * 0.1

hprebn = embcat @ W1 + b1
bnmeani = 1 / n * hprebn.sum(0, keepdims=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff ** 2
bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdims=True)
bnvar_inv = (bnvar + 1e-5) ** -0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
h = np.tanh(hpreact)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdims=True)
norm_logits = logits - logit_maxes
counts = np.exp(norm_logits)
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum ** -1
probs = counts * counts_sum_inv
logprobs = np.log(probs)
loss = -logprobs[range(n), Yb].mean()

dlogprobs = np.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0 / n
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
dhpreact = (1.0 - h ** 2) * dh
dbngain = (bnraw * dhpreact).sum(0, keepdims=True)
dbnraw = bngain * dhpreact
dbnbias = dhpreact.sum(0, keepdims=True)
dbndiff = bnvar_inv * dbnraw
dbnvar_inv = (bndiff * dbnraw).sum(0, keepdims=True)
dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
dbndiff2 = (1.0 / (n - 1)) * np.ones_like(bndiff2) * dbnvar
dbndiff += (2 * bndiff) * dbndiff2
dhprebn = dbndiff.copy()
dbnmeani = (-dbndiff).sum(0)
dhprebn += 1.0 / n * (np.ones_like(hprebn) * dbnmeani)
dW1 = embcat.T @ dhprebn
db1 = dhprebn.sum(0)
