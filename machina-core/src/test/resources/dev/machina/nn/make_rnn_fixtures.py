# Generates the PyTorch reference fixtures for RecurrentTorchReferenceTest.
# Run (torch 1.13 from Debian's python3-torch, safetensors 0.8.0 in a throwaway venv):
#   /usr/bin/python3 -m venv --system-site-packages /tmp/venv
#   /tmp/venv/bin/pip install --no-index /opt/pypi/files/safetensors-*.whl
#   cd machina-core/src/test/resources/dev/machina/nn && /tmp/venv/bin/python make_rnn_fixtures.py
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from safetensors.torch import save_file

torch.manual_seed(20240607)
B, T, I, H, L = 3, 5, 3, 4, 2
lengths = [5, 3, 2]

for name, cls in [("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU), ("rnn", torch.nn.RNN)]:
    m = cls(I, H, num_layers=L, bidirectional=True, batch_first=True)
    x = torch.randn(B, T, I)
    h0 = torch.randn(L * 2, B, H)
    c0 = torch.randn(L * 2, B, H)
    init = (h0, c0) if name == "lstm" else h0
    io = {"x": x, "h0": h0, "lengths": torch.tensor(lengths, dtype=torch.float32)}
    if name == "lstm":
        io["c0"] = c0
    with torch.no_grad():
        # Full sequences, zero initial states.
        out, st = m(x)
        io["out_zero"] = out
        io["h_zero"] = st[0] if name == "lstm" else st
        if name == "lstm":
            io["c_zero"] = st[1]
        # Full sequences, given initial states.
        out, st = m(x, init)
        io["out_full"] = out
        io["h_full"] = st[0] if name == "lstm" else st
        if name == "lstm":
            io["c_full"] = st[1]
        # Variable lengths through pack_padded_sequence / pad_packed_sequence.
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, st = m(packed, init)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
        io["out_packed"] = out
        io["h_packed"] = st[0] if name == "lstm" else st
        if name == "lstm":
            io["c_packed"] = st[1]
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, name + "_weights.safetensors")
    save_file({k: v.contiguous() for k, v in io.items()}, name + "_io.safetensors")
print("torch", torch.__version__)
