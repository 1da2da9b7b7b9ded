# expect: deadlock
"""Sends every block before reading any answer. The child answers each block as it arrives, so
with a big input the answers fill the pipe's buffer: the child blocks in send() waiting for the
parent to read, and the parent blocks in send() waiting for the child to read. Nobody reads."""
import multiprocessing as mp

BLOCK = 1000


def _square_blocks(conn):
    while True:
        block = conn.recv()
        if block is None:
            break
        conn.send([x * x for x in block])


def squares_via_pipe(numbers):
    parent_conn, child_conn = mp.Pipe()
    p = mp.Process(target=_square_blocks, args=(child_conn,))
    p.start()
    n_blocks = 0
    for i in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[i:i + BLOCK])
        n_blocks += 1
    parent_conn.send(None)
    squares = []
    for _ in range(n_blocks):
        squares.extend(parent_conn.recv())
    p.join()
    return squares
