"""Probability distributions, as torch.distributions: ``Categorical``, for sampling the next token of a language
model (``Categorical(logits=scores).sample()``) and for the log-probabilities and entropies of policy gradients.

Everything is composed from minigrad's differentiable ops, so gradients flow through ``log_prob`` and ``entropy``
back to the probabilities or logits the distribution was made from. Samples are drawn from minigrad's default
generator (``minigrad.manual_seed``) and carry no gradient.
"""

from __future__ import annotations

import functools

from . import backend
from .checks import broadcast_shapes, check_tensor
from .creation import multinomial

__all__ = ["Categorical"]


class Categorical:
    """A distribution over the categories 0, ..., K-1, given by ``probs`` (non-negative weights, normalised along
    the last dim) or by ``logits`` (unnormalised log-probabilities), not both. The dims before the last are a batch
    of independent distributions (``batch_shape``); a sample is one category index each (``event_shape`` is ()).

    ``validate_args`` (on unless False, as torch's with Python's ``__debug__``) checks the parameters here and the
    values given to ``log_prob``, with ValueErrors as torch's.
    """

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        name, parameter = ("probs", probs) if probs is not None else ("logits", logits)
        check_tensor(parameter, "Categorical", name)
        if parameter.ndim < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        self._validate = validate_args is not False
        if name == "probs":
            if self._validate and not bool(((probs >= 0).all() & (probs.sum(-1) > 0).all() &
                                            probs.isfinite().all()).item()):
                raise ValueError(f"Categorical: expected probs to be non-negative and finite with a positive sum "
                                 f"along the last dim (to satisfy the constraint Simplex() once normalised), got "
                                 f"{probs.tolist()}")
            self.__dict__["probs"] = probs / probs.sum(-1, keepdim=True)
        else:
            with logits.device.quiet("invalid"):  # (inf - inf: nan, refused just below)
                normalised = logits - logits.logsumexp(-1, keepdim=True)  # log-probabilities
            # checked once normalised, as torch checks: +inf, or a row of -inf only, becomes nan there
            if self._validate and bool(normalised.isnan().any().item()):
                raise ValueError(f"Categorical: expected logits that normalise to real log-probabilities (no nan, "
                                 f"no +inf, not all -inf in a row), got {logits.tolist()}")
            self.__dict__["logits"] = normalised
        self._given = name
        self.param_shape = parameter.shape
        self.batch_shape = parameter.shape[:-1]
        self.event_shape = ()
        self._num_events = parameter.shape[-1]

    # The parameter not given is computed from the other on first use, as torch computes it.
    @functools.cached_property
    def probs(self):
        return self.logits.softmax(-1)

    @functools.cached_property
    def logits(self):
        # log p, with p kept inside [eps, 1 - eps] so that a probability of 0 gives a finite log (torch's rule)
        eps = float(backend.finfo(self.probs.dtype).eps)
        return self.probs.clamp(eps, 1 - eps).log()

    @property
    def mode(self):
        """The most probable category of each distribution of the batch."""
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        """Category indices of shape ``sample_shape + batch_shape`` (int64), drawn with replacement."""
        sample_shape = tuple(sample_shape)
        count = 1
        for n in sample_shape:
            count *= n
        rows = self.probs.detach().reshape(-1, self._num_events)
        drawn = multinomial(rows, count, replacement=True)  # (batch, count)
        return drawn.T.reshape(sample_shape + tuple(self.batch_shape))

    def log_prob(self, value):
        """log p(value), with ``value`` category indices broadcast against the batch."""
        check_tensor(value, "log_prob", "value")
        if self._validate:
            outside = (value < 0) | (value >= self._num_events) | (value != value.floor())
            if bool(outside.any().item()):
                raise ValueError(f"log_prob: expected values within the support (the integers 0 to "
                                 f"{self._num_events - 1}) of the distribution, got {value.tolist()}")
        shape = broadcast_shapes(tuple(value.shape) + (1,), tuple(self.logits.shape), op="log_prob")
        index = value.long().unsqueeze(-1).expand(shape[:-1] + (1,))
        return self.logits.expand(shape).gather(-1, index).squeeze(-1)

    def entropy(self):
        """-Σ p log p over the categories; a category of probability 0 adds 0 (its log-probability is clamped to
        the dtype's lowest finite value first, as torch does, so that 0 · -inf never makes a nan)."""
        logits = self.logits.clamp(min=float(backend.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def __repr__(self):
        return f"Categorical({self._given}: {tuple(self.param_shape)})"
