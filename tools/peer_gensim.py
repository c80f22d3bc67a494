#!/usr/bin/env python3
"""The gensim peer of `embgeo-cuda bench train --peer gensim`: CBOW with negative sampling on one worker.

Trains gensim's Word2Vec (sg=0, cbow_mean=1, hs=0, negative=K, workers=1) on a text whose tokens are
separated by whitespace (the bench writes it with embgeo's word tokenizer, so both sides see the same
tokens), times model.train() alone, and writes the table as word2vec text (.vec) and the figures as JSON.
Every window is the full `--window` each side (shrink_windows=False, as embgeo's fixed window), no word is
subsampled (sample=0) and none dropped (min_count=1), so both sides predict every word of the text.

  /usr/bin/python3 tools/peer_gensim.py --text words.txt --dim 64 --window 5 --epochs 5 --vec g.vec --json g.json

On Debian gensim comes from `apt-get install python3-gensim` and lives under /usr/bin/python3.
"""
import argparse
import json
import os
import sys
import time

SENTENCE_WORDS = 10000  # gensim truncates longer sentences; windows do not cross these cuts


def fail(message):
    sys.exit(f"peer_gensim: {message}")


def write_atomically(path, write):
    temporary = f"{path}.tmp{os.getpid()}"
    write(temporary)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", required=True, help="whitespace-separated tokens")
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--window", type=int, required=True, help="context words each side")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--vec", required=True, help="where to write the input vectors (word2vec text)")
    parser.add_argument("--json", required=True, help="where to write the figures")
    args = parser.parse_args()
    try:
        import gensim
        from gensim.models import Word2Vec
    except ImportError:
        fail("gensim is not installed for this python (Debian: apt-get install python3-gensim)")

    with open(args.text, encoding="utf-8") as f:
        words = f.read().split()
    if not words:
        fail(f"{args.text} holds no words")
    sentences = [words[i:i + SENTENCE_WORDS] for i in range(0, len(words), SENTENCE_WORDS)]
    model = Word2Vec(vector_size=args.dim, window=args.window, min_count=1, sample=0, sg=0, cbow_mean=1, hs=0,
                     negative=args.negative, workers=1, seed=args.seed, shrink_windows=False, compute_loss=True)
    model.build_vocab(sentences)
    start = time.perf_counter()
    _, raw_words = model.train(sentences, total_examples=len(sentences), epochs=args.epochs, compute_loss=True)
    seconds = time.perf_counter() - start
    write_atomically(args.vec, lambda path: model.wv.save_word2vec_format(path))
    result = {
        "gensim": gensim.__version__,
        "words": len(words),
        "vocab": len(model.wv),
        "words_trained": raw_words,
        "train_seconds": seconds,
        "words_per_second": raw_words / seconds,
        # gensim's running loss: the sum over every prediction of the run (in float32), per predicted word.
        "loss_per_word": model.get_latest_training_loss() / raw_words,
    }

    def write_json(path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)

    write_atomically(args.json, write_json)


if __name__ == "__main__":
    main()
