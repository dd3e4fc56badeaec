"""Small pieces shared by the ops' gradient formulas."""


def total(*terms):
    """The sum of the terms that are present: a tangent that is absent (None) is zero, and so is a sum of none."""
    present = [term for term in terms if term is not None]
    if not present:
        return None
    result = present[0]
    for term in present[1:]:
        result = result + term
    return result
