"""The one door to NumPy and CuPy.

Every array minigrad computes with lives on a *device*. A device is an object that knows its array module
``xp`` (NumPy's or CuPy's namespace, Chainer style), so a single implementation of each op serves CPU and GPU:
the op asks its inputs' device for ``xp`` and calls ``xp.exp``, ``xp.where``, ... on it.

Three devices exist:

``cpu``     NumPy arrays in host memory.
``cuda``    CuPy arrays in GPU memory. CuPy is imported the first time the device is asked for, so a machine
            without it never pays for (or trips over) the import.
``strict``  A stand-in for ``cuda`` that runs anywhere. Its arrays are NumPy arrays in a wrapper that behaves like
            CuPy where GPU code usually breaks: ``np.asarray(a)`` raises instead of silently copying to the host,
            mixing a host array into an op raises, and host data comes out only through an explicit transfer.
            Running the test suite with ``MINIGRAD_DEVICE=strict`` catches on a CPU the code that a GPU would reject.

No other module of minigrad imports numpy or cupy; they reach arrays through this package (dtypes.py, strict.py,
devices.py, special.py, arrays.py), whose names are all here.
"""

from .arrays import (element_positions, format_array, has_internal_overlap, host_array, load_npz, random_stream,
                     save_npz)
from .devices import (DEVICE_NAMES, DEVICE_OF_TYPE, ArrayNamespace, Device, as_array, cpu, cuda_available,
                      cuda_device_name, cuda_synchronize, default_device, device_of, get_device, is_array,
                      set_default_device, strict, transfer)
from .dtypes import (DTYPE_NAMES, DType, as_dtype, bool_, category, finfo, fits, float16, float32, float64,
                     get_default_dtype, iinfo, int8, int16, int32, int64, is_floating, promote_types, result_type,
                     scalar_dtype, set_default_dtype, uint8)
from .strict import HostDeviceMixError, StrictArray


def erf(array):
    """The error function, elementwise, on the array's device."""
    return device_of(array).xp.erf(array)
