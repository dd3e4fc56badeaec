"""TensorBase: what the modules that write Tensor's methods know of a Tensor before the class exists.

``Tensor`` (tensor.py) mixes in its math (tensor_math.Math) and its shape and indexing methods
(tensor_shape.Shape). Those are written before Tensor is, so that the imports point one way; inside them,
``isinstance(x, TensorBase)`` means "x is a Tensor", ``self._apply(op, ...)`` runs a primitive op on tensors (it is
tensor.apply) and ``self._make(array)`` wraps an array the library computed.
"""


class TensorBase:
    __slots__ = ()
