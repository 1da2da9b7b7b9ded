# expect: pass
"""Style: slices of 1000 by index, None as end marker, child loops with a walrus on recv()."""

import multiprocessing

BLOCK = 1000


def square_worker(conn):
    while (block := conn.recv()) is not None:
        conn.send([x * x for x in block])
    conn.close()


def squares_via_pipe(numbers: list[int]) -> list[int]:
    parent_conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.Process(target=square_worker, args=(child_conn,))
    child.start()
    result = []
    for start in range(0, len(numbers), BLOCK):
        parent_conn.send(numbers[start:start + BLOCK])
        result.extend(parent_conn.recv())
    parent_conn.send(None)
    child.join()
    parent_conn.close()
    child_conn.close()
    return result
