"""Ejercicio 02-pipe: un hijo eleva al cuadrado los números que recibe por un Pipe.

Implementar squares_via_pipe(numbers): crear un multiprocessing.Pipe() y arrancar un proceso hijo
que reciba su extremo como argumento. El padre envía los números en bloques (listas de 1000, el
último puede ser más corto) y, al final, una marca de fin (por ejemplo None). El hijo recibe cada
bloque, eleva cada número al cuadrado (x * x, x ** 2 o pow(x, 2)) y envía de vuelta la lista de
cuadrados; con la marca de fin sale del bucle. El padre junta las respuestas en orden, hace join()
del hijo y devuelve la lista de cuadrados.

Recordatorios (ver README.es.md):
- Enviar un bloque y recibir su respuesta antes de enviar el siguiente: enviar todo primero y leer
  después se bloquea (deadlock) con listas grandes.
- Los cuadrados los calcula el hijo, sobre los números tal como llegan (sin int(x)).
- El corrector importa este archivo, y con spawn/forkserver el hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; la función del hijo va en el nivel superior.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing
import time

BLOCK = 1000


def squares_via_pipe(numbers: list[int]) -> list[int]:
    """Devuelve los cuadrados de numbers, en orden, calculados por un proceso hijo.

    Los números viajan al hijo por un Pipe en bloques de BLOCK, seguidos de una marca de fin; el
    hijo responde cada bloque con la lista de sus cuadrados. Vuelve después del join() del hijo.

    Ejemplo: squares_via_pipe([2, -3, 0, 10, 7]) devuelve [4, 9, 0, 100, 49].
    """
    raise NotImplementedError("implementar squares_via_pipe")


if __name__ == "__main__":
    print(squares_via_pipe([2, -3, 0, 10, 7]))   # [4, 9, 0, 100, 49]
    print(squares_via_pipe([]))                  # []
    inicio = time.time()
    grande = squares_via_pipe(list(range(-100000, 100000)))
    ok = grande == [x * x for x in range(-100000, 100000)]
    print(f"200 000 números: {'bien' if ok else 'MAL'}, {time.time() - inicio:.2f} s")
