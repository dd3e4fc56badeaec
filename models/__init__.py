"""Sequence models built only from minigrad's public API: recurrent cells and layers, packing, truncated BPTT,
attention, seq2seq with greedy and beam search, BLEU, multi-head attention and the Transformer, and synthetic
tasks.

Names, arguments, shapes and parameter names follow torch.nn, so ``from models import LSTM`` can stand in for
``from torch.nn import LSTM`` and a torch state_dict (as NumPy arrays) loads unchanged.
"""

from .attention import AdditiveAttention, Attention, DotAttention, GeneralAttention
from .gru import GRU, GRUCell
from .lstm import LSTM, LSTMCell
from .metrics import corpus_bleu, exact_match, sentence_bleu
from .multihead_attention import MultiheadAttention
from .packing import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence
from .recurrent import Recurrence
from .registry import RECURRENCES, RecurrentKind
from .rnn import RNN, RNNCell
from .search import StepModel, beam_search, greedy_search
from .seq2seq import (Decoder, Encoder, Memory, Seq2Seq, exponential_schedule, inverse_sigmoid_schedule,
                      linear_schedule, sequence_loss)
from .tasks import (DATE_FORMATS, LabelledSentences, Seq2SeqBatch, Seq2SeqData, Vocabulary, adding_problem,
                    copy_memory, copy_task, date_split, dates, negation_sentiment, neighbour_tagging,
                    next_token_tagging, pad_batch, reverse_task)
from .tbptt import bptt_batches, detach_state
from .transformer import (PositionalEncoding, Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "Recurrence", "RecurrentKind", "RECURRENCES",
           "PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "detach_state",
           "bptt_batches", "Attention", "AdditiveAttention", "DotAttention", "GeneralAttention", "Encoder", "Decoder",
           "Memory", "Seq2Seq", "sequence_loss", "linear_schedule", "exponential_schedule", "inverse_sigmoid_schedule",
           "StepModel", "greedy_search", "beam_search", "corpus_bleu", "sentence_bleu", "exact_match", "Vocabulary",
           "pad_batch", "Seq2SeqData", "Seq2SeqBatch", "LabelledSentences", "DATE_FORMATS", "dates", "date_split",
           "copy_task", "reverse_task", "adding_problem", "copy_memory", "negation_sentiment", "neighbour_tagging",
           "next_token_tagging", "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
           "TransformerDecoderLayer", "TransformerDecoder", "Transformer", "PositionalEncoding"]
