"""Ejercicio 07-bank: transferencias entre cuentas, con un lock por cuenta y sin deadlock.

Implementar transfer_all(balances, transfers, n_workers): los saldos viven en memoria compartida
(por ejemplo un multiprocessing.Array) y hay un multiprocessing.Lock por cuenta, todo creado por
el padre. Exactamente n_workers procesos trabajadores (Process, o un Pool(n_workers)) se reparten
las transferencias; cada transferencia (src, dst, amount) resta amount de src y lo suma a dst con
los locks de las DOS cuentas tomados, siempre en el mismo orden (por ejemplo, primero la cuenta de
número menor). El padre espera a todos con join() y devuelve la lista de saldos finales.

Recordatorios (ver README.es.md):
- Tomar src y después dst puede colgarse (deadlock): (1, 3, ...) en un proceso y (3, 1, ...) en
  otro se esperan para siempre. El orden global lo evita. Un único lock global también vale.
- src == dst no cambia nada; tomar dos veces el mismo Lock cuelga al proceso: saltearla.
- Los saldos pueden quedar negativos. Nada de acquire(block=False) ni timeouts: el lock se espera.
- Con amount solo se hace la cuenta de mover el dinero, dentro de los locks.
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; la memoria y los locks se crean dentro de la función.
- La función que ejecuta cada trabajador se define en el nivel superior del módulo (no lambdas ni
  funciones anidadas), para que funcione con fork, spawn y forkserver.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing


def transfer_all(balances: list, transfers: list, n_workers: int) -> list:
    """Aplica todas las transferencias en paralelo y devuelve los saldos finales.

    balances[i] es el saldo inicial de la cuenta i; cada transferencia (src, dst, amount) mueve
    amount de la cuenta src a la cuenta dst, con los locks de las dos cuentas tomados. El resultado
    es igual a aplicar todas las transferencias en orden.

    Ejemplo: transfer_all([100, 50, 0], [(0, 1, 30), (1, 2, 70), (2, 0, 10), (1, 1, 5)], 2)
    devuelve [80, 10, 60].
    """
    raise NotImplementedError("implementar transfer_all")


if __name__ == "__main__":
    print(transfer_all([100, 50, 0], [(0, 1, 30), (1, 2, 70), (2, 0, 10), (1, 1, 5)], 2))
