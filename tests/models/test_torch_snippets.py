"""PyTorch code runs on minigrad with only its imports swapped.

The programs below are the PyTorch examples of the seed material (shared/seeds/004, an interview-question page),
with `import torch` → `import minigrad as torch`, `torch.nn` → `models.nn`, and nothing else changed. Each test
checks the shapes the seed's comments promise. (The seed's Seq2Seq example runs, with the same check, in
tutorials/08_seq2seq.py.)
"""

import minigrad as torch
import models.nn as nn
from models.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


def test_manual_rnn_cell_over_a_sequence():
    class VanillaRNNCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.W_xh = nn.Linear(input_size, hidden_size)
            self.W_hh = nn.Linear(hidden_size, hidden_size, bias=False)
            self.tanh = nn.Tanh()

        def forward(self, x_t, h_prev):
            h_t = self.tanh(self.W_xh(x_t) + self.W_hh(h_prev))
            return h_t

    cell = VanillaRNNCell(input_size=10, hidden_size=20)
    seq_len, batch_size = 5, 2
    x = torch.randn(seq_len, batch_size, 10)
    h = torch.zeros(batch_size, 20)
    outputs = []
    for t in range(seq_len):
        h = cell(x[t], h)
        outputs.append(h)
    outputs = torch.stack(outputs)
    assert outputs.shape == (5, 2, 20)  # (seq_len, batch, hidden_size)


def test_manual_lstm_cell_and_the_built_in_lstm():
    class LSTMCell(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.hidden_size = hidden_size
            self.gates = nn.Linear(input_size + hidden_size, 4 * hidden_size)

        def forward(self, x_t, h_prev, c_prev):
            combined = torch.cat([h_prev, x_t], dim=-1)
            gates = self.gates(combined)
            i, f, g, o = gates.chunk(4, dim=-1)
            i = torch.sigmoid(i)
            f = torch.sigmoid(f)
            g = torch.tanh(g)
            o = torch.sigmoid(o)
            c_t = f * c_prev + i * g
            h_t = o * torch.tanh(c_t)
            return h_t, c_t

    h, c = LSTMCell(3, 4)(torch.randn(2, 3), torch.zeros(2, 4), torch.zeros(2, 4))
    assert h.shape == c.shape == (2, 4)

    lstm = nn.LSTM(input_size=128, hidden_size=256, num_layers=2,
                   batch_first=True, dropout=0.2, bidirectional=True)
    x = torch.randn(32, 50, 128)
    output, (h_n, c_n) = lstm(x)
    assert output.shape == (32, 50, 512)  # 256*2 for bidirectional


def test_variable_length_sequences():
    seqs = [torch.randn(5, 10), torch.randn(3, 10), torch.randn(7, 10)]
    lengths = [5, 3, 7]
    padded = pad_sequence(seqs, batch_first=True, padding_value=0.0)
    assert padded.shape == (3, 7, 10)
    lengths_tensor = torch.tensor(lengths)
    sorted_lengths, sort_idx = lengths_tensor.sort(descending=True)
    padded_sorted = padded[sort_idx]
    packed = pack_padded_sequence(padded_sorted, sorted_lengths, batch_first=True)
    lstm = nn.LSTM(10, 20, batch_first=True)
    packed_out, (h_n, c_n) = lstm(packed)
    output, output_lengths = pad_packed_sequence(packed_out, batch_first=True)
    assert output.shape == (3, 7, 20)
    assert output_lengths.tolist() == [7, 5, 3]
    # "h_n contains the LAST (non-padded) hidden state for each sequence"
    for b, n in enumerate(output_lengths.tolist()):
        assert h_n[0, b].tolist() == output[b, n - 1].tolist()


def test_lstm_text_classifier():
    class LSTMClassifier(nn.Module):
        def __init__(self, vocab_size, embed_dim, hidden_dim, num_classes,
                     num_layers=2, dropout=0.3, bidirectional=True):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
            self.lstm = nn.LSTM(
                embed_dim, hidden_dim, num_layers=num_layers,
                batch_first=True, dropout=dropout if num_layers > 1 else 0,
                bidirectional=bidirectional
            )
            self.dropout = nn.Dropout(dropout)
            direction_factor = 2 if bidirectional else 1
            self.classifier = nn.Sequential(
                nn.Linear(hidden_dim * direction_factor, hidden_dim),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden_dim, num_classes)
            )

        def forward(self, input_ids, lengths):
            embedded = self.dropout(self.embedding(input_ids))
            packed = nn.utils.rnn.pack_padded_sequence(
                embedded, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            _, (h_n, _) = self.lstm(packed)
            if self.lstm.bidirectional:
                hidden = torch.cat([h_n[-2], h_n[-1]], dim=-1)
            else:
                hidden = h_n[-1]
            return self.classifier(self.dropout(hidden))

    model = LSTMClassifier(vocab_size=10000, embed_dim=128, hidden_dim=256, num_classes=5)
    input_ids = torch.randint(1, 10000, (4, 50))
    lengths = torch.tensor([50, 35, 42, 28])
    logits = model(input_ids, lengths)
    assert logits.shape == (4, 5)
