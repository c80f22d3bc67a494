#!/usr/bin/env python3
"""The PyTorch speed peer of embgeo-cuda: the same model and training step, timed the same way.

nn.Embedding(V,D) -> mean over the C context positions -> nn.Linear(D,V) -> F.cross_entropy -> Adam(lr),
fp32, dense gradients (as embgeo: E gets a full (V,D) gradient and Adam state). Batches are uniform random
ids drawn on the device into a fixed pool before timing, so data generation is not part of the measurement.

  /usr/bin/python3 tools/peer_pytorch.py --device cpu --shapes toy --json peer.json
  python3 tools/peer_pytorch.py --device cuda --shapes toy,gpt2,llama3
  /usr/bin/python3 tools/peer_pytorch.py --device cpu --shape 10000,64,8,64

On Debian the CPU build comes from `apt-get install python3-torch libopenblas0-pthread` and lives under
/usr/bin/python3 (a pyenv `python3` earlier on PATH does not see Debian's packages).
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

# name -> (V, D, C, B)
SHAPES = {
    "toy": (21, 16, 8, 32),
    "gpt2": (50257, 768, 8, 1024),
    "llama3": (128256, 768, 8, 1024),
}
SMALL_STEPS, LARGE_STEPS = 2000, 50
SMALL_TABLE = 65536  # V·D up to this runs SMALL_STEPS by default: such steps are launch/overhead bound
POOL_BATCHES = 32  # distinct batches cycled through, drawn before timing


def fail(message):
    sys.exit(f"peer_pytorch: {message}")


def parse_shape(text):
    try:
        dims = tuple(int(part) for part in text.split(","))
    except ValueError:
        dims = ()
    if len(dims) != 4 or min(dims) < 1:
        fail(f"--shape wants four positive integers V,D,C,B, got '{text}'")
    return dims


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--shapes", help=f"comma-separated names from {','.join(SHAPES)} (default toy)")
    parser.add_argument("--shape", action="append", default=[], metavar="V,D,C,B", help="a custom shape (repeatable)")
    parser.add_argument("--steps", type=int, help=f"timed steps (default {SMALL_STEPS} for small shapes, "
                        f"{LARGE_STEPS} for large: V·D > {SMALL_TABLE})")
    parser.add_argument("--warmup", type=int, help="untimed steps first (default max(5, steps/10))")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default 1 on cpu, torch's own on cuda)")
    parser.add_argument("--lr", type=float, default=1e-2, help="Adam learning rate (embgeo's default)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()

    shapes = []
    names = args.shapes.split(",") if args.shapes else ([] if args.shape else ["toy"])
    for name in names:
        if name not in SHAPES:
            fail(f"unknown shape '{name}' (known: {', '.join(SHAPES)}; or --shape V,D,C,B)")
        shapes.append((name, SHAPES[name]))
    shapes += [(text, parse_shape(text)) for text in args.shape]
    for flag in ("steps", "threads"):
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            fail(f"--{flag} must be at least 1")
    if args.warmup is not None and args.warmup < 0:
        fail("--warmup must not be negative")
    args.shapes = shapes
    return args


def device_name(torch, device):
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_shape(torch, device, dims, args):
    nn, F = torch.nn, torch.nn.functional
    V, D, C, B = dims
    steps = args.steps or (SMALL_STEPS if V * D <= SMALL_TABLE else LARGE_STEPS)
    warmup = args.warmup if args.warmup is not None else max(5, steps // 10)

    torch.manual_seed(args.seed)
    embedding = nn.Embedding(V, D).to(device)
    head = nn.Linear(D, V).to(device)
    params = list(embedding.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    xs = torch.randint(V, (POOL_BATCHES, B, C), generator=generator, device=device)
    ys = torch.randint(V, (POOL_BATCHES, B), generator=generator, device=device)

    def step(i):
        x, y = xs[i % POOL_BATCHES], ys[i % POOL_BATCHES]
        logits = head(embedding(x).mean(dim=1))  # (B,C,D) -> (B,D) -> (B,V)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    for i in range(warmup):
        step(i)
    if cuda:
        # Events on the stream time the GPU work; the synchronize before makes warm-up work not count.
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize(device)
        start.record()
        for i in range(steps):
            loss = step(warmup + i)
        stop.record()
        torch.cuda.synchronize(device)
        seconds = start.elapsed_time(stop) * 1e-3
        peak_bytes = torch.cuda.max_memory_allocated(device)
    else:
        begin = time.perf_counter()
        for i in range(steps):
            loss = step(warmup + i)
        seconds = time.perf_counter() - begin
        peak_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return {
        "V": V, "D": D, "C": C, "B": B,
        "steps": steps, "warmup": warmup, "seconds": seconds,
        "steps_per_s": steps / seconds, "tokens_per_s": steps * B * C / seconds,
        "peak_memory_bytes": peak_bytes,
        "peak_memory_kind": "torch.cuda.max_memory_allocated" if cuda else "ru_maxrss (whole process)",
        "final_loss": float(loss),
    }


def print_table(rows):
    columns = [("shape", "{}"), ("V", "{}"), ("D", "{}"), ("C", "{}"), ("B", "{}"), ("steps", "{}"),
               ("seconds", "{:.3f}"), ("steps/s", "{:.1f}"), ("tokens/s", "{:.4g}"), ("peak MiB", "{:.1f}"),
               ("loss", "{:.4f}")]
    cells = [[fmt.format(value) for (_, fmt), value in zip(columns, (
        r["shape"], r["V"], r["D"], r["C"], r["B"], r["steps"], r["seconds"], r["steps_per_s"], r["tokens_per_s"],
        r["peak_memory_bytes"] / 2**20, r["final_loss"]))] for r in rows]
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, (name, _) in enumerate(columns)]
    print("  ".join(name.rjust(w) for (name, _), w in zip(columns, widths)))
    for row in cells:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


def write_json(path, report):
    # Written to a temporary name and renamed, so a crash never leaves a half-written file.
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w") as out:
        json.dump(report, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)


def main():
    args = parse_args()
    try:
        import torch
    except ImportError as error:
        fail(f"PyTorch is not importable from {sys.executable} ({error}); "
             "on Debian: apt-get install python3-torch and run with /usr/bin/python3")
    if args.device == "cuda" and not torch.cuda.is_available():
        fail(f"--device cuda, but torch {torch.__version__} sees no CUDA GPU "
             f"(built for CUDA {torch.version.cuda or 'none'}); use --device cpu")
    device = torch.device("cuda:0" if args.device == "cuda" else "cpu")
    threads = args.threads or (1 if args.device == "cpu" else None)
    if threads:
        torch.set_num_threads(threads)

    name = device_name(torch, device)
    print(f"torch {torch.__version__} on {args.device} ({name}), {torch.get_num_threads()} thread(s), fp32")
    rows = [{"shape": label, **run_shape(torch, device, dims, args)} for label, dims in args.shapes]
    print_table(rows)
    if args.json:
        write_json(args.json, {
            "peer": "pytorch", "torch": torch.__version__, "device": args.device, "device_name": name,
            "threads": torch.get_num_threads(), "lr": args.lr, "seed": args.seed, "results": rows,
        })


if __name__ == "__main__":
    main()
