# expect: deadlock
"""Ends the data by closing the parent's end and lets the child stop at EOFError. But under fork
the child inherited a copy of the parent's end and never closed it: while any copy of that end
is open the pipe is not at end-of-file, so the child waits in recv() for ever (and the parent in
join()). Under spawn and forkserver the child has no such copy, which hides the bug there."""
import multiprocessing as mp

BLOCK = 1000


def _square_blocks(conn):
    while True:
        try:
            block = conn.recv()
        except EOFError:
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
    parent_conn.close()
    p.join()
    return squares
