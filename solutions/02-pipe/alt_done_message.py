# expect: pass
"""Style: blocks cut with itertools.islice from an iterator, a separate "DONE" string message as
end marker, child loops with iter(conn.recv, DONE); the parent closes its copy of the child's end
right after start() and reads each answer before sending the next block."""

import itertools
import multiprocessing

DONE = "DONE"
BLOCK_SIZE = 1000


def child_main(conn):
    try:
        for block in iter(conn.recv, DONE):
            conn.send([pow(x, 2) for x in block])
    finally:
        conn.close()


def _blocks(numbers, size):
    it = iter(numbers)
    while True:
        block = list(itertools.islice(it, size))
        if not block:
            return
        yield block


def squares_via_pipe(numbers: list[int]) -> list[int]:
    mine, theirs = multiprocessing.Pipe(duplex=True)
    worker = multiprocessing.Process(target=child_main, args=(theirs,))
    worker.start()
    theirs.close()              # the child has its own copy now
    squares = []
    for block in _blocks(numbers, BLOCK_SIZE):
        mine.send(block)
        answer = mine.recv()
        squares += answer
    mine.send(DONE)
    worker.join()
    mine.close()
    return squares
