"""PyTorch programs run on minigrad with only their imports swapped, and give torch's values and gradients.

Each program below is written once, against whatever library it is handed, in the idioms sequence-model code
uses every day: a hand-written cell looped over time, a gated cell from one matmul and ``chunk``, a stacked
bidirectional LSTM, padding and packing of variable-length batches, and a classifier that reads the last real
hidden state of each sequence. Without torch, each runs on minigrad and checks the shapes and the facts it
relies on; with torch installed, it runs on both from the same weights and the outputs and every parameter's
gradient must agree.
"""

import types

import numpy as np
import pytest

import minigrad
import models.nn
from models.nn.utils import rnn as minigrad_rnn


def minigrad_library():
    return types.SimpleNamespace(torch=minigrad, nn=models.nn, rnn=minigrad_rnn)


def torch_library():
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn
    return types.SimpleNamespace(torch=torch, nn=torch.nn, rnn=rnn)


def elman_over_time(lib):
    """A hand-written tanh cell looped over the time steps; the outputs stacked along time."""
    nn, torch = lib.nn, lib.torch

    class ElmanCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.to_hidden = nn.Linear(input_size, hidden_size)
            self.recur = nn.Linear(hidden_size, hidden_size, bias=False)

        def forward(self, x_t, h):
            return torch.tanh(self.to_hidden(x_t) + self.recur(h))

    cell = ElmanCell(4, 6)

    def run(x):
        h = torch.zeros(x.shape[1], 6, dtype=x.dtype)
        outputs = []
        for x_t in x:
            h = cell(x_t, h)
            outputs.append(h)
        return torch.stack(outputs)
    return cell, run


def gated_cell(lib):
    """An LSTM step written by hand: the four gates from one Linear on [h, x], split with chunk."""
    nn, torch = lib.nn, lib.torch

    class HandLSTMCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.gates = nn.Linear(hidden_size + input_size, 4 * hidden_size)

        def forward(self, x_t, state):
            h, c = state
            i, f, g, o = self.gates(torch.cat([h, x_t], dim=1)).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            return torch.sigmoid(o) * torch.tanh(c), c

    cell = HandLSTMCell(4, 5)

    def run(x):
        state = (torch.zeros(x.shape[1], 5, dtype=x.dtype), torch.zeros(x.shape[1], 5, dtype=x.dtype))
        for x_t in x:
            state = cell(x_t, state)
        return state[0] + 2 * state[1]
    return cell, run


def stacked_bidirectional(lib):
    """Two layers, both directions, batch first: the output holds both directions' states side by side."""
    lstm = lib.nn.LSTM(4, 4, num_layers=2, batch_first=True, bidirectional=True)

    def run(x):
        output, (h_n, c_n) = lstm(x)
        assert output.shape == (x.shape[0], x.shape[1], 8) and h_n.shape == c_n.shape == (4, x.shape[0], 4)
        return output.sum(dim=2) + h_n.sum() + c_n.mean()
    return lstm, run


def packed_last_states(lib):
    """Variable lengths: pad, pack (unsorted), run, unpack; h_n is each sequence's last real state."""
    torch, rnn = lib.torch, lib.rnn
    gru = lib.nn.GRU(4, 3, batch_first=True)

    def run(x):
        lengths = [4, 2, 5]
        padded = rnn.pad_sequence([x[b, :n] for b, n in enumerate(lengths)], batch_first=True)
        packed = rnn.pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        output, h_n = gru(packed)
        output, output_lengths = rnn.pad_packed_sequence(output, batch_first=True)
        assert output_lengths.tolist() == lengths
        for b, n in enumerate(lengths):
            assert h_n[0, b].tolist() == output[b, n - 1].tolist()
            assert not output[b, n:].abs().sum().item()  # the padding stays zero
        return output.sum(dim=1) * h_n[0]
    return gru, run


def classifier(lib):
    """Token ids → embedding (padding index 0) → packed bidirectional LSTM → both final states → MLP."""
    nn, torch = lib.nn, lib.torch

    class Classifier(nn.Module):
        def __init__(self, vocab_size, classes):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 6, padding_idx=0)
            self.lstm = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
            self.head = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, classes))

        def forward(self, ids, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                                       enforce_sorted=False)
            _, (h_n, _) = self.lstm(packed)
            return self.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))

    model = Classifier(10, 3)

    def run(x):  # the ids come from the data, so that every library reads the same tokens
        ids = torch.tensor((np.abs(x[:, :, 0].detach().numpy()) * 7).astype(np.int64) % 9 + 1)
        lengths = torch.tensor([5, 3, 4])
        for b, n in enumerate(lengths.tolist()):
            ids[b, n:] = 0
        logits = model(ids, lengths)
        assert logits.shape == (3, 3)
        return torch.log_softmax(logits, dim=-1) * x[:, 0, :3]
    return model, run


PROGRAMS = [elman_over_time, gated_cell, stacked_bidirectional, packed_last_states, classifier]


def inputs(lib):
    x = lib.torch.tensor(np.random.default_rng(0).standard_normal((3, 5, 4)), dtype=lib.torch.float64)
    return x.requires_grad_()


def run_and_backpropagate(lib, module, run):
    """The program's output for fixed inputs, and the gradients of a fixed weighting of it."""
    x = inputs(lib)
    out = run(x)
    weights = lib.torch.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
    (out * weights).sum().backward()
    return out, x


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_runs_on_minigrad(program):
    minigrad.manual_seed(0)
    module, run = program(minigrad_library())
    run_and_backpropagate(minigrad_library(), module.double(), run)
    assert all(p.grad is not None and np.isfinite(p.grad.numpy()).all() for p in module.parameters())


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_values_and_gradients_match_torch(program):
    reference = torch_library()
    module_torch, run_torch = program(reference)
    module_torch.double()
    module, run = program(minigrad_library())
    module.double().load_state_dict({name: minigrad.tensor(value.numpy())
                                     for name, value in module_torch.state_dict().items()})
    out_torch, x_torch = run_and_backpropagate(reference, module_torch, run_torch)
    out, x = run_and_backpropagate(minigrad_library(), module, run)
    np.testing.assert_allclose(out.detach().numpy(), out_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), x_torch.grad.numpy(), rtol=1e-9, atol=1e-12)
    grads_torch = dict(module_torch.named_parameters())
    for name, parameter in module.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), grads_torch[name].grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
