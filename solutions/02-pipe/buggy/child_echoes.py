# expect: not_parallel
"""The child sends every block back unchanged and the parent does the squaring: the result is
right, but the child did none of the work."""
import multiprocessing as mp

BLOCK = 1000


def _echo_blocks(conn):
    while True:
        block = conn.recv()
        if block is None:
            break
        conn.send(block)


def squares_via_pipe(numbers):
    parent_conn, child_conn = mp.Pipe()
    p = mp.Process(target=_echo_blocks, args=(child_conn,))
    p.start()
    squares = []
    for i in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[i:i + BLOCK])
        squares.extend(x * x for x in parent_conn.recv())
    parent_conn.send(None)
    p.join()
    return squares
