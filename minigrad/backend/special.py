"""Special functions NumPy lacks, written with array operations so that every device can run them."""

from __future__ import annotations

# --- special functions -------------------------------------------------------------------------------------
# erf has no NumPy function. These are the rational approximations of the Cephes library (S. L. Moshier), good
# to about one unit in the last place of a float64: erf(x) = x·T(x²)/U(x²) for |x| < 1; beyond,
# erf(x) = sign(x)·(1 - erfc|x|) with erfc(a) = e^(-a²)·P(a)/Q(a) for a < 8 and e^(-a²)·R(a)/S(a) from there on.
_ERF_T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3, 7.00332514112805075473e3,
          5.55923013010394962768e4)
_ERF_U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3, 2.26290000613890934246e4,
          4.92673942608635921086e4)
_ERFC_P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
           4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2, 9.34528527171957607540e2,
           1.02755188689515710272e3, 5.57535335369399327526e2)
_ERFC_Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2, 9.75708501743205489753e2,
           1.82390916687909736289e3, 2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2)
_ERFC_R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0, 6.16021097993053585195e0,
           7.40974269950448939160e0, 2.97886665372100240670e0)
_ERFC_S = (2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1, 1.70814450747565897222e1,
           9.60896809063285878198e0, 3.36907645100081516050e0)


def _polynomial(x, coefficients, monic=False):
    """c0·xⁿ + c1·xⁿ⁻¹ + ... (Horner); ``monic``: with a leading 1·xⁿ⁺¹ before them."""
    result = x + coefficients[0] if monic else x * 0 + coefficients[0]
    for c in coefficients[1:]:
        result = result * x + c
    return result


def erf(xp, array):
    """The error function, elementwise, computed with the array module ``xp`` (NumPy's, or the strict one's)."""
    a = abs(array)
    # Each formula is evaluated where it applies and elsewhere on a harmless stand-in, so that neither meets the
    # other's range (huge x would overflow the inner polynomials to inf/inf): the inner one on 0, the outer one on
    # 1; and the outer one on at most 30, beyond which e^(-x²) is 0 even in float64, so erf is exactly ±1 (±inf too).
    near = xp.where(a < 1, array, 0)
    squared = near * near
    inner = near * _polynomial(squared, _ERF_T) / _polynomial(squared, _ERF_U, monic=True)
    far = xp.clip(a, 1, 30)
    ratio = xp.where(far < 8, _polynomial(far, _ERFC_P) / _polynomial(far, _ERFC_Q, monic=True),
                     _polynomial(far, _ERFC_R) / _polynomial(far, _ERFC_S, monic=True))
    outer = xp.sign(array) * (1 - xp.exp(-far * far) * ratio)
    return xp.where(a < 1, inner, outer).astype(array.dtype, copy=False)
