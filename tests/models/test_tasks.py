"""Synthetic tasks: determinism under a seed, each task's structure checked against its description, and every
documented baseline computed from generated data.

Values leave tensors only through .tolist(), so the suite also runs with MINIGRAD_DEVICE=strict.
"""

import ast
import collections
import dataclasses
import datetime
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad
from models import tasks

GENERATORS = {
    "dates": lambda seed: tasks.dates(40, seed),
    "date_split": lambda seed: tasks.date_split(30, 20, seed),
    "copy_task": lambda seed: tasks.copy_task(30, 1, 8, 5, seed),
    "reverse_task": lambda seed: tasks.reverse_task(30, 1, 8, 5, seed),
    "adding_problem": lambda seed: tasks.adding_problem(20, 8, seed),
    "copy_memory": lambda seed: tasks.copy_memory(20, 5, seed),
    "negation_sentiment": lambda seed: tasks.negation_sentiment(30, seed),
    "next_token_tagging": lambda seed: tasks.next_token_tagging(20, 6, seed),
    "neighbour_tagging": lambda seed: tasks.neighbour_tagging(20, 6, seed),
}


def plain(value):
    """A generator's result as nested Python values, tensors included (their dtype and values)."""
    if isinstance(value, minigrad.Tensor):
        return ("tensor", str(value.dtype), value.shape, value.tolist())
    if isinstance(value, tasks.Vocabulary):
        return ("vocabulary", value.tokens)
    if dataclasses.is_dataclass(value):
        return [plain(getattr(value, field.name)) for field in dataclasses.fields(value)]
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return value


def values(tensor):
    return np.array(tensor.tolist())


# --- determinism ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(name):
    generate = GENERATORS[name]
    assert plain(generate(7)) == plain(generate(7))
    assert plain(generate(7)) != plain(generate(8))
    assert plain(generate(random.Random(7))) == plain(generate(7))  # a Random is used as it is


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_leave_the_global_random_state_alone(name):
    random.seed(123)
    state = random.getstate()
    GENERATORS[name](0)
    assert random.getstate() == state


def test_tasks_module_imports_only_the_standard_library_and_minigrad():
    source = Path(tasks.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "dataclasses", "datetime", "functools", "numbers", "random", "typing",
                        "minigrad"}, imported


# --- Vocabulary ----------------------------------------------------------------------------------------------------
def test_vocabulary_reserves_the_four_specials_and_numbers_tokens_in_order():
    vocab = tasks.Vocabulary("hello")
    assert (vocab.pad_idx, vocab.bos_idx, vocab.eos_idx, vocab.unk_idx) == (0, 1, 2, 3)
    assert [vocab.id_to_token(i) for i in range(4)] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert len(vocab) == 4 + len(set("hello"))
    assert [vocab.token_to_id(c) for c in "helo"] == [4, 5, 6, 7]  # first appearance; the second 'l' adds nothing
    assert "h" in vocab and "<eos>" in vocab and "z" not in vocab
    assert vocab == tasks.Vocabulary(["h", "e", "l", "o"]) and vocab != tasks.Vocabulary("oleh")
    assert "8 tokens" in repr(vocab) and "'h'" in repr(vocab)


def test_vocabulary_encode_decode_round_trip():
    vocab = tasks.Vocabulary(["s0", "s1", "s2"])
    tokens = ["s2", "s0", "s2", "s1"]
    ids = vocab.encode(tokens, add_bos=True, add_eos=True)
    assert ids[0] == vocab.bos_idx and ids[-1] == vocab.eos_idx and len(ids) == len(tokens) + 2
    assert vocab.decode(ids) == tokens
    assert vocab.decode(ids, strip_special=False) == ["<bos>"] + tokens + ["<eos>"]
    assert vocab.decode(minigrad.tensor(ids)) == tokens  # a 1-D tensor of ids, e.g. a model's argmax
    assert vocab.encode(["s1", "zz"]) == [vocab.token_to_id("s1"), vocab.unk_idx]
    assert vocab.token_to_id("zz") == vocab.unk_idx


def test_decode_stops_at_eos_drops_padding_and_keeps_unknowns():
    vocab = tasks.Vocabulary("ab")
    a, b = vocab.token_to_id("a"), vocab.token_to_id("b")
    ids = [vocab.bos_idx, a, vocab.unk_idx, b, vocab.eos_idx, a, a, vocab.pad_idx]
    assert vocab.decode(ids) == ["a", "<unk>", "b"]
    assert vocab.decode([a, vocab.pad_idx, vocab.pad_idx]) == ["a"]


def test_vocabulary_errors_name_the_id_and_the_valid_range():
    vocab = tasks.Vocabulary("abc")
    for bad in (7, -1):
        with pytest.raises(ValueError, match=rf"id {bad} .*0 to 6"):
            vocab.id_to_token(bad)
        with pytest.raises(ValueError, match=rf"id {bad} .*0 to 6"):
            vocab.decode([4, bad])
    with pytest.raises(TypeError, match="integer id"):
        vocab.id_to_token(1.0)
    with pytest.raises(TypeError, match="string tokens"):
        vocab.encode([4, 5])
    with pytest.raises(TypeError, match="sorted"):
        tasks.Vocabulary({"a", "b"})
    with pytest.raises(TypeError, match="string tokens"):
        tasks.Vocabulary(["a", 1])


# --- pad_batch -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pad_idx", [0, 9])
def test_pad_batch_is_batch_first_with_lengths_and_padding(pad_idx):
    sequences = [[5, 6, 7], [8], [4, 4, 4, 4, 4], [1, 2]]
    padded, lengths = tasks.pad_batch(sequences, pad_idx=pad_idx)
    assert padded.shape == (4, 5) and padded.dtype == minigrad.int64
    assert lengths == [3, 1, 5, 2]
    rows = padded.tolist()
    for row, sequence in zip(rows, sequences):
        assert row[:len(sequence)] == sequence
        assert row[len(sequence):] == [pad_idx] * (5 - len(sequence))


def test_pad_batch_rejects_what_it_cannot_pad():
    with pytest.raises(ValueError, match="at least one sequence"):
        tasks.pad_batch([])
    with pytest.raises(ValueError, match="sequence 1 is empty"):
        tasks.pad_batch([[1], []])
    with pytest.raises(TypeError, match="sequence 0 holds 'a'"):
        tasks.pad_batch([["a"]])
    with pytest.raises(ValueError, match="sequence 1 holds -2"):
        tasks.pad_batch([[1], [-2]])
    with pytest.raises(ValueError, match="pad_idx"):
        tasks.pad_batch([[1]], pad_idx=-1)


# --- dates ---------------------------------------------------------------------------------------------------------
def english_ordinal(day):
    return {1: "1st", 2: "2nd", 3: "3rd", 21: "21st", 22: "22nd", 23: "23rd", 31: "31st"}.get(day, f"{day}th")


def reference_fields(date):
    """The template fields, computed here independently: C-locale strftime names, this file's ordinals."""
    return {"D": date.day, "DD": date.strftime("%d"), "Dth": english_ordinal(date.day), "M": date.month,
            "MM": date.strftime("%m"), "YYYY": f"{date.year:04d}", "Month": date.strftime("%B"),
            "Mon": date.strftime("%b"), "MONTH": date.strftime("%B").upper(), "Weekday": date.strftime("%A"),
            "Wkd": date.strftime("%a")}


ALL_DAYS = [datetime.date.fromordinal(day) for day in range(datetime.date(1950, 1, 1).toordinal(),
                                                             datetime.date(2049, 12, 31).toordinal() + 1)]


@pytest.fixture(scope="module")
def every_rendering():
    """Every string any default format prints for any date in range -> the set of dates it stands for."""
    renderings = collections.defaultdict(set)
    for date in ALL_DAYS:
        fields = reference_fields(date)
        for template in tasks.DATE_FORMATS:
            renderings[template.format(**fields)].add(date)
    return renderings


@pytest.fixture(scope="module")
def date_data():
    return tasks.dates(3000, seed=0)


def test_every_target_is_iso_and_is_the_date_the_source_shows(date_data, every_rendering):
    assert len(date_data) == len(date_data.sources) == len(date_data.targets) == 3000
    for source, target in zip(date_data.sources, date_data.targets):
        date = datetime.date.fromisoformat(target)
        assert target == date.isoformat()  # exactly YYYY-MM-DD
        assert datetime.date(1950, 1, 1) <= date <= datetime.date(2049, 12, 31)
        assert every_rendering[source] == {date}, (source, target)


# strptime patterns for the formats, after the ordinal suffixes are removed; %B and %b ignore case
STRPTIME_PATTERNS = ["%d %B %Y", "%B %d, %Y", "%A, %B %d, %Y", "%a %d %B %Y", "%d of %B %Y", "%A %d %B %Y",
                     "%B %d %Y", "%Y %B %d", "%d-%b-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"]


def test_sources_parse_back_to_their_targets_with_strptime(date_data):
    for source, target in zip(date_data.sources[:600], date_data.targets[:600]):
        text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", source)
        parsed = set()
        for pattern in STRPTIME_PATTERNS:
            try:
                parsed.add(datetime.datetime.strptime(text, pattern).date().isoformat())
            except ValueError:
                pass
        assert parsed == {target}, source


def test_no_default_source_string_stands_for_two_dates(every_rendering):
    ambiguous = {text: dates for text, dates in every_rendering.items() if len(dates) > 1}
    assert not ambiguous, list(ambiguous.items())[:3]


def test_at_least_ten_visibly_different_formats_appear(date_data):
    months = {datetime.date(2000, m, 1).strftime("%B"): "Month" for m in range(1, 13)}
    months.update({name[:3]: "Mon" for name in months})
    weekdays = {datetime.date(2000, 1, d).strftime("%A"): "Weekday" for d in range(3, 10)}
    weekdays.update({name[:3]: "Wkd" for name in weekdays})

    def shape(source):
        text = re.sub(r"\d{4}", "Y", source)
        text = re.sub(r"\d{1,2}(st|nd|rd|th)\b", "Nth", text)
        text = re.sub(r"\d{1,2}", "N", text)
        return re.sub(r"[A-Za-z]{3,}", lambda m: {**months, **weekdays}.get(m.group(0).title(), m.group(0))
                      + ("!" if m.group(0).isupper() else ""), text)

    # "May" is both a full and an abbreviated name, so May dates could split one format into two shapes
    shapes = {shape(s) for s, t in zip(date_data.sources, date_data.targets) if t[5:7] != "05"}
    assert len(shapes) >= 10, shapes
    assert len(tasks.DATE_FORMATS) >= 10


def test_dates_cover_the_whole_range():
    years = collections.Counter(int(t[:4]) for t in tasks.dates(20000, seed=1).targets)
    assert set(years) == set(range(1950, 2050))
    assert max(years.values()) < 2 * min(years.values())  # uniform: about 200 a year


def test_the_source_vocabulary_covers_every_character_any_format_prints(date_data, every_rendering):
    alphabet = set("".join(every_rendering))
    assert alphabet <= set(date_data.source_vocab.tokens)
    assert set(date_data.target_vocab.tokens) >= set("0123456789-")
    # the vocabulary does not depend on the sample or on which default formats were chosen
    only_numeric = tasks.dates(5, seed=2, formats=["{DD}.{MM}.{YYYY}"])
    assert only_numeric.source_vocab == date_data.source_vocab
    assert only_numeric.target_vocab == date_data.target_vocab


def test_formats_can_be_chosen_and_custom_templates_extend_the_vocabulary(date_data):
    dotted = tasks.dates(300, seed=3, formats=["{DD}.{MM}.{YYYY}"])
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", s) for s in dotted.sources)
    piped = tasks.dates(50, seed=3, formats=["{YYYY}|{M}|{D}"])
    assert "|" in piped.source_vocab
    standard = date_data.source_vocab.tokens
    assert piped.source_vocab.tokens[:len(standard)] == standard  # new characters only add ids
    assert all(piped.source_vocab.unk_idx not in piped.source_vocab.encode(s) for s in piped.sources)
    with pytest.raises(ValueError, match=r"'\{Day\} \{Month\}'.*fields"):
        tasks.dates(5, seed=0, formats=["{Day} {Month}"])
    with pytest.raises(TypeError, match="list of templates"):
        tasks.dates(5, seed=0, formats="{D}/{M}/{YYYY}")


def test_date_split_keeps_held_out_dates_out_of_training():
    train, held_out = tasks.date_split(8000, 2000, seed=4)
    assert (len(train), len(held_out)) == (8000, 2000)
    held_out_dates = set(held_out.targets)
    assert len(held_out_dates) == 2000  # distinct
    assert not held_out_dates & set(train.targets)
    assert train.source_vocab == held_out.source_vocab and train.target_vocab == held_out.target_vocab
    assert all(held_out.source_vocab.unk_idx not in held_out.source_vocab.encode(s) for s in held_out.sources)
    with pytest.raises(ValueError, match=rf"n_held_out to be an int in \[1, {len(ALL_DAYS) - 1}\]"):
        tasks.date_split(10, len(ALL_DAYS), seed=0)  # nothing would be left to train on


def test_batches_hold_every_pair_once_with_bos_and_eos_around_targets(date_data):
    data = tasks.Seq2SeqData(date_data.sources[:70], date_data.targets[:70], date_data.source_vocab,
                             date_data.target_vocab)
    seen = []
    for batch in data.batches(32, seed=0):
        batch_size = len(batch.source_lengths)
        assert batch.sources.shape == (batch_size, max(batch.source_lengths))
        assert batch.sources.dtype == batch.targets.dtype == minigrad.int64
        assert batch.targets.shape == (batch_size, 12)  # <bos> + 10 characters + <eos>
        for source_ids, length, target_ids in zip(batch.sources.tolist(), batch.source_lengths,
                                                  batch.targets.tolist()):
            assert target_ids[0] == data.target_vocab.bos_idx and target_ids[-1] == data.target_vocab.eos_idx
            assert all(idx == data.source_vocab.pad_idx for idx in source_ids[length:])
            seen.append(("".join(data.source_vocab.decode(source_ids)), "".join(data.target_vocab.decode(target_ids))))
    assert [len(b.source_lengths) for b in data.batches(32)] == [32, 32, 6]
    assert sorted(seen) == sorted(zip(data.sources, data.targets))
    first = lambda seed: next(data.batches(8, seed=seed)).targets.tolist()  # noqa: E731
    assert first(1) == first(1) and first(1) != first(2)
    unshuffled = next(data.batches(8)).targets.tolist()
    assert ["".join(data.target_vocab.decode(row)) for row in unshuffled] == data.targets[:8]


# --- copy and reverse ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("task, expected", [(tasks.copy_task, lambda s: list(s)),
                                            (tasks.reverse_task, lambda s: list(reversed(s)))])
def test_copy_and_reverse_targets(task, expected):
    data = task(2000, 2, 6, 5, seed=0)
    assert data.source_vocab is data.target_vocab
    assert len(data.source_vocab) == 4 + 5
    for source, target in zip(data.sources, data.targets):
        assert target == expected(source)
        assert data.source_vocab.unk_idx not in data.source_vocab.encode(source)
    assert {len(s) for s in data.sources} == {2, 3, 4, 5, 6}
    symbols = collections.Counter(token for source in data.sources for token in source)
    assert len(symbols) == 5 and max(symbols.values()) < 1.2 * min(symbols.values())
    batch = next(data.batches(16))  # the same pipeline as dates
    assert batch.targets.shape[0] == 16


def test_copy_and_reverse_validate_lengths():
    with pytest.raises(ValueError, match=r"max_len >= min_len \(5\), got 3"):
        tasks.copy_task(10, 5, 3, 4, seed=0)
    with pytest.raises(ValueError, match="min_len to be an int >= 1, got 0"):
        tasks.reverse_task(10, 0, 3, 4, seed=0)
    with pytest.raises(ValueError, match="vocab_size"):
        tasks.copy_task(10, 1, 3, 0, seed=0)


# --- adding problem ------------------------------------------------------------------------------------------------
def test_adding_problem_structure():
    length = 9
    inputs, targets = tasks.adding_problem(500, length, seed=0)
    assert inputs.shape == (500, length, 2) and targets.shape == (500,)
    assert inputs.dtype == targets.dtype == minigrad.get_default_dtype()
    x, y = values(inputs), values(targets)
    assert ((x[..., 0] >= 0) & (x[..., 0] < 1)).all()
    assert set(np.unique(x[..., 1])) == {0.0, 1.0}
    half = length // 2
    assert (x[:, :half, 1].sum(axis=1) == 1).all() and (x[:, half:, 1].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (x[..., 0] * x[..., 1]).sum(axis=1), rtol=1e-6)
    first, second = x[:, :half, 1].argmax(axis=1), half + x[:, half:, 1].argmax(axis=1)
    assert set(first) == set(range(half)) and set(second) == set(range(half, length))  # anywhere in its half


def test_adding_problem_baseline_mse_is_one_sixth():
    _, targets = tasks.adding_problem(20000, 10, seed=1)
    mse_of_answering_one = float(((values(targets) - 1.0) ** 2).mean())
    # the standard error of this mean is sqrt(Var((U1+U2-1)^2) / 20000) = sqrt(7/180 / 20000) ≈ 0.0014
    assert mse_of_answering_one == pytest.approx(1 / 6, abs=0.006)


# --- copy memory ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("delay, num_symbols, copy_length", [(5, 8, 10), (1, 3, 4), (30, 8, 10)])
def test_copy_memory_has_the_papers_layout(delay, num_symbols, copy_length):
    inputs, targets = tasks.copy_memory(300, delay, seed=0, num_symbols=num_symbols, copy_length=copy_length)
    total = delay + 2 * copy_length
    assert inputs.shape == targets.shape == (300, total)
    assert inputs.dtype == targets.dtype == minigrad.int64
    blank, delimiter = 0, num_symbols + 1
    for row, target in zip(inputs.tolist(), targets.tolist()):
        symbols = row[:copy_length]
        assert all(1 <= s <= num_symbols for s in symbols)
        # Arjovsky et al.: K symbols, T-1 blanks, the delimiter, K blanks; the output: T+K blanks, the K symbols
        assert row == symbols + [blank] * (delay - 1) + [delimiter] + [blank] * copy_length
        assert row.index(delimiter) == copy_length + delay - 1
        assert target == [blank] * (delay + copy_length) + symbols


@pytest.mark.parametrize("delay", [1, 10, 100])
def test_copy_memory_memoryless_cross_entropy_is_the_papers_baseline(delay):
    n, num_symbols, copy_length = 4000, 8, 10
    _, targets = tasks.copy_memory(n, delay, seed=delay, num_symbols=num_symbols, copy_length=copy_length)
    y = values(targets)
    length = y.shape[1]
    formula = copy_length * math.log(num_symbols) / (delay + 2 * copy_length)

    # The memoryless strategy: certain of a blank where the position says so, uniform over the symbols elsewhere.
    strategy = np.zeros((length, num_symbols + 2))
    strategy[:delay + copy_length, 0] = 1.0
    strategy[delay + copy_length:, 1:num_symbols + 1] = 1.0 / num_symbols
    with np.errstate(divide="ignore"):
        losses = -np.log(strategy[np.arange(length), y])
    assert losses.mean() == pytest.approx(formula, rel=1e-12)

    # The best memoryless model has the empirical distribution of targets at each position; it does no better.
    entropy = 0.0
    for t in range(length):
        p = np.bincount(y[:, t], minlength=num_symbols + 2) / n
        entropy -= (p[p > 0] * np.log(p[p > 0])).sum()
    assert entropy / length == pytest.approx(formula, rel=2e-3)


# --- negation ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reviews():
    return tasks.negation_sentiment(4000, seed=0)


def test_negation_labels_are_polarity_xor_negated(reviews):
    assert "good" in tasks.POSITIVE_WORDS and "bad" in tasks.NEGATIVE_WORDS
    assert not set(tasks.POSITIVE_WORDS) & set(tasks.NEGATIVE_WORDS)
    polarity = {**{w: 1 for w in tasks.POSITIVE_WORDS}, **{w: 0 for w in tasks.NEGATIVE_WORDS}}
    cases = collections.Counter()
    for sentence, label in zip(reviews.sentences, reviews.labels):
        positions = [i for i, word in enumerate(sentence) if word in polarity]
        assert len(positions) == 1, sentence
        position = positions[0]
        negated = sentence[position - 1] == "not"
        assert label == polarity[sentence[position]] ^ negated, sentence
        distractor = sentence.count("not") - negated  # a "not" before the other clause's neutral word
        cases[polarity[sentence[position]], negated, distractor] += 1
        assert reviews.vocab.unk_idx not in reviews.vocab.encode(sentence)
    assert len(cases) == 8 and max(cases.values()) < 1.3 * min(cases.values())  # all combinations, balanced
    assert sum(reviews.labels) / len(reviews) == pytest.approx(0.5, abs=0.03)


def features(sentences, vocab, bigrams=False):
    """Word counts (a bag of words), optionally with counts of "not <word>" bigrams, and a constant."""
    size = len(vocab)
    columns = 2 * size + 1 if bigrams else size + 1
    matrix = np.zeros((len(sentences), columns))
    for row, sentence in enumerate(sentences):
        for i, word in enumerate(sentence):
            matrix[row, vocab.token_to_id(word)] += 1
            if bigrams and i > 0 and sentence[i - 1] == "not":
                matrix[row, size + vocab.token_to_id(word)] += 1
    matrix[:, -1] = 1.0
    return matrix


def least_squares_accuracy(matrix, labels):
    y = np.array(labels, dtype=float)
    weights, *_ = np.linalg.lstsq(matrix, y, rcond=None)
    return ((matrix @ weights > 0.5) == (y == 1)).mean()


def test_a_linear_bag_of_words_fails_and_word_order_succeeds(reviews):
    bag = least_squares_accuracy(features(reviews.sentences, reviews.vocab), reviews.labels)
    assert bag <= 0.8
    with_bigrams = least_squares_accuracy(features(reviews.sentences, reviews.vocab, bigrams=True), reviews.labels)
    assert with_bigrams == 1.0  # "not good" as a feature makes the labels linear


def test_no_bag_of_words_beats_three_quarters(reviews):
    # A bag shows the sentiment word and how many "not"s there are (every other word is drawn independently of
    # the label); the best any bag-of-words classifier can do is the majority label of each such group.
    groups = collections.defaultdict(list)
    for sentence, label in zip(reviews.sentences, reviews.labels):
        sentiment = next(w for w in sentence if w in tasks.POSITIVE_WORDS + tasks.NEGATIVE_WORDS)
        groups[sentiment, sentence.count("not")].append(label)
    best = sum(max(sum(labels), len(labels) - sum(labels)) for labels in groups.values()) / len(reviews)
    assert best == pytest.approx(0.75, abs=0.03)


# --- next-token tagging --------------------------------------------------------------------------------------------
def test_tags_come_from_the_next_token():
    tokens, tags = tasks.next_token_tagging(300, 7, seed=0, vocab_size=6)
    assert tokens.shape == tags.shape == (300, 7) and tokens.dtype == tags.dtype == minigrad.int64
    x, y = values(tokens), values(tags)
    assert set(np.unique(x)) == set(range(6))
    np.testing.assert_array_equal(y[:, :-1], (x[:, 1:] < 3).astype(int))
    assert (y[:, -1] == 0).all()


def lookup_accuracy(task, window, length=8, vocab_size=6):
    """A table from (position, the tokens ``window`` picks around it) to the majority tag, fit on one sample and
    scored on another, over the inner positions: the best any model that sees only that window can do."""
    train = [values(t) for t in task(5000, length, seed=1, vocab_size=vocab_size)]
    test = [values(t) for t in task(5000, length, seed=2, vocab_size=vocab_size)]
    votes = collections.defaultdict(collections.Counter)
    for tokens, tags in zip(*train):
        for t in range(1, length - 1):
            votes[t, tuple(window(tokens, t))][tags[t]] += 1
    right = [votes[t, tuple(window(tokens, t))].most_common(1)[0][0] == tags[t]
             for tokens, tags in zip(*test) for t in range(1, length - 1)]
    return np.mean(right)


def left_of(tokens, t):
    """What a left-to-right reader has at t (two tokens back suffice: no tag depends on more)."""
    return tokens[t - 1:t + 1]


def right_of(tokens, t):
    """What a right-to-left reader has at t."""
    return tokens[t:t + 2]


def test_next_token_tags_are_a_coin_flip_from_the_left_and_certain_from_the_right():
    assert lookup_accuracy(tasks.next_token_tagging, left_of) == pytest.approx(0.5, abs=0.02)
    assert lookup_accuracy(tasks.next_token_tagging, right_of) == 1.0
    # over every position, including the fixed last one: the documented left-to-right ceiling (T+1)/(2T)
    length = 8
    assert (0.5 * (length - 1) + 1) / length == (length + 1) / (2 * length)


def test_neighbour_tags_say_whether_both_neighbours_are_in_the_same_half():
    tokens, tags = tasks.neighbour_tagging(300, 7, seed=0, vocab_size=6)
    assert tokens.shape == tags.shape == (300, 7) and tokens.dtype == tags.dtype == minigrad.int64
    x, y = values(tokens), values(tags)
    assert set(np.unique(x)) == set(range(6))
    lower = x < 3
    np.testing.assert_array_equal(y[:, 1:-1], (lower[:, :-2] == lower[:, 2:]).astype(int))
    assert (y[:, 0] == 0).all() and (y[:, -1] == 0).all()
    assert y[:, 1:-1].mean() == pytest.approx(0.5, abs=0.05)


def test_neighbour_tags_need_both_directions():
    assert lookup_accuracy(tasks.neighbour_tagging, left_of) == pytest.approx(0.5, abs=0.02)
    assert lookup_accuracy(tasks.neighbour_tagging, right_of) == pytest.approx(0.5, abs=0.02)
    assert lookup_accuracy(tasks.neighbour_tagging, lambda tokens, t: (tokens[t - 1], tokens[t + 1])) == 1.0


# --- argument checks -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: tasks.dates(0, seed=0), ValueError, "dates: expected n to be an int >= 1, got 0"),
    (lambda: tasks.dates(2.5, seed=0), ValueError, "got 2.5"),
    (lambda: tasks.dates(5, seed="a"), TypeError, "seed to be an int or a random.Random, got str"),
    (lambda: tasks.adding_problem(5, 1, seed=0), ValueError, "length to be an int >= 2, got 1"),
    (lambda: tasks.copy_memory(5, 0, seed=0), ValueError, "delay to be an int >= 1, got 0"),
    (lambda: tasks.copy_memory(5, 3, seed=0, copy_length=0), ValueError, "copy_length"),
    (lambda: tasks.negation_sentiment(-1, seed=0), ValueError, "n to be an int >= 1"),
    (lambda: tasks.next_token_tagging(5, 1, seed=0), ValueError, "length to be an int >= 2"),
    (lambda: tasks.next_token_tagging(5, 4, seed=0, vocab_size=7), ValueError, "even int >= 2.*got 7"),
    (lambda: tasks.neighbour_tagging(5, 2, seed=0), ValueError, "neighbour_tagging: expected length to be an int >= 3"),
    (lambda: tasks.neighbour_tagging(5, 4, seed=0, vocab_size=3), ValueError, "even int >= 2.*got 3"),
    (lambda: list(tasks.copy_task(5, 1, 2, 3, seed=0).batches(0)), ValueError, "batch_size"),
])
def test_arguments_are_checked_with_expected_and_got(call, error, message):
    with pytest.raises(error, match=message):
        call()
