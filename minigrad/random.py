"""Random numbers, as torch.random: ``Generator`` objects, and the default generator that ``manual_seed`` seeds.

A Generator is a seeded stream of random numbers. Every random function of minigrad draws from one: the default
generator (``minigrad.manual_seed(0)`` seeds it, and returns it, as torch's does), or the one passed as
``generator=`` (``randn``, ``rand``, ``randint``, ``randperm``, ``normal``, ``multinomial``, ``bernoulli``,
``Tensor.uniform_`` and ``normal_``, ``nn.init``'s fills, ``random_split``, the samplers and the DataLoader).

The numbers are drawn on the host, by NumPy's PCG64 (backend), and reach a device by transfer, so a seed gives the
same numbers on every device. They are not torch's numbers (torch uses a Mersenne Twister and its own ways of turning
bits into samples): a seed makes a minigrad program reproducible, not equal to the torch program with that seed.
"""

from __future__ import annotations

import json
import secrets

from . import backend
from .checks import is_int, type_name
from .tensor_base import TensorBase

DEFAULT_SEED = 0  # the seed a new Generator (and the default one, at import) starts from
_SEEDS = 2 ** 64  # seeds are 64-bit, as torch's; a negative one is read modulo 2⁶⁴, as torch reads it


class Generator:
    """A seeded stream of random numbers, as torch.Generator: ``Generator().manual_seed(1)`` (which returns the
    generator), passed as ``generator=`` to the random functions. ``device`` is where torch would draw; minigrad
    draws on the host for every device, so it is recorded and changes nothing."""

    def __init__(self, device="cpu"):
        self.device = backend.get_device(device)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed) -> "Generator":
        """Restart the stream from ``seed`` (an int in [-2⁶³, 2⁶⁴)); returns the generator."""
        if not is_int(seed):
            raise RuntimeError(f"manual_seed: expected an int seed, got {type_name(seed)}")
        if not -2 ** 63 <= seed < _SEEDS:
            raise ValueError(f"manual_seed: expected a seed in [-2**63, 2**64), got {seed}")
        self._initial_seed = int(seed) % _SEEDS
        self._stream = backend.random_stream(self._initial_seed)
        return self

    def seed(self) -> int:
        """Restart the stream from a seed taken from the operating system's entropy; returns that seed."""
        seed = secrets.randbits(64)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._initial_seed

    def get_state(self):
        """Where the stream is now, as a 1-d uint8 tensor (torch's ByteTensor) for ``set_state``."""
        from .creation import tensor  # (creation builds on tensor, whose random fills draw from here)
        state = {"seed": self._initial_seed, "stream": self._stream.bit_generator.state}
        return tensor(list(json.dumps(state).encode()), dtype=backend.uint8, device="cpu")

    def set_state(self, new_state) -> "Generator":
        """Put the stream back where ``get_state`` found it; returns the generator."""
        if not isinstance(new_state, TensorBase) or new_state.dtype != backend.uint8 or new_state.ndim != 1:
            raise TypeError(f"set_state: expected the 1-d uint8 tensor (ByteTensor) that get_state returns, got "
                            f"{_described(new_state)}")
        try:
            state = json.loads(bytes(new_state.tolist()).decode())
            stream = backend.random_stream(state["seed"])
            stream.bit_generator.state = state["stream"]
        except (ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"set_state: expected a state that get_state returned, got {new_state.numel()} bytes "
                               f"that are not one ({type(error).__name__}: {error})") from None
        self._initial_seed, self._stream = state["seed"], stream
        return self

    def __repr__(self):
        return f"<minigrad.Generator device='{self.device}' initial_seed={self._initial_seed}>"


def _described(value) -> str:
    return f"a tensor of dtype {value.dtype} and shape {value.shape}" if isinstance(value, TensorBase) else \
        type_name(value)


default_generator = Generator()


def source(generator=None, op: str = "random"):
    """The NumPy generator to draw from: the default generator's, ``generator``'s (a minigrad Generator), or
    ``generator`` itself when it is a ``numpy.random.Generator`` (which the data utilities accept too)."""
    if generator is None:
        return default_generator._stream
    if isinstance(generator, Generator):
        return generator._stream
    if hasattr(generator, "permutation") and hasattr(generator, "integers"):
        return generator
    raise TypeError(f"{op}: expected generator to be None or a numpy.random.Generator, got {type_name(generator)} "
                    "(a minigrad.Generator works too)")


def manual_seed(seed) -> Generator:
    """Seed the default generator; returns it, as torch's. Unlike torch, which reads the seed with int() (so that
    1.5 and "3" are seeds), the seed must be an int."""
    if not is_int(seed):
        raise TypeError(f"manual_seed expects an int, got {type_name(seed)}")
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last started from."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (``get_state``)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state (``set_state``)."""
    default_generator.set_state(new_state)
