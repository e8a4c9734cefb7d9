# Style: Andrej Karpathy's "Neural network case study" (CS231n notes), its first half: the linear softmax
# classifier trained on the spiral data, as a student's script with a fixed seed, module constants and the
# update after the backward pass. Written for this catalogue in that style (not copied).
import numpy as np

np.random.seed(0)

N = 100  # number of points per class
D = 2  # dimensionality
K = 3  # number of classes
STEP_SIZE = 1e-0
REG = 1e-3  # regularization strength

X = np.zeros((N * K, D))
y = np.zeros(N * K, dtype='uint8')
for j in range(K):
    ix = range(N * j, N * (j + 1))
    r = np.linspace(0.0, 1, N)
    t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
    X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
    y[ix] = j

# initialize parameters randomly
W = 0.01 * np.random.randn(D, K)
b = np.zeros((1, K))

num_examples = X.shape[0]
it = 0
while True:
    # evaluate class scores, [N x K]
    scores = np.dot(X, W) + b

    # compute the class probabilities
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)

    # average cross-entropy loss and regularization
    correct_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(correct_logprobs) / num_examples
    reg_loss = 0.5 * REG * np.sum(W * W)
    loss = data_loss + reg_loss
    if it % 10 == 0:
        print("iteration %d: loss %f" % (it, loss))

    # compute the gradient on scores
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples

    # backpropagate the gradient to the parameters (W, b)
    dW = np.dot(X.T, dscores)
    db = np.sum(dscores, axis=0, keepdims=True)
    dW += REG * W  # regularization gradient

    # perform a parameter update
    W += -STEP_SIZE * dW
    b += -STEP_SIZE * db

    it += 1
    if it == 200:
        break

scores = np.dot(X, W) + b
predicted_class = np.argmax(scores, axis=1)
print('training accuracy: %.2f' % (np.mean(predicted_class == y)))
