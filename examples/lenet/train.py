#!/usr/bin/env python3
"""The book's LeNet on Fashion-MNIST as an asha-tune trial (d2l.ai, Section 19.5).

LeNet with sigmoid activations, average pooling and three dense layers, Xavier-initialised and
trained with plain SGD, exactly as d2l's `LeNet` + `HPOTrainer`. After every epoch it saves a
checkpoint and then prints

    [tune-metric]: {"epoch": e, "validation_error": v, "validation_loss": l, "epoch_seconds": s}

where v is the error rate and l the mean cross-entropy on the Fashion-MNIST test set (the
book's validation set), and s the seconds the epoch took, its validation and checkpoint
included (a second objective: configs/lenet-mo.json). On the sigmoid LeNet's initial plateau every trial sits at an error of
~0.90, where the error cannot tell them apart; the loss still can (configs/lenet-loss.json
tunes on it). Started again with the same --st_checkpoint_dir it resumes where it stopped; it
trains up to --max_epochs and exits cleanly on SIGTERM. Data: the IDX files of Debian's
`dataset-fashion-mnist` package (or --data DIR). PyTorch: Debian's `python3-torch`. Runs on the
GPU in CUDA_VISIBLE_DEVICES if there is one.

Small machines: --train-subset / --val-subset use the first N images; --threads sets PyTorch's
CPU threads (default 1: a second thread barely helps on small convolutions).
"""
import argparse
import gzip
import json
import os
import signal
import sys
import time

import numpy as np
import torch
from torch import nn

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--learning_rate", type=float, default=0.1)
    p.add_argument("--batch_size", type=int, default=128)
    p.add_argument("--max_epochs", type=int, default=10)
    p.add_argument("--st_checkpoint_dir", default=None)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--train-subset", type=int, default=0, help="use the first N training images (0: all 60000)")
    p.add_argument("--val-subset", type=int, default=0, help="use the first N test images (0: all 10000)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args, unknown = p.parse_known_args()
    if unknown:
        print(f"ignoring unknown arguments: {unknown}", file=sys.stderr)
    return args


def read_idx(path):
    """An IDX file (optionally gzipped) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            return path
    sys.exit(f"cannot find {stem}[.gz] in {data_dir}: install dataset-fashion-mnist or pass --data DIR")


def load(data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(find(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, f"{prefix}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # N x 1 x 28 x 28
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def lenet(num_classes=10):
    """d2l's LeNet: sigmoid convolutions, average pooling, three dense layers."""
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, num_classes))
    for m in net:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)  # d2l.init_cnn
    return net


def evaluate(net, x, y, device, batch=1024):
    """(error rate, mean cross-entropy) on (x, y)."""
    net.eval()
    wrong = 0
    loss = 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = net(x[i:i + batch].to(device))
            labels = y[i:i + batch].to(device)
            wrong += (logits.argmax(dim=1) != labels).sum().item()
            loss += nn.functional.cross_entropy(logits, labels, reduction="sum").item()
    net.train()
    return wrong / len(x), loss / len(x)


def save_checkpoint(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # atomic: a crash never leaves half a checkpoint


def main():
    args = parse_args()
    stop = {"requested": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))
    torch.set_num_threads(max(1, args.threads))
    torch.manual_seed(args.seed)
    use_gpu = torch.cuda.is_available() and os.environ.get("CUDA_VISIBLE_DEVICES", "") not in ("", "-1")
    device = torch.device("cuda" if use_gpu else "cpu")

    train_x, train_y = load(args.data, "train", args.train_subset)
    val_x, val_y = load(args.data, "test", args.val_subset)
    net = lenet().to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=args.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)

    checkpoint = os.path.join(args.st_checkpoint_dir, "lenet.pt") if args.st_checkpoint_dir else None
    epoch = 0
    if checkpoint and os.path.exists(checkpoint):
        state = torch.load(checkpoint, map_location=device)
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        generator.set_state(state["generator"])
        epoch = state["epoch"]
        print(f"resumed from {checkpoint} after epoch {epoch}", flush=True)

    while epoch < args.max_epochs:
        started = time.time()
        order = torch.randperm(len(train_x), generator=generator)
        for i in range(0, len(order), args.batch_size):
            if stop["requested"]:
                print("SIGTERM: stopping", flush=True)
                return 0
            idx = order[i:i + args.batch_size]
            loss = loss_fn(net(train_x[idx].to(device)), train_y[idx].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epoch += 1
        error, val_loss = evaluate(net, val_x, val_y, device)
        if checkpoint:
            os.makedirs(args.st_checkpoint_dir, exist_ok=True)
            save_checkpoint(checkpoint, {"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                                         "generator": generator.get_state(), "epoch": epoch})
        seconds = time.time() - started
        print(f"epoch {epoch}: loss {loss.item():.4f}, {seconds:.1f} s on {device}", flush=True)
        print("[tune-metric]: " + json.dumps({"epoch": epoch, "validation_error": error,
                                               "validation_loss": val_loss,
                                               "epoch_seconds": round(seconds, 4)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
