"""Seq2seq: teacher forcing, scheduled sampling, attention weights, loss, decoding, errors."""

import math

import numpy as np
import pytest

import minigrad
import models
from models.seq2seq import Decoder, Encoder, Seq2Seq, sequence_loss

VOCAB, EMBED, HIDDEN = 9, 5, 6
BOS, EOS, PAD = 1, 2, 0


def build(cell="gru", attention=True, bidirectional=False, seed=0):
    minigrad.manual_seed(seed)
    encoder = Encoder(VOCAB, EMBED, HIDDEN, cell=cell, bidirectional=bidirectional)
    size = encoder.output_size
    attn = models.AdditiveAttention(size, size, 4) if attention else None
    decoder = Decoder(VOCAB, EMBED, size, cell=cell, attention=attn, context_size=size)
    return Seq2Seq(encoder, decoder, bos_idx=BOS, eos_idx=EOS, pad_idx=PAD)


def batch(seed=0):
    rng = np.random.default_rng(seed)
    lengths = [5, 3, 4]
    src = np.zeros((3, 5), dtype=np.int64)
    for b, n in enumerate(lengths):
        src[b, :n] = rng.integers(3, VOCAB, n)
    tgt = np.zeros((3, 6), dtype=np.int64)
    for b, n in enumerate([6, 4, 5]):
        tgt[b, 0], tgt[b, n - 1] = BOS, EOS
        tgt[b, 1:n - 1] = rng.integers(3, VOCAB, n - 2)
    return minigrad.tensor(src), lengths, minigrad.tensor(tgt)


def manual_decode(model, src, lengths, tgt, choose):
    """Step the decoder by hand; ``choose(t, logits)`` gives the next input token."""
    state, memory = model.encode(src, lengths)
    token, outputs = tgt[:, 0], []
    for t in range(1, tgt.shape[1]):
        logits, state, _ = model.decoder.step(token, state, memory)
        outputs.append(logits.numpy())
        token = choose(t, logits)
    return np.stack(outputs, 1)


@pytest.mark.parametrize("cell", models.RECURRENCES)
@pytest.mark.parametrize("attention", [True, False])
def test_teacher_forcing_one_feeds_the_gold_tokens(cell, attention):
    model = build(cell, attention, bidirectional=True)
    src, lengths, tgt = batch()
    logits = model(src, lengths, tgt, teacher_forcing_ratio=1.0)
    assert logits.shape == (3, 5, VOCAB)
    expected = manual_decode(model, src, lengths, tgt, lambda t, logits: tgt[:, t])
    np.testing.assert_allclose(logits.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_teacher_forcing_zero_feeds_the_models_own_predictions():
    model = build()
    src, lengths, tgt = batch()
    logits = model(src, lengths, tgt, teacher_forcing_ratio=0.0)
    expected = manual_decode(model, src, lengths, tgt, lambda t, logits: logits.argmax(-1))
    np.testing.assert_allclose(logits.numpy(), expected, rtol=1e-5, atol=1e-6)
    gold = manual_decode(model, src, lengths, tgt, lambda t, logits: tgt[:, t])
    assert not np.allclose(logits.numpy()[:, 1:], gold[:, 1:])


def test_attention_weights_are_kept_for_inspection():
    model = build()
    src, lengths, tgt = batch()
    model(src, lengths, tgt)
    weights = model.attention_weights.numpy()
    assert weights.shape == (3, 5, 5)  # (B, T_tgt - 1, S)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    for b, n in enumerate(lengths):
        assert np.all(weights[b, :, n:] == 0.0)


def test_sequence_loss_ignores_padding():
    src, lengths, tgt = batch()
    model = build()
    logits = model(src, lengths, tgt)
    loss = sequence_loss(logits, tgt[:, 1:], pad_idx=PAD)
    z = logits.numpy().astype(np.float64)
    log_p = z - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)) - z.max(-1, keepdims=True)
    targets = tgt.numpy()[:, 1:]
    real = targets != PAD
    picked = np.take_along_axis(log_p, targets[..., None], -1)[..., 0]
    assert loss.item() == pytest.approx(-(picked * real).sum() / real.sum(), rel=1e-5)


def test_training_lowers_the_loss_on_a_copy_task():
    model = build(seed=1)
    src, lengths, tgt = batch(seed=1)
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        loss = sequence_loss(model(src, lengths, tgt), tgt[:, 1:], PAD)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_beam_of_one_equals_greedy(cell):
    model = build(cell, attention=True, bidirectional=True, seed=2)
    src, lengths, _ = batch(seed=2)
    greedy_tokens, greedy_scores = model.greedy(src, lengths, max_len=7)
    beam_tokens, beam_scores = model.beam(src, lengths, max_len=7, beam_size=1)
    assert beam_tokens == greedy_tokens
    np.testing.assert_allclose(beam_scores, greedy_scores, rtol=1e-6)
    wide_tokens, wide_scores = model.beam(src, lengths, max_len=7, beam_size=4)
    assert all(w >= g - 1e-5 for w, g in zip(wide_scores, greedy_scores))


def test_greedy_matches_step_by_step_argmax():
    model = build(seed=3)
    src, lengths, _ = batch(seed=3)
    tokens, scores = model.greedy(src, lengths, max_len=6)
    state, memory = model.encode(src, lengths)
    token = minigrad.full((3,), BOS)
    expected = [[] for _ in range(3)]
    totals, done = [0.0] * 3, [False] * 3
    for _ in range(6):
        logits, state, _ = model.decoder.step(token, state, memory)
        log_p = logits.log_softmax(-1).numpy()
        token = logits.argmax(-1)
        for b, t in enumerate(token.tolist()):
            if not done[b]:
                totals[b] += log_p[b, t]
                done[b] = t == EOS
                if not done[b]:
                    expected[b].append(t)
    assert tokens == expected
    np.testing.assert_allclose(scores, totals, rtol=1e-5)


def test_schedules_follow_their_formulas():
    assert models.linear_schedule(0, 100) == 1.0
    assert models.linear_schedule(25, 100, start=1.0, end=0.2) == pytest.approx(1.0 - 0.8 * 0.25)
    assert models.linear_schedule(500, 100, end=0.2) == 0.2
    assert models.exponential_schedule(10, k=0.9) == pytest.approx(0.9 ** 10)
    assert models.inverse_sigmoid_schedule(50, k=10.0) == pytest.approx(10 / (10 + math.exp(5)))
    for schedule in (lambda i: models.linear_schedule(i, 50), models.exponential_schedule,
                     models.inverse_sigmoid_schedule):
        values = [schedule(i) for i in range(0, 2000, 10)]
        assert all(0 <= v <= 1 for v in values) and values == sorted(values, reverse=True) and values[-1] < 0.2
    with pytest.raises(ValueError, match="0 < k < 1, got 1.5"):
        models.exponential_schedule(3, k=1.5)
    with pytest.raises(ValueError, match="step >= 0, got -1"):
        models.inverse_sigmoid_schedule(-1)


def test_bad_input():
    model = build()
    src, lengths, tgt = batch()
    with pytest.raises(ValueError, match=r"target ids in \[0, 9\)"):
        model(src, lengths, minigrad.tensor(np.where(tgt.numpy() == EOS, 12, tgt.numpy())))
    with pytest.raises(ValueError, match="start with bos_idx=1"):
        model(src, lengths, tgt[:, 1:])
    with pytest.raises(ValueError, match=r"teacher_forcing_ratio in \[0, 1\], got 1.5"):
        model(src, lengths, tgt, teacher_forcing_ratio=1.5)
    with pytest.raises(ValueError, match="beam_size"):
        model.beam(src, lengths, max_len=5, beam_size=0)
    with pytest.raises(ValueError, match="needs 1 layers of size 12"):
        Seq2Seq(Encoder(VOCAB, EMBED, HIDDEN, bidirectional=True), Decoder(VOCAB, EMBED, HIDDEN))
    with pytest.raises(ValueError, match="cell to be one of"):
        Encoder(VOCAB, EMBED, HIDDEN, cell="transformer")
