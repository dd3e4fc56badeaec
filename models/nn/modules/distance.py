"""``torch.nn.modules.distance``."""

from minigrad.nn.distance import CosineSimilarity, PairwiseDistance

__all__ = ["PairwiseDistance", "CosineSimilarity"]
