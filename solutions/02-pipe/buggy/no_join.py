# expect: leak
"""Sends the end-of-data marker and returns without join(): the child may still be running
(finishing its loop and exiting) when the function returns."""
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
    squares = []
    for i in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[i:i + BLOCK])
        squares.extend(parent_conn.recv())
    parent_conn.send(None)
    return squares
