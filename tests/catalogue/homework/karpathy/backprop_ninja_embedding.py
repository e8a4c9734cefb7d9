# Source: Andrej Karpathy, "Building makemore Part 4: Becoming a Backprop Ninja" (nn-zero-to-hero, makemore_part4
# notebook): the embedding table's gradient, the last step of exercise 1, which the lecture writes as a loop over
# the batch and learners' NumPy versions write as np.add.at(dC, Xb, demb). Here in NumPy with a random batch of
# character indices in place of the names data set, a tanh layer and the cross-entropy's gradient in one go
# (exercise 2).
import numpy as np

np.random.seed(0)
n = 8
block_size = 3
n_embd = 4
vocab_size = 27
n_hidden = 16
Xb = np.random.randint(0, vocab_size, size=(n, block_size))
Yb = np.random.randint(0, vocab_size, size=n)
C = np.random.randn(vocab_size, n_embd)
W1 = np.random.randn(n_embd * block_size, n_hidden) * 0.2
b1 = np.random.randn(n_hidden) * 0.1
W2 = np.random.randn(n_hidden, vocab_size) * 0.1
b2 = np.random.randn(vocab_size) * 0.1

emb = C[Xb]
embcat = emb.reshape(emb.shape[0], -1)
hpre = embcat @ W1 + b1
h = np.tanh(hpre)
logits = h @ W2 + b2
counts = np.exp(logits - logits.max(1, keepdims=True))
probs = counts / counts.sum(1, keepdims=True)
loss = -np.log(probs[range(n), Yb]).mean()

dlogits = probs.copy()
dlogits[range(n), Yb] -= 1
dlogits /= n
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
dh = dlogits @ W2.T
dhpre = (1.0 - h ** 2) * dh
dW1 = embcat.T @ dhpre
db1 = dhpre.sum(0)
dembcat = dhpre @ W1.T
demb = dembcat.reshape(emb.shape)
dC = np.zeros_like(C)
np.add.at(dC, Xb, demb)
