# Source: Simon J.D. Prince, Understanding Deep Learning, notebook 7.2 "Backpropagation" (udlbook/udlbook,
# Notebooks/Chap07): the network's weights and biases held in lists indexed by layer, the forward pass storing
# the pre-activations all_f and activations all_h, the least squares loss, and the backward pass that the
# notebook leaves to the learner, completed as in public solutions. One example is a column (D_i x 1).
# Written for this catalogue in the notebook's form; the module's sizes are smaller than the notebook's.
import numpy as np

# Number of hidden layers, neurons per hidden layer, input and output size
K = 2
D = 6
D_i = 1
D_o = 1


# Define the Rectified Linear Unit (ReLU) function
def ReLU(preactivation):
    activation = preactivation.clip(0.0)
    return activation


def forward_pass(net_input, all_weights, all_biases):
    # Retrieve number of layers
    K = len(all_weights) - 1

    # We'll store the pre-activations at each layer in a list "all_f"
    # and the activations in a second list "all_h".
    all_f = [None] * (K + 1)
    all_h = [None] * (K + 1)

    # For convenience, we'll set all_h[0] to be the input
    all_h[0] = net_input

    # Run through the layers, calculating all_f[0...K-1] and all_h[1...K]
    for layer in range(K):
        # Update preactivations and activations at this layer according to eqn 7.5
        all_f[layer] = all_biases[layer] + np.matmul(all_weights[layer], all_h[layer])
        all_h[layer + 1] = ReLU(all_f[layer])

    # Compute the output from the last hidden layer
    all_f[K] = all_biases[K] + np.matmul(all_weights[K], all_h[K])

    # Retrieve the output
    net_output = all_f[K]

    return net_output, all_f, all_h


def least_squares_loss(net_output, y):
    return np.sum((net_output - y) * (net_output - y))


def d_loss_d_output(net_output, y):
    return 2 * (net_output - y)


# We'll need the indicator function
def indicator_function(x):
    x_in = np.array(x)
    x_in[x_in >= 0] = 1
    x_in[x_in < 0] = 0
    return x_in


# Main backward pass routine
def backward_pass(all_weights, all_biases, all_f, all_h, y):
    # Retrieve number of layers
    K = len(all_weights) - 1

    # We'll store the derivatives dl_dweights and dl_dbiases in lists as well
    all_dl_dweights = [None] * (K + 1)
    all_dl_dbiases = [None] * (K + 1)
    # And we'll store the derivatives of the loss with respect to the activation and preactivations in lists
    all_dl_df = [None] * (K + 1)
    all_dl_dh = [None] * (K + 1)

    # Compute derivatives of the loss with respect to the network output
    all_dl_df[K] = np.array(d_loss_d_output(all_f[K], y))

    # Now work backwards through the network
    for layer in range(K, -1, -1):
        # Calculate the derivatives of the loss with respect to the biases at layer (eq 7.22)
        all_dl_dbiases[layer] = np.array(all_dl_df[layer])

        # Calculate the derivatives of the loss with respect to the weights at layer (eq 7.23)
        all_dl_dweights[layer] = np.matmul(all_dl_df[layer], all_h[layer].T)

        # Calculate the derivatives of the loss with respect to the activations (eq 7.25, second part)
        all_dl_dh[layer] = np.matmul(all_weights[layer].T, all_dl_df[layer])

        if layer > 0:
            # Calculate the derivatives of the loss with respect to the pre-activation f (eq 7.25, first part)
            all_dl_df[layer - 1] = indicator_function(all_f[layer - 1]) * all_dl_dh[layer]

    return all_dl_dweights, all_dl_dbiases


# Set up the network as the notebook does, then run it once (never run by shapetutor)
np.random.seed(0)
all_weights = [None] * (K + 1)
all_biases = [None] * (K + 1)
all_weights[0] = np.random.normal(size=(D, D_i))
all_weights[-1] = np.random.normal(size=(D_o, D))
all_biases[0] = np.random.normal(size=(D, 1))
all_biases[-1] = np.random.normal(size=(D_o, 1))
for layer in range(1, K):
    all_weights[layer] = np.random.normal(size=(D, D))
    all_biases[layer] = np.random.normal(size=(D, 1))

net_input = np.ones((D_i, 1)) * 1.2
net_output, all_f, all_h = forward_pass(net_input, all_weights, all_biases)
y = np.zeros((D_o, 1))
all_dl_dweights, all_dl_dbiases = backward_pass(all_weights, all_biases, all_f, all_h, y)
