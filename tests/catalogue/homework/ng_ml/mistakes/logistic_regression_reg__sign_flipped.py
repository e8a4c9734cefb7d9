# Style: Andrew Ng's Machine Learning course, exercise 2 (regularised logistic regression), in the Python form
# learners port it to: numpydoc docstrings, `from numpy import ...`, the intercept's parameter left out of the
# penalty with a copy whose first entry is zeroed, and costFunctionReg returning (J, grad). Written for this
# catalogue in that style (not copied).
import numpy as np
from numpy import exp, dot, log


def sigmoid(z):
    """
    Compute sigmoid function given the input z.

    Parameters
    ----------
    z : array_like
        The input to the sigmoid function.
    """
    return 1 / (1 + exp(-z))


def costFunctionReg(theta, X, y, lambda_):
    """
    Compute cost and gradient for logistic regression with regularization.

    Parameters
    ----------
    theta : array_like
        Logistic regression parameters. A vector with shape (n, ). n is
        the number of features including any intercept.
    X : array_like
        The data set with shape (m x n). m is the number of examples, and
        n is the number of features (including intercept).
    y : array_like
        The data labels. A vector with shape (m, ).
    lambda_ : float
        The regularization parameter.

    Returns
    -------
    J : float
        The computed value for the regularized cost function.
    grad : array_like
        A vector of shape (n, ) which is the gradient of the cost
        function with respect to theta, at the current values of theta.
    """
    m = y.size
    h = sigmoid(dot(X, theta))
    temp = theta.copy()
    temp[0] = 0
    J = (1 / m) * np.sum(-dot(y, log(h)) - dot(1 - y, log(1 - h))) + (lambda_ / (2 * m)) * np.sum(np.square(temp))
    grad = (1 / m) * dot(y - h, X)
    grad = grad + (lambda_ / m) * temp
    return J, grad


if __name__ == "__main__":
    initial_theta = np.zeros(3)
    X = np.array([[1.0, 0.5, -1.2], [1.0, -0.3, 0.8], [1.0, 2.0, 0.1]])
    y = np.array([1.0, 0.0, 1.0])
    cost, grad = costFunctionReg(initial_theta, X, y, 1.0)
    print('Cost at initial theta (zeros): {:.3f}'.format(cost))
