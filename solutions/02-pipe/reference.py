"""Reference solution for 02-pipe."""
import multiprocessing as mp

BLOCK = 1000


def _square_blocks(conn):
    while True:
        block = conn.recv()
        if block is None:  # end-of-data marker
            break
        conn.send([x * x for x in block])
    conn.close()


def squares_via_pipe(numbers):
    parent_conn, child_conn = mp.Pipe()
    p = mp.Process(target=_square_blocks, args=(child_conn,))
    p.start()
    child_conn.close()  # the child has its own copy; the parent does not use this end
    squares = []
    for i in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[i:i + BLOCK])
        squares.extend(parent_conn.recv())
    parent_conn.send(None)
    p.join()
    parent_conn.close()
    return squares
