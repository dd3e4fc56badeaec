"""Synthetic sequence tasks: small, offline, seeded data sets, each isolating one thing a model has to learn.

Everything is generated on the spot with Python's ``random`` and ``datetime`` (nothing is downloaded), and every
generator is deterministic under its ``seed``: the same seed gives the same data on every machine and in every run.
A seed is an int, or a ``random.Random`` whose stream the generator draws from (and advances).

What each task teaches, and the baseline a model has to beat:

    dates, date_split    seq2seq (+ attention): read, reorder, rewrite   source-blind decoder: 1 date in 36,525
    copy_task            the encoder's state must hold the whole input   source-blind decoder: 1/vocab_size a symbol
    reverse_task         the same, with the shortest dependency first    source-blind decoder: 1/vocab_size a symbol
    adding_problem       a long-range dependency through a recurrence    MSE 1/6 by always answering 1.0
    copy_memory          remembering over a delay of T blank steps       cross-entropy 10·log(8)/(T+20), memoryless
    negation_sentiment   word order matters: "not good"                  bag of words ≤ 75% (a linear one ≤ 62.5%)
    next_token_tagging   what a right-to-left reading sees               left-to-right (T+1)/(2T) accuracy
    neighbour_tagging    what both directions see together               one direction alone (T+2)/(2T) accuracy

Token tasks come as Python lists of string tokens with a :class:`Vocabulary` to turn them into ids, so one
pipeline serves all of them (:meth:`Seq2SeqData.batches` pads and tensorises). Numeric tasks come as tensors,
batch-first (N, T, ...): give ``batch_first=True`` to the recurrent layers, or ``transpose(0, 1)``.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import numbers
import random
from typing import Iterable, NamedTuple, Sequence

import minigrad
from minigrad import Tensor

__all__ = ["Vocabulary", "pad_batch", "Seq2SeqData", "Seq2SeqBatch", "LabelledSentences", "DATE_FORMATS", "dates",
           "date_split", "copy_task", "reverse_task", "adding_problem", "copy_memory", "negation_sentiment",
           "next_token_tagging", "neighbour_tagging"]


# --- argument checks shared by every generator -----------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(caller: str, name: str, value, minimum: int, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum], or a ValueError naming what was expected and what was got."""
    if not _is_int(value) or value < minimum or (maximum is not None and value > maximum):
        expected = f"an int >= {minimum}" if maximum is None else f"an int in [{minimum}, {maximum}]"
        raise ValueError(f"{caller}: expected {name} to be {expected}, got {value!r}")
    return int(value)


def _rng(seed, caller: str) -> random.Random:
    """A private generator for an int seed (so the global ``random`` state is never touched), or the given one."""
    if isinstance(seed, random.Random):
        return seed
    if _is_int(seed):
        return random.Random(int(seed))
    raise TypeError(f"{caller}: expected seed to be an int or a random.Random, got {type(seed).__name__} {seed!r}")


# --- tokens and ids ----------------------------------------------------------------------------------------------
class Vocabulary:
    """A two-way map between tokens (strings) and integer ids, with four reserved special tokens.

    ids 0..3 are ``<pad>`` (fills the tail of short sequences in a batch), ``<bos>`` (the decoder's first input),
    ``<eos>`` (the decoder says "done") and ``<unk>`` (any token the vocabulary does not know). The given tokens
    follow in the order they first appear, so the same iterable always gives the same ids. A string is read as
    its characters: ``Vocabulary("abc")`` is a character vocabulary.
    """

    pad_token, bos_token, eos_token, unk_token = "<pad>", "<bos>", "<eos>", "<unk>"
    pad_idx, bos_idx, eos_idx, unk_idx = 0, 1, 2, 3

    def __init__(self, tokens: Iterable[str]):
        if isinstance(tokens, (set, frozenset)):
            # Python randomises string hashing per process, so a set's order (and so every id) would change
            # from one run to the next.
            raise TypeError("Vocabulary: a set has no stable order between runs, so the ids would change; "
                            "pass sorted(tokens)")
        self._tokens = [self.pad_token, self.bos_token, self.eos_token, self.unk_token]
        self._ids = {token: idx for idx, token in enumerate(self._tokens)}
        for token in tokens:
            if not isinstance(token, str):
                raise TypeError(f"Vocabulary: expected string tokens, got {type(token).__name__} {token!r}")
            if token not in self._ids:  # a repeated token (or a special) keeps its first id
                self._ids[token] = len(self._tokens)
                self._tokens.append(token)

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token) -> bool:
        return token in self._ids

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self._tokens == other._tokens

    def __repr__(self) -> str:
        shown = self._tokens[:12]
        more = f", ... ({len(self) - len(shown)} more)" if len(self) > len(shown) else ""
        return f"Vocabulary({len(self)} tokens: {', '.join(map(repr, shown))}{more})"

    @property
    def tokens(self) -> tuple:
        """Every token, in id order (the specials first)."""
        return tuple(self._tokens)

    def token_to_id(self, token: str) -> int:
        """The id of ``token``; ``unk_idx`` for a token the vocabulary does not hold."""
        return self._ids.get(token, self.unk_idx)

    def id_to_token(self, idx: int) -> str:
        """The token with id ``idx``; a ValueError for an id outside 0..len(self)-1."""
        if not _is_int(idx):
            raise TypeError(f"Vocabulary: expected an integer id, got {type(idx).__name__} {idx!r}")
        if not 0 <= idx < len(self):
            raise ValueError(f"Vocabulary: id {idx} is out of range; valid ids are 0 to {len(self) - 1}")
        return self._tokens[idx]

    def encode(self, tokens: Iterable[str], add_bos: bool = False, add_eos: bool = False) -> list:
        """Token ids for ``tokens`` (unknown tokens become ``unk_idx``), optionally framed by <bos> ... <eos>."""
        ids = [self.bos_idx] if add_bos else []
        for position, token in enumerate(tokens):
            if not isinstance(token, str):  # most likely ids passed where tokens were meant
                raise TypeError(f"Vocabulary.encode: expected string tokens, got {type(token).__name__} {token!r} "
                                f"at position {position}")
            ids.append(self._ids.get(token, self.unk_idx))
        if add_eos:
            ids.append(self.eos_idx)
        return ids

    def decode(self, ids, strip_special: bool = True) -> list:
        """Tokens for ``ids`` (a list of ints or a 1-D integer tensor).

        With ``strip_special`` the result reads like model output: it stops at the first <eos> and drops <pad>
        and <bos>. ``<unk>`` is kept, because it stands in for a real token.
        """
        if isinstance(ids, Tensor):
            if ids.ndim != 1:
                raise ValueError(f"Vocabulary.decode: expected a 1-D tensor of ids, got shape {ids.shape}")
            ids = ids.tolist()
        tokens = []
        for idx in ids:
            token = self.id_to_token(idx)
            if strip_special and idx == self.eos_idx:
                break
            if strip_special and idx in (self.pad_idx, self.bos_idx):
                continue
            tokens.append(token)
        return tokens


def pad_batch(sequences: Sequence[Sequence[int]], pad_idx: int = 0, device=None):
    """Stack id sequences of different lengths into one int64 tensor of shape (B, T_max), **batch-first**.

    Row b holds sequence b followed by ``pad_idx`` up to the longest length. Returns ``(padded, lengths)`` with
    ``lengths[b]`` the real length of row b (Python ints), ready for
    ``models.pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)``.
    """
    sequences = [list(sequence) for sequence in sequences]
    if not sequences:
        raise ValueError("pad_batch: expected at least one sequence, got none")
    pad_idx = _check_int("pad_batch", "pad_idx", pad_idx, 0)
    for b, sequence in enumerate(sequences):
        if not sequence:  # a length-0 row cannot be packed, and would be all padding
            raise ValueError(f"pad_batch: expected every sequence to hold at least one id, sequence {b} is empty")
        bad = [idx for idx in sequence if not (_is_int(idx) and idx >= 0)]
        if bad:
            error = ValueError if _is_int(bad[0]) else TypeError
            raise error(f"pad_batch: expected non-negative integer ids, sequence {b} holds {bad[0]!r}")
    lengths = [len(sequence) for sequence in sequences]
    width = max(lengths)
    rows = [sequence + [pad_idx] * (width - len(sequence)) for sequence in sequences]
    return minigrad.tensor(rows, dtype=minigrad.int64, device=device), lengths


# --- sequence-to-sequence data, shared by dates, copy and reverse ---------------------------------------------------
class Seq2SeqBatch(NamedTuple):
    """One padded batch of a :class:`Seq2SeqData`, batch-first.

    sources         (B, S) int64: the source ids, <pad> after each source's end (no <bos>/<eos>)
    source_lengths  list of B ints: each source's real length, for packing
    targets         (B, T) int64: <bos> target <eos>, then <pad>
    """

    sources: Tensor
    source_lengths: list
    targets: Tensor


@dataclasses.dataclass(repr=False)
class Seq2SeqData:
    """Pairs of token sequences, and the vocabularies that turn them into ids.

    ``sources[i]`` and ``targets[i]`` are sequences of string tokens: a ``str`` for character tasks (dates), a
    list of symbols for copy and reverse. Train a decoder with teacher forcing on a batch's targets::

        for batch in data.batches(32, seed=epoch):
            decoder_inputs, decoder_targets = batch.targets[:, :-1], batch.targets[:, 1:]
            ...  # loss = F.cross_entropy(logits, decoder_targets, ignore_index=data.target_vocab.pad_idx)
    """

    sources: list
    targets: list
    source_vocab: Vocabulary
    target_vocab: Vocabulary

    def __len__(self) -> int:
        return len(self.sources)

    def __repr__(self) -> str:
        return (f"Seq2SeqData({len(self)} pairs, e.g. {self.sources[0]!r} -> {self.targets[0]!r}; "
                f"{len(self.source_vocab)} source tokens, {len(self.target_vocab)} target tokens)")

    def batches(self, batch_size: int, seed=None, device=None):
        """Yield batches (:class:`Seq2SeqBatch`) of ``batch_size`` pairs, every pair once (the last may be smaller).

        ``seed`` shuffles the order (a new seed each epoch gives new batches); ``None`` keeps the data's order.
        """
        batch_size = _check_int("Seq2SeqData.batches", "batch_size", batch_size, 1)
        order = list(range(len(self)))
        if seed is not None:
            _rng(seed, "Seq2SeqData.batches").shuffle(order)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            sources, source_lengths = pad_batch([self.source_vocab.encode(self.sources[i]) for i in chosen],
                                                self.source_vocab.pad_idx, device)
            targets, _ = pad_batch([self.target_vocab.encode(self.targets[i], add_bos=True, add_eos=True)
                                    for i in chosen], self.target_vocab.pad_idx, device)
            yield Seq2SeqBatch(sources, source_lengths, targets)


# --- dates ----------------------------------------------------------------------------------------------------------
# English names written out rather than taken from strftime("%B"), whose names follow the process's locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # date.weekday() order

FIRST_DATE, LAST_DATE = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)

# str.format templates; for Sunday 3 May 1998 the fields are D 3, DD 03, Dth 3rd, M 5, MM 05, YYYY 1998, Month May,
# Mon May (Sep for September), MONTH MAY, Weekday Sunday, Wkd Sun. Every year has four digits and every all-number
# format is day-first, so no source string can stand for two dates.
DATE_FORMATS = (
    "{D} {Month} {YYYY}",               # 3 May 1998
    "{Month} {D}, {YYYY}",              # May 3, 1998
    "{Weekday}, {Month} {D}, {YYYY}",   # Sunday, May 3, 1998
    "{Wkd} {DD} {Month} {YYYY}",        # Sun 03 May 1998
    "{Dth} of {Month} {YYYY}",          # 3rd of May 1998
    "{Weekday} {Dth} {Month} {YYYY}",   # Sunday 3rd May 1998
    "{MONTH} {D} {YYYY}",               # MAY 3 1998
    "{YYYY} {Month} {D}",               # 1998 May 3
    "{DD}-{Mon}-{YYYY}",                # 03-May-1998
    "{D}/{M}/{YYYY}",                   # 3/5/1998
    "{DD}.{MM}.{YYYY}",                 # 03.05.1998
    "{YYYY}/{MM}/{DD}",                 # 1998/05/03
)


def _ordinal(day: int) -> str:
    """1st 2nd 3rd 4th ... 11th 12th 13th ... 21st 22nd 23rd ... 31st: the teens are the exception."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_fields(date: datetime.date) -> dict:
    month, weekday = MONTHS[date.month - 1], WEEKDAYS[date.weekday()]
    return {"D": date.day, "DD": f"{date.day:02d}", "Dth": _ordinal(date.day), "M": date.month,
            "MM": f"{date.month:02d}", "YYYY": date.year, "Month": month, "Mon": month[:3], "MONTH": month.upper(),
            "Weekday": weekday, "Wkd": weekday[:3]}


def _check_formats(formats, caller: str) -> tuple:
    if formats is None:
        return DATE_FORMATS
    if isinstance(formats, str):
        raise TypeError(f"{caller}: expected formats to be a list of templates such as {DATE_FORMATS[0]!r}, "
                        f"got the single string {formats!r}")
    formats = tuple(formats)
    if not formats:
        raise ValueError(f"{caller}: expected at least one format, got none")
    for template in formats:
        try:
            template.format(**_date_fields(FIRST_DATE))
        except (AttributeError, KeyError, IndexError, ValueError) as error:
            fields = " ".join("{" + name + "}" for name in _date_fields(FIRST_DATE))
            raise ValueError(f"{caller}: format {template!r} is not a template over the fields {fields} "
                             f"({type(error).__name__}: {error})") from None
    return formats


@functools.lru_cache(maxsize=None)
def _date_alphabet(formats: tuple) -> tuple:
    """Every character ``formats`` can print for a date in range, sorted."""
    # Every day of one leap year shows every month, weekday, day number and ordinal suffix; the first day of
    # every year shows every year. Together they print every character a template over the fields can print.
    leap_year = [datetime.date(2000, 1, 1) + datetime.timedelta(days=k) for k in range(366)]
    new_years = [datetime.date(year, 1, 1) for year in range(FIRST_DATE.year, LAST_DATE.year + 1)]
    return tuple(sorted({character for date in leap_year + new_years for template in formats
                         for character in template.format(**_date_fields(date))}))


def _date_source_vocab(formats: tuple) -> Vocabulary:
    # Built from what the formats can print, not from the sample, so a held-out set has no unknown characters.
    # The default formats' alphabet comes first, so every subset of them gives the same ids (train on some
    # formats, test on others) and a custom template's new characters only add ids after them.
    standard = _date_alphabet(DATE_FORMATS)
    return Vocabulary(standard + tuple(c for c in _date_alphabet(formats) if c not in standard))


def _render_dates(days: list, rng: random.Random, formats: tuple) -> Seq2SeqData:
    """The days (proleptic ordinals) as pairs (a uniformly chosen format, ISO 8601)."""
    sources, targets = [], []
    for day in map(datetime.date.fromordinal, days):
        sources.append(rng.choice(formats).format(**_date_fields(day)))
        targets.append(day.isoformat())
    return Seq2SeqData(sources, targets, _date_source_vocab(formats), Vocabulary("0123456789-"))


def dates(n: int, seed, formats=None) -> Seq2SeqData:
    """``n`` human-readable dates and their ISO 8601 form: ``"Sunday, May 3, 1998" -> "1998-05-03"``.

    Teaches sequence-to-sequence translation (and why attention helps): the decoder must find the year, month
    and day wherever the format put them, turn month names into numbers, ignore weekdays, and pad days to two
    digits. Dates are drawn uniformly from 1950-01-01 to 2049-12-31, each rendered with a format chosen
    uniformly from ``formats`` (default: all of :data:`DATE_FORMATS`; any templates over the same fields work).
    Sources are strings (character tokens), targets 10-character strings.

    Baseline: a decoder that ignores its source can learn only the shape of the output (``19``/``20``, dashes,
    likely digits); it gets a whole date right about once in 36,525 (the number of dates in range). Trained
    models reach ~100% exact match. For a held-out set of unseen dates, use :func:`date_split`.
    """
    n = _check_int("dates", "n", n, 1)
    formats = _check_formats(formats, "dates")
    rng = _rng(seed, "dates")
    days = [rng.randint(FIRST_DATE.toordinal(), LAST_DATE.toordinal()) for _ in range(n)]
    return _render_dates(days, rng, formats)


def date_split(n_train: int, n_held_out: int, seed, formats=None):
    """``(train, held_out)`` date data (see :func:`dates`) with no date in common.

    The ``n_held_out`` dates are distinct, drawn first; training dates are drawn uniformly from the rest, so
    held-out accuracy measures generalisation to dates never seen, not memory of them. Both share vocabularies.
    """
    n_train = _check_int("date_split", "n_train", n_train, 1)
    all_days = range(FIRST_DATE.toordinal(), LAST_DATE.toordinal() + 1)
    n_held_out = _check_int("date_split", "n_held_out", n_held_out, 1, len(all_days) - 1)
    formats = _check_formats(formats, "date_split")
    rng = _rng(seed, "date_split")
    held_out_days = rng.sample(all_days, n_held_out)
    excluded = set(held_out_days)
    training_days = [day for day in all_days if day not in excluded]
    train_days = [rng.choice(training_days) for _ in range(n_train)]
    return _render_dates(train_days, rng, formats), _render_dates(held_out_days, rng, formats)


# --- copy and reverse -----------------------------------------------------------------------------------------------
def _symbol_task(caller: str, transform, n, min_len, max_len, vocab_size, seed) -> Seq2SeqData:
    """Random sequences of symbols ``s0 .. s{vocab_size-1}`` (uniform length, uniform symbols) -> transform."""
    n = _check_int(caller, "n", n, 1)
    min_len = _check_int(caller, "min_len", min_len, 1)
    max_len = _check_int(caller, "max_len", max_len, 1)
    if max_len < min_len:
        raise ValueError(f"{caller}: expected max_len >= min_len ({min_len}), got {max_len}")
    vocab_size = _check_int(caller, "vocab_size", vocab_size, 1)
    rng = _rng(seed, caller)
    symbols = [f"s{i}" for i in range(vocab_size)]
    sources = [[rng.choice(symbols) for _ in range(rng.randint(min_len, max_len))] for _ in range(n)]
    vocab = Vocabulary(symbols)
    return Seq2SeqData(sources, [transform(source) for source in sources], vocab, vocab)


def copy_task(n: int, min_len: int, max_len: int, vocab_size: int, seed) -> Seq2SeqData:
    """``n`` random symbol sequences (lengths uniform in [min_len, max_len]) whose target is the same sequence.

    Teaches the encoder-decoder bottleneck: without attention, the encoder's final state must hold the whole
    sequence, and the first symbol to output is the one read longest ago, so accuracy falls as sequences grow.
    Baseline: a decoder that ignores its source gets each symbol right with probability 1/vocab_size.
    """
    return _symbol_task("copy_task", list, n, min_len, max_len, vocab_size, seed)


def reverse_task(n: int, min_len: int, max_len: int, vocab_size: int, seed) -> Seq2SeqData:
    """Like :func:`copy_task`, but the target is the source reversed.

    Teaches why Sutskever et al. (2014) fed sources backwards: here the first output is the last input read,
    so the first dependencies are short, and an encoder-decoder without attention learns this faster than copy.
    Baseline: 1/vocab_size per symbol for a decoder that ignores its source.
    """
    return _symbol_task("reverse_task", lambda source: source[::-1], n, min_len, max_len, vocab_size, seed)


# --- long-range dependencies ----------------------------------------------------------------------------------------
def adding_problem(n: int, length: int, seed, device=None):
    """The adding problem: ``(inputs (n, length, 2) float, targets (n,) float)``.

    Channel 0 holds values uniform in [0, 1); channel 1 marks exactly two positions with 1.0, one in the first
    half (``t < length // 2``) and one in the second; the target is the sum of the two marked values. This is
    the version of Le, Jaitly & Hinton (2015) and Arjovsky, Shah & Bengio (2016), after Hochreiter & Schmidhuber
    (1997). It teaches long-range credit assignment: the first marked value must be carried across about
    length/2 steps of distractors, which a plain RNN fails to learn as ``length`` grows and an LSTM manages.

    Baseline: always answering 1.0 (the mean target) scores MSE = Var(U1 + U2) = 2 · 1/12 = 1/6 ≈ 0.167; a model
    that found one of the two values (answering it + 0.5) scores 1/12 ≈ 0.083. Only below that has it solved it.
    """
    n = _check_int("adding_problem", "n", n, 1)
    length = _check_int("adding_problem", "length", length, 2)
    rng = _rng(seed, "adding_problem")
    half = length // 2
    inputs, targets = [], []
    for _ in range(n):
        values = [rng.random() for _ in range(length)]
        marked = (rng.randrange(half), rng.randrange(half, length))
        inputs.append([[value, 1.0 if t in marked else 0.0] for t, value in enumerate(values)])
        targets.append(values[marked[0]] + values[marked[1]])
    return minigrad.tensor(inputs, device=device), minigrad.tensor(targets, device=device)


def copy_memory(n: int, delay: int, seed, num_symbols: int = 8, copy_length: int = 10, device=None):
    """The copy-memory task of Arjovsky, Shah & Bengio (2016): ``(inputs, targets)``, int64 (n, delay + 2·copy_length).

    With T = ``delay``, K = ``copy_length`` (10 in the paper) and S = ``num_symbols`` (8), each input is::

        K symbols from 1..S | T-1 blanks (0) | delimiter (S+1) | K blanks        (the delimiter is at K+T-1)

    and its target is T+K blanks followed by the K symbols: after the delimiter, the model must replay what
    it saw T steps earlier. Predict S+2 classes at every step. Teaches memory over a controllable delay.

    Baseline: a memoryless model knows from the position alone where the target is blank, and otherwise can
    only guess uniformly, so its mean cross-entropy per step is K·log(S)/(T+2K): 10·log(8)/(T+20) in the paper.
    """
    n = _check_int("copy_memory", "n", n, 1)
    delay = _check_int("copy_memory", "delay", delay, 1)
    num_symbols = _check_int("copy_memory", "num_symbols", num_symbols, 1)
    copy_length = _check_int("copy_memory", "copy_length", copy_length, 1)
    rng = _rng(seed, "copy_memory")
    blank, delimiter = 0, num_symbols + 1
    inputs, targets = [], []
    for _ in range(n):
        symbols = [rng.randint(1, num_symbols) for _ in range(copy_length)]
        inputs.append(symbols + [blank] * (delay - 1) + [delimiter] + [blank] * copy_length)
        targets.append([blank] * (delay + copy_length) + symbols)
    return (minigrad.tensor(inputs, dtype=minigrad.int64, device=device),
            minigrad.tensor(targets, dtype=minigrad.int64, device=device))


# --- what order and direction buy -----------------------------------------------------------------------------------
SUBJECTS = ("film", "plot", "acting", "music", "ending", "script", "cast", "story")
NEUTRAL_WORDS = ("long", "short", "new", "old", "quiet", "simple", "modern", "familiar")
POSITIVE_WORDS = ("good", "great", "superb", "moving", "fun")
NEGATIVE_WORDS = ("bad", "awful", "dull", "boring", "weak")
CONJUNCTIONS = ("and", "but")


@dataclasses.dataclass(repr=False)
class LabelledSentences:
    """Sentences (lists of word tokens), one label per sentence, and the vocabulary of every possible word."""

    sentences: list
    labels: list
    vocab: Vocabulary

    def __len__(self) -> int:
        return len(self.sentences)

    def __repr__(self) -> str:
        return (f"LabelledSentences({len(self)} sentences, e.g. {' '.join(self.sentences[0])!r} -> "
                f"{self.labels[0]}; {len(self.vocab)} tokens)")


def _clause(subject: str, adjective: str, negated: bool) -> list:
    return ["the", subject, "was"] + (["not"] if negated else []) + [adjective]


def negation_sentiment(n: int, seed) -> LabelledSentences:
    """Two-clause reviews whose label is the sentiment word's polarity, flipped by a "not" right before it.

    "the film was good and the plot was long" -> 1, "the film was not good but the plot was long" -> 0,
    "the plot was not long and the ending was not bad" -> 1. One clause holds a sentiment word (positive or
    negative), the other a neutral word; each is negated ("not" before its adjective) with probability 1/2,
    independently, and the clauses come in either order. So ``label = positive XOR negated``, balanced.

    Teaches that word order carries meaning. A bag of words sees the sentiment word and how many "not"s there
    are, but not which adjective a "not" stands before: with one "not" (half the sentences) the label is a coin
    flip, so no bag-of-words model can beat 75%. A *linear* one does worse, at most 62.5%: with zero or two "not"s
    the label is polarity XOR negated, which is not linearly separable (no line splits the four corners of a square
    by XOR), so it gets at most three of those four cases; trained by gradient descent it stays near chance, as no
    single word count is correlated with the label. A model that reads in order (an RNN, or bigrams) reaches 100%.
    """
    n = _check_int("negation_sentiment", "n", n, 1)
    rng = _rng(seed, "negation_sentiment")
    sentences, labels = [], []
    for _ in range(n):
        positive, negated, neutral_negated = (rng.random() < 0.5 for _ in range(3))
        sentiment_word = rng.choice(POSITIVE_WORDS if positive else NEGATIVE_WORDS)
        subject, other_subject = rng.sample(SUBJECTS, 2)
        clauses = [_clause(subject, sentiment_word, negated),
                   _clause(other_subject, rng.choice(NEUTRAL_WORDS), neutral_negated)]
        rng.shuffle(clauses)
        sentences.append(clauses[0] + [rng.choice(CONJUNCTIONS)] + clauses[1])
        labels.append(int(positive != negated))
    vocab = Vocabulary(("the", "was", "not") + CONJUNCTIONS + SUBJECTS + NEUTRAL_WORDS + POSITIVE_WORDS
                       + NEGATIVE_WORDS)
    return LabelledSentences(sentences, labels, vocab)


def _token_tagging(caller: str, n, length, min_length: int, seed, vocab_size, device, tag_row):
    """Uniform token ids (n, length) and the tags ``tag_row(row of booleans: token in the lower half)`` gives."""
    n = _check_int(caller, "n", n, 1)
    length = _check_int(caller, "length", length, min_length)
    if not (_is_int(vocab_size) and vocab_size >= 2 and vocab_size % 2 == 0):
        raise ValueError(f"{caller}: expected vocab_size to be an even int >= 2 (so that half of the tokens are "
                         f"in the lower half and guessing scores 50%), got {vocab_size!r}")
    rng = _rng(seed, caller)
    lower_half = vocab_size // 2
    tokens = [[rng.randrange(vocab_size) for _ in range(length)] for _ in range(n)]
    tags = [tag_row([token < lower_half for token in row]) for row in tokens]
    return (minigrad.tensor(tokens, dtype=minigrad.int64, device=device),
            minigrad.tensor(tags, dtype=minigrad.int64, device=device))


def next_token_tagging(n: int, length: int, seed, vocab_size: int = 10, device=None):
    """Tag each token by the token *after* it: ``(tokens, tags)``, int64 tensors of shape (n, length).

    Tokens are uniform ids in 0..vocab_size-1 (feed them to an ``Embedding(vocab_size, ...)``). The tag at
    position t < length-1 is 1 if token t+1 is in the lower half (``< vocab_size // 2``), else 0; the last
    position, which has no next token, is always tagged 0.

    Teaches what a right-to-left reading gives. Token t+1 is independent of everything up to t, so a
    left-to-right model can only guess at the first length-1 positions: its best accuracy is
    (0.5·(length-1) + 1) / length = (length+1)/(2·length), e.g. 55% for length 10. A model whose right-to-left
    direction has read token t+1 can reach 100%; a right-to-left model alone does, so this task cannot show what
    the *two* directions of a bidirectional layer buy together (:func:`neighbour_tagging` can).
    """
    return _token_tagging("next_token_tagging", n, length, 2, seed, vocab_size, device,
                          lambda lower: [int(following) for following in lower[1:]] + [0])


def neighbour_tagging(n: int, length: int, seed, vocab_size: int = 10, device=None):
    """Tag each token by its two neighbours: ``(tokens, tags)``, int64 tensors of shape (n, length).

    Tokens are uniform ids in 0..vocab_size-1. The tag at position 0 < t < length-1 is 1 when tokens t-1 and
    t+1 are in the same half (both ``< vocab_size // 2`` or both not), else 0; the two end positions, which miss
    a neighbour, are always tagged 0.

    Teaches what the two directions of a bidirectional layer buy together. Either neighbour alone says nothing
    about the tag (whatever token t-1 is, token t+1 decides it with probability 1/2 each way, and vice versa),
    so a left-to-right model, which has not read token t+1, and a right-to-left one, which has not read token
    t-1, can only guess at the length-2 inner positions: the best either can do is
    (0.5·(length-2) + 2) / length = (length+2)/(2·length), 60% for length 10. A bidirectional model can reach 100%.
    """
    return _token_tagging("neighbour_tagging", n, length, 3, seed, vocab_size, device,
                          lambda lower: [0] + [int(before == after) for before, after in zip(lower, lower[2:])] + [0])
