"""The logit lens of a small GPT-style transformer written with torch,
randomly initialised (seeded, so every run draws the same page): the final
layer norm and the unembedding applied to the residual stream after every
block, drawn as tuned-lens's four-panel figure (entropy, forward KL, cross
entropy, max probability) through the Python binding, which reads the
torch tensors in place.

    python3 logit_lens_torch.py [OUT.html]     (default: logit_lens_torch.html)

From a build tree: PYTHONPATH=bindings/python TRAJPLOT_LIB_PATH=build
python3 examples/python/logit_lens_torch.py. Needs torch (Debian:
python3-torch), not numpy; runs in a few seconds on a CPU.
"""
import math
import sys

import torch
from torch import nn

from trajplot import Figure, PredictionTrajectory, TrajplotError, Vocabulary

# A made-up vocabulary, with GPT-2's markers: "Ġ" starts a word (trajplot
# shows it as "_"), "Ċ" is a newline.
WORDS = ("the a cat dog bird fish sat ran flew swam on in under over mat tree sea sky "
         "and but then is was will be big small red blue old new happy sad quick slow "
         "home park river hill day night sun moon ate saw found lost").split()
TOKENS = ["<|endoftext|>", "Ċ", ".", ","] + ["Ġ" + word for word in WORDS] + WORDS[:16]
PROMPT = "Ġthe Ġcat Ġsat Ġon Ġthe Ġmat . Ġthen Ġthe Ġdog Ġran Ġover Ġthe Ġhill ."
EOS = 0

D_MODEL, N_HEADS, N_LAYERS, CONTEXT = 48, 4, 6, 32


class Block(nn.Module):
    """A pre-norm GPT block: causal self-attention, then an MLP, each added
    to the residual stream."""

    def __init__(self):
        super().__init__()
        self.attention_norm = nn.LayerNorm(D_MODEL)
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.attention_out = nn.Linear(D_MODEL, D_MODEL)
        self.mlp_norm = nn.LayerNorm(D_MODEL)
        self.mlp = nn.Sequential(nn.Linear(D_MODEL, 4 * D_MODEL), nn.GELU(), nn.Linear(4 * D_MODEL, D_MODEL))

    def forward(self, residual):
        seq_len = residual.shape[0]
        heads = self.qkv(self.attention_norm(residual)).view(seq_len, 3, N_HEADS, D_MODEL // N_HEADS)
        query, key, value = heads.permute(1, 2, 0, 3)  # each heads x positions x head size
        scores = query @ key.transpose(1, 2) / math.sqrt(D_MODEL // N_HEADS)
        future = torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(-1)
        mixed = (weights @ value).transpose(0, 1).reshape(seq_len, D_MODEL)
        residual = residual + self.attention_out(mixed)
        return residual + self.mlp(self.mlp_norm(residual))


class TinyGPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, D_MODEL)
        self.position = nn.Embedding(CONTEXT, D_MODEL)
        self.blocks = nn.ModuleList(Block() for _ in range(N_LAYERS))
        self.final_norm = nn.LayerNorm(D_MODEL)
        self.unembedding = nn.Linear(D_MODEL, vocab, bias=False)
        # Tied weights, as in GPT-2: even untrained, each layer then leans
        # towards its input token, which gives the lens something to show.
        # At torch's default scale (1) that token takes all the probability
        # at every layer; at 0.4 the blocks visibly move the predictions.
        self.unembedding.weight = self.embedding.weight
        nn.init.normal_(self.embedding.weight, std=0.4)

    def residual_streams(self, ids):
        """The residual stream after the embeddings and after each block:
        N_LAYERS + 1 tensors of positions x D_MODEL."""
        residual = self.embedding(ids) + self.position(torch.arange(len(ids)))
        streams = [residual]
        for block in self.blocks:
            residual = block(residual)
            streams.append(residual)
        return streams

    def logit_lens(self, residual):
        return self.unembedding(self.final_norm(residual))


def write_figure(out):
    torch.manual_seed(2024)
    model = TinyGPT(len(TOKENS)).eval()
    ids = torch.tensor([TOKENS.index(token) for token in PROMPT.split()])
    with torch.no_grad():  # else the logits require grad, which trajplot refuses
        streams = model.residual_streams(ids)
        # As tuned-lens: the lens at the embeddings and after every block
        # but the last, then the model's own output (the lens of the last
        # stream is exactly that), so n_layers = N_LAYERS + 1.
        logits = torch.stack([model.logit_lens(stream) for stream in streams])
    # Not shifted: the target at a position is the token that follows it.
    targets = torch.cat([ids[1:], torch.tensor([EOS])])

    # float32 logits (layers x positions x vocabulary) and int64 ids are
    # read in place: nothing is copied or converted on the way to the library.
    trajectory = PredictionTrajectory.from_tensor(logits, ids, targets, vocabulary=Vocabulary(TOKENS))
    figure = Figure.stacked(
        [trajectory.entropy(), trajectory.forward_kl(), trajectory.cross_entropy(),
         trajectory.max_probability()],
        title="Logit lens of a random %d-layer transformer" % N_LAYERS)
    figure.write_html(out)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "logit_lens_torch.html"
    try:
        write_figure(out)
    except TrajplotError as error:
        print("logit_lens_torch: %s" % error, file=sys.stderr)
        return 1
    print("wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
