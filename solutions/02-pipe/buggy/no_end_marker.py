# expect: deadlock
"""Never tells the child that the data is over: the child waits in recv() for a block that never
comes, and the parent waits for it in join()."""
import multiprocessing as mp

BLOCK = 1000


def _square_blocks(conn):
    while True:
        block = conn.recv()
        conn.send([x * x for x in block])


def squares_via_pipe(numbers):
    parent_conn, child_conn = mp.Pipe()
    p = mp.Process(target=_square_blocks, args=(child_conn,))
    p.start()
    squares = []
    for i in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[i:i + BLOCK])
        squares.extend(parent_conn.recv())
    p.join()
    return squares
