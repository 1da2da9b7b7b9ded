# expect: wrong
"""Appends each answer block to the result instead of extending it with the block's numbers:
it returns a list of lists, [[4, 9, 0, 100, 49]] instead of [4, 9, 0, 100, 49]."""
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
        squares.append(parent_conn.recv())
    parent_conn.send(None)
    p.join()
    return squares
